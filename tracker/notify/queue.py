"""The outbox's queue: messages survive outages, crashes and damage until each channel has them.

A change's message is written inside its version folder (``alert.json``, in the
same rename that records the version) and queued here before anything is sent.
Each channel's delivery is marked the moment it succeeds, here and in the
version folder (``deliveries.json``), so a channel that worked is never sent
again while another is retried.  If the queue is deleted or damaged,
:meth:`Outbox.reconcile` rebuilds it from the version folders: every change whose
``deliveries.json`` still lists a channel as not delivered is queued again for
that channel alone.  Where each file lives: :mod:`tracker.store.layout`.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..config import Config, Settings
from ..errors import describe_os_error
from ..message import Message
from ..model import Event
from ..store import flock, layout
from ..store.files import atomic_write
from .channel import Channel
from .entry import DONE, Entry, Handover, Queue, dropped, first, in_order, retried

log = logging.getLogger("tracker.notify.outbox")

SWEEP_AFTER = 600.0  # seconds after which a temporary file is a killed run's, not a write


class Queueing:
    """The outbox as a listener of the pipeline: what it hears, it queues for the channels."""

    def __init__(self, outbox: Queue, channels: Sequence[Channel]) -> None:
        self.outbox, self.channels = outbox, channels

    def heard(self, message: Message) -> None:
        self.outbox.enqueue(message, self.channels)


def listeners_for(config: Config) -> list[Queueing]:
    """Who hears a run's events: the outbox, when there are channels to deliver to.

    The composition root attaches it to the pipeline, which knows no channel.
    """
    if not config.channels:
        return []
    return [Queueing(open_outbox(config.settings), config.channels)]


def open_outbox(settings: Settings) -> Queue:
    """The queue beside the store: files in the state folder, or tables in PostgreSQL."""
    if settings.store is None:
        return Outbox(settings)
    from .sql_queue import SqlOutbox

    return SqlOutbox(settings)


class Outbox:
    """The queue under ``<state_dir>/outbox``; delivery is :mod:`tracker.notify.deliver`'s."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.state_dir = settings.state_dir
        self.dir = layout.outbox_dir(settings.state_dir)
        self.sent_dir = self.dir / "sent"
        self.damaged_dir = self.dir / "damaged"

    # -- queueing (callers hold the source's lock) ---------------------------------------

    def known(self, message_id: str) -> bool:
        """Whether this message was queued already, or delivered."""
        name = f"{message_id}.json"
        return (self.dir / name).exists() or (self.sent_dir / name).exists()

    def enqueue(self, message: Message, channels: Sequence[Channel]) -> bool:
        """Queue ``message`` for the channels that want its severity; False if already known."""
        if self.known(message.id):
            return False
        wanted = [c for c in channels if c.wants(message.severity)]
        entry = Entry(message, {c.name: first(c, message) for c in wanted})
        self.keep_record(entry)  # first in the version folder: the queue can be rebuilt from it
        folder = self.dir if wanted else self.sent_dir  # nobody wants it: record, don't queue
        folder.mkdir(parents=True, exist_ok=True)
        atomic_write(folder / f"{message.id}.json", _dumps(entry.to_json()))
        return bool(wanted)

    def queue(self, entry: Entry) -> None:
        """Queue an entry made here (a digest): it has no version folder to be rebuilt from."""
        self.dir.mkdir(parents=True, exist_ok=True)
        atomic_write(self.dir / f"{entry.id}.json", _dumps(entry.to_json()))

    def sent(self, message_id: str) -> Entry | None:
        """A message filed as done, or None."""
        return _load(self.sent_dir / f"{message_id}.json")

    # -- reading -------------------------------------------------------------------------

    def pending(self) -> list[Entry]:
        """Queued messages (pending or failed), oldest first: by creation time, then id.

        An entry that cannot be read is moved to ``damaged/`` and logged, never
        skipped in silence: see :meth:`damaged`.
        """
        entries = []
        with contextlib.suppress(FileNotFoundError):
            for item in os.scandir(self.dir):
                if not item.name.endswith(".json") or item.name.startswith("."):
                    continue
                entry = _load(Path(item.path))
                if entry is None:
                    self._set_aside(Path(item.path))
                else:
                    entries.append(entry)
        return in_order(entries)

    def damaged(self) -> list[str]:
        """Entries set aside because they could not be read, by file name."""
        try:
            return sorted(os.listdir(self.damaged_dir))
        except FileNotFoundError:
            return []

    def reconcile(self, source_ids: Iterable[str]) -> list[str]:
        """Queue again what the version folders say is undelivered and the queue lacks.

        Undelivered to any channel, configured or not: a channel that was renamed
        away still has its messages said, never lost in silence.

        Returns the message ids queued again.  It reads every version folder, so a
        delivery runs it only when ``.index`` is missing (the queue was deleted, or
        an entry set aside); ``tracker outbox`` runs it every time.
        """
        again = []
        for sid in source_ids:
            source = layout.source_dir(self.state_dir, sid)
            for name in layout.version_names(layout.versions_dir(source)):
                record_path = layout.deliveries_path(self.state_dir, sid, name)
                record = _load_record(record_path)
                if record is None or self.known(record.id):
                    continue
                if all(h.status in DONE for h in record.deliveries.values()):
                    continue
                stored = _load(layout.message_path(record_path.parent))
                if stored is None:
                    continue
                entry = Entry(stored.message, record.deliveries)
                self.dir.mkdir(parents=True, exist_ok=True)
                atomic_write(self.dir / f"{entry.id}.json", _dumps(entry.to_json()))
                again.append(entry.id)
        self._mark_indexed()
        return again

    def indexed(self) -> bool:
        return (self.dir / ".index").exists()

    def survey(
        self, source_ids: Iterable[str], rebuild: bool = True
    ) -> tuple[list[Entry], list[str]]:
        """What waits, with anything unreadable set aside and its message queued again from
        its version at once (``rebuild``; otherwise only when the queue is not known to match
        the versions); and the ids queued again."""
        self.pending()  # sets aside what cannot be read, and forgets the index if it did
        again = self.reconcile(source_ids) if rebuild or not self.indexed() else []
        return self.pending(), again

    # -- acting on one entry -------------------------------------------------------------

    def retry(self, message_id: str) -> bool:
        """Make a message's failed deliveries pending again; False if no such entry."""
        return self._update(message_id, retried)

    def drop(self, message_id: str) -> bool:
        """Give up on a message's undelivered channels; False if no such entry."""
        return self._update(message_id, dropped)

    def _update(self, message_id: str, change: Callable[[Handover], None]) -> bool:
        path = self.dir / f"{message_id}.json"
        with self.lock() as held:
            if not held or (entry := _load(path)) is None:
                return False
            for handover in entry.deliveries.values():
                change(handover)
            self.save(entry)
        return True

    @contextlib.contextmanager
    def lock(self, wait: bool = True) -> Iterator[bool]:
        """Hold the delivery lock; yields False if another process kept it too long.

        Without ``wait``, a lock held elsewhere is not waited for at all: another
        process is delivering, so there is nothing to do (the daemon's event loop
        must not block).
        """
        timeout = self.settings.lock_timeout if wait else 0
        try:
            fd = flock.acquire(self.dir / ".lock", timeout)
        except flock.Busy:
            yield False
            return
        try:
            yield True
        finally:
            flock.release(fd)

    def unclaimed(self, entries: list[Entry]) -> list[Entry]:
        """All of them: a delivery run holds the whole queue, and it has ended."""
        return entries

    @contextlib.contextmanager
    def claim(self, entry: Entry) -> Iterator[Entry | None]:
        """The entry itself: the delivery lock (:meth:`lock`) already keeps others away."""
        yield entry

    # -- files ---------------------------------------------------------------------------

    def save(self, entry: Entry) -> None:
        """Write an entry's delivery state at once (a sent channel is never sent again)."""
        atomic_write(self.dir / f"{entry.id}.json", _dumps(entry.to_json()))
        self.keep_record(entry)
        self.file_if_done(entry)

    def file_if_done(self, entry: Entry) -> None:
        """Move an entry with nothing left to do out of the queue (a killed run may not have)."""
        if entry.done:
            self.sent_dir.mkdir(parents=True, exist_ok=True)
            name = f"{entry.id}.json"
            with contextlib.suppress(FileNotFoundError):
                os.replace(self.dir / name, self.sent_dir / name)

    def keep_record(self, entry: Entry) -> None:
        """Keep a change's delivery state in its version folder, where the queue is rebuilt from."""
        about = entry.message.outcome
        if entry.message.event is not Event.CHANGE or not about.version:
            return
        path = layout.deliveries_path(self.state_dir, about.id, about.version)
        if path.parent.is_dir():
            record = {"id": entry.id, "deliveries": entry._deliveries_json()}
            try:
                atomic_write(path, _dumps(record), sync=False)
            except OSError as exc:  # the queue holds the state too: this costs one copy, not a run
                log.warning("cannot keep the delivery record %s: %s", path, describe_os_error(exc))

    def sweep(self, older_than: float = SWEEP_AFTER) -> None:
        """Remove what killed runs left half-written: temporary files no write is using now
        (older than ``older_than`` seconds; a check may be queueing beside the delivery)."""
        cutoff = time.time() - older_than
        for folder in (self.dir, self.sent_dir):
            with contextlib.suppress(FileNotFoundError):
                for item in os.scandir(folder):
                    if item.name.startswith(layout.TMP_PREFIX) and item.is_file(
                        follow_symlinks=False
                    ):
                        with contextlib.suppress(FileNotFoundError):
                            if item.stat(follow_symlinks=False).st_mtime < cutoff:
                                os.unlink(item.path)

    def _set_aside(self, path: Path) -> None:
        self.damaged_dir.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileNotFoundError):
            os.replace(path, self.damaged_dir / path.name)
            log.warning(
                "outbox entry %s could not be read; set aside in %s", path.name, self.damaged_dir
            )
        with contextlib.suppress(FileNotFoundError):
            (self.dir / ".index").unlink()  # its message may have to be queued again

    def _mark_indexed(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        (self.dir / ".index").touch()


@dataclass
class _Record:
    """A version folder's ``deliveries.json``."""

    id: str
    deliveries: dict[str, Handover]


def _load(path: Path) -> Entry | None:
    """A queued entry or a stored message, or None if it cannot be read or is not one."""
    try:
        return Entry.from_json(json.loads(path.read_text("utf-8")))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _load_record(path: Path) -> _Record | None:
    try:
        data = json.loads(path.read_text("utf-8"))
        if not isinstance(data, Mapping) or not isinstance(data.get("id"), str):
            return None
        deliveries = data.get("deliveries")
        if not isinstance(deliveries, dict):
            return None
        return _Record(data["id"], {n: Handover.from_json(h) for n, h in deliveries.items()})
    except (OSError, ValueError):
        return None


def _dumps(data: Any) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")
