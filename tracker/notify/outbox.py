"""The outbox: alerts survive outages, crashes and damage, and go out once per channel.

A change's message is written inside its version folder (``alert.json``, in
the same rename that records the version) and queued here before anything is
sent.  Each channel's delivery is marked the moment it succeeds, here and in
the version folder (``deliveries.json``), so a channel that worked is never
sent again while another is retried.  A transient failure (connection,
timeout, 429, 5xx) leaves the message queued for as long as it takes; only a
permanent failure of that one message (it cannot be built, or the service
rejects it) marks it ``failed``, with its reason, until ``tracker outbox
--retry``.  A run killed between sending and marking may send once more,
under the same message id; it never loses a message.

Layout, under the state folder::

    outbox/<message-id>.json        queued: the message and each channel's delivery state
    outbox/sent/<message-id>.json   delivered, or dropped, on every channel that wanted it
    outbox/damaged/<file>           entries that could not be read: set aside, reported
    outbox/.index                   present while the queue is known to match the versions
    outbox/.lock                    held while delivering

If the queue is deleted or damaged, :meth:`Outbox.reconcile` rebuilds it from
the version folders: every change whose ``deliveries.json`` still lists a
channel as not delivered is queued again for that channel alone.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import filelock

from ..config import Config, Settings
from ..retry import RetryPolicy
from ..stamps import isoformat, utcnow
from ..store.files import atomic_write
from ..store.layout import deliveries_path, version_names
from .channel import Channel, DeliveryError
from .courier import Courier

log = logging.getLogger(__name__)

DONE = ("sent", "dropped")  # a channel with nothing left to do


@dataclass(frozen=True)
class Delivery:
    """What happened to one message on one channel in this run."""

    message: str
    source: str
    event: str
    channel: str
    status: str  # sent | pending (transient failure, or not tried) | failed (permanent)
    error: str | None = None
    attempts: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "message": self.message,
            "source": self.source,
            "event": self.event,
            "channel": self.channel,
            "status": self.status,
            "error": self.error,
            "attempts": self.attempts,
        }


class Queueing:
    """The outbox as a listener of the pipeline: what it hears, it queues for the channels."""

    def __init__(self, outbox: Outbox, channels: Sequence[Channel]) -> None:
        self.outbox, self.channels = outbox, channels

    def heard(self, message: Mapping[str, Any]) -> None:
        self.outbox.enqueue(message, self.channels)


def listeners_for(config: Config) -> list[Queueing]:
    """Who hears a run's events: the outbox, when there are channels to deliver to.

    The composition root attaches it to the pipeline, which knows no channel.
    """
    if not config.channels:
        return []
    return [Queueing(Outbox(config.settings.state_dir, config.settings), config.channels)]


class Outbox:
    def __init__(self, state_dir: Path, settings: Settings) -> None:
        self.state_dir = state_dir
        self.dir = state_dir / "outbox"
        self.sent_dir = self.dir / "sent"
        self.damaged_dir = self.dir / "damaged"
        self.settings = settings
        self.policy = RetryPolicy(settings.retries, settings.backoff, settings.max_retry_after)

    # -- queueing (callers hold the source's lock) ---------------------------------------

    def known(self, message_id: str) -> bool:
        """Whether this message was queued already, or delivered."""
        name = f"{message_id}.json"
        return (self.dir / name).exists() or (self.sent_dir / name).exists()

    def enqueue(self, msg: Mapping[str, Any], channels: Sequence[Channel]) -> bool:
        """Queue ``msg`` for the channels that want its severity; False if already known."""
        if self.known(msg["id"]):
            return False
        wanted = [c.name for c in channels if c.wants(msg["severity"])]
        entry = {**msg, "deliveries": {name: _fresh() for name in wanted}}
        self._record(entry)  # first in the version folder: the queue can be rebuilt from it
        folder = self.dir if wanted else self.sent_dir  # nobody wants it: record, don't queue
        folder.mkdir(parents=True, exist_ok=True)
        atomic_write(folder / f"{msg['id']}.json", _dumps(entry))
        return bool(wanted)

    # -- reading -------------------------------------------------------------------------

    def pending(self) -> list[dict[str, Any]]:
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
        return sorted(entries, key=lambda e: (str(e.get("created", "")), str(e["id"])))

    def damaged(self) -> list[str]:
        """Entries set aside because they could not be read, by file name."""
        try:
            return sorted(os.listdir(self.damaged_dir))
        except FileNotFoundError:
            return []

    def reconcile(self, source_ids: Iterable[str], channels: Sequence[Channel]) -> list[str]:
        """Queue again what the version folders say is undelivered and the queue lacks.

        Returns the message ids queued again.  It reads every version folder, so
        :meth:`deliver` runs it only when ``.index`` is missing (the queue was
        deleted, or an entry set aside); ``tracker outbox`` runs it every time.
        """
        again = []
        by_name = {c.name for c in channels}
        for sid in source_ids:
            for name in version_names(self.state_dir / sid / "versions"):
                record = _load_record(deliveries_path(self.state_dir, sid, name))
                if record is None or self.known(record["id"]):
                    continue
                left = {c for c, s in record["deliveries"].items() if s.get("status") not in DONE}
                if not by_name & left:
                    continue
                alert = _load(deliveries_path(self.state_dir, sid, name).with_name("alert.json"))
                if alert is None:
                    continue
                entry = {**alert, "deliveries": record["deliveries"]}
                self.dir.mkdir(parents=True, exist_ok=True)
                atomic_write(self.dir / f"{alert['id']}.json", _dumps(entry))
                again.append(alert["id"])
        self._mark_indexed()
        return again

    def indexed(self) -> bool:
        return (self.dir / ".index").exists()

    # -- acting on one entry -------------------------------------------------------------

    def retry(self, message_id: str) -> bool:
        """Make a message's failed deliveries pending again; False if no such entry."""
        return self._update(message_id, lambda s: s["status"] == "failed", "pending")

    def drop(self, message_id: str) -> bool:
        """Give up on a message's undelivered channels; False if no such entry."""
        return self._update(message_id, lambda s: s["status"] not in DONE, "dropped")

    def _update(self, message_id: str, which: Any, status: str) -> bool:
        path = self.dir / f"{message_id}.json"
        with self.lock() as held:
            if not held or (entry := _load(path)) is None:
                return False
            for state in entry["deliveries"].values():
                if which(state):
                    state["status"] = status
            atomic_write(path, _dumps(entry))
            self._record(entry)
            self._file_if_done(entry, path)
        return True

    # -- delivering ----------------------------------------------------------------------

    @contextlib.contextmanager
    def lock(self, wait: bool = True) -> Iterator[bool]:
        """Hold the delivery lock; yields False if another process kept it too long.

        Without ``wait``, a lock held elsewhere is not waited for at all: another
        process is delivering, so there is nothing to do (the daemon's event loop
        must not block).
        """
        self.dir.mkdir(parents=True, exist_ok=True)
        timeout = self.settings.lock_timeout if wait else 0
        lock = filelock.FileLock(self.dir / ".lock", timeout=timeout)
        try:
            lock.acquire()
        except filelock.Timeout:
            yield False
            return
        try:
            yield True
        finally:
            lock.release()

    async def deliver(
        self, channels: Sequence[Channel], source_ids: Iterable[str] = (), wait: bool = True
    ) -> list[Delivery]:
        """Send everything queued; what happened, in queue order, then channel order."""
        by_name = {c.name: c for c in channels}
        out: list[Delivery] = []
        with self.lock(wait) as held:
            if not held:
                if wait:
                    log.warning("outbox is locked by another tracker process; delivery skipped")
                return out
            if not self.indexed():
                self.reconcile(source_ids, channels)
            down: dict[str, str] = {}  # channels that failed transiently this run, and why
            async with Courier(self.settings.timeout) as courier:
                for entry in self.pending():
                    out.extend(await self._deliver_entry(entry, by_name, down, courier))
        return out

    async def _deliver_entry(
        self,
        entry: dict[str, Any],
        by_name: Mapping[str, Channel],
        down: dict[str, str],
        courier: Courier,
    ) -> list[Delivery]:
        out = []
        path = self.dir / f"{entry['id']}.json"
        send = {k: v for k, v in entry.items() if k != "deliveries"}
        src = entry["source"]
        if src.get("version") and (link := self.settings.report_link(src["id"], src["version"])):
            send.setdefault("report", link)  # where a message cut short can point
        states = entry["deliveries"]
        order = [n for n in by_name if n in states] + sorted(n for n in states if n not in by_name)
        common = {"message": entry["id"], "source": entry["source"]["id"], "event": entry["event"]}
        for name in order:  # configuration order: reports never depend on timing
            state = states[name]
            if state["status"] in (*DONE, "failed"):  # failed waits for `outbox --retry`
                continue
            channel = by_name.get(name)
            if channel is None:  # removed from the configuration: nobody to send to
                state.update(status="dropped", error="channel no longer configured")
            elif name in down:
                out.append(Delivery(**common, channel=name, status="pending", error=down[name]))
                continue
            else:
                status, error, tries = await self._send(channel, send, courier)
                state["attempts"] += tries
                state.update(status=status, error=error)
                if status == "sent":
                    state["sent_at"] = isoformat(utcnow())
                elif status == "pending":
                    down[name] = error or "unavailable"
                out.append(
                    Delivery(**common, channel=name, status=status, error=error, attempts=tries)
                )
            atomic_write(path, _dumps(entry))  # at once: a sent channel is never sent again
            self._record(entry)
        self._file_if_done(entry, path)
        return out

    async def _send(
        self, channel: Channel, msg: Mapping[str, Any], courier: Courier
    ) -> tuple[str, str | None, int]:
        """Send with the retry policy; (sent | pending | failed, error, attempts)."""
        tries = 0

        async def once() -> None:
            nonlocal tries
            tries += 1
            await channel.send(msg, courier)

        try:
            await self.policy.run(once)
        except DeliveryError as exc:
            return ("pending" if exc.transient else "failed"), exc.reason, tries
        except Exception as exc:  # building or sending this message failed: it alone
            log.warning("%s %s cannot send message %s", channel.kind, channel.name, msg["id"])
            return "failed", f"{channel.kind} {channel.name!r}: {_describe(exc)}", tries
        return "sent", None, tries

    # -- files ---------------------------------------------------------------------------

    def _record(self, entry: Mapping[str, Any]) -> None:
        """Keep a change's delivery state in its version folder, where the queue is rebuilt from."""
        path = _version_record(self.state_dir, entry)
        if path is not None and path.parent.is_dir():
            record = {"id": entry["id"], "deliveries": entry["deliveries"]}
            atomic_write(path, _dumps(record), sync=False)

    def _file_if_done(self, entry: Mapping[str, Any], path: Path) -> None:
        if all(s["status"] in DONE for s in entry["deliveries"].values()):
            self.sent_dir.mkdir(parents=True, exist_ok=True)
            os.replace(path, self.sent_dir / path.name)

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


def _version_record(state_dir: Path, entry: Mapping[str, Any]) -> Path | None:
    source = entry.get("source") or {}
    if entry.get("event") != "change" or not source.get("version"):
        return None
    return deliveries_path(state_dir, source["id"], source["version"])


def _describe(exc: Exception) -> str:
    """Why a message could not be built or sent, without what a secret could leak into."""
    if isinstance(exc, (ValueError, TypeError)) and not isinstance(exc, UnicodeError):
        first = (str(exc).strip().splitlines() or [""])[0]
        return f"this message cannot be sent: {type(exc).__name__}: {first}"
    return f"this message cannot be sent: {type(exc).__name__}"


def _load(path: Path) -> dict[str, Any] | None:
    """A queued entry or an alert, or None if it cannot be read or is not one."""
    try:
        data: Any = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    ok = (
        isinstance(data, dict)
        and isinstance(data.get("id"), str)
        and isinstance(data.get("event"), str)
        and isinstance(data.get("source"), dict)
        and isinstance(data["source"].get("id"), str)
        and isinstance(data.get("deliveries", {}), dict)
        and all(isinstance(s, dict) and "status" in s for s in data.get("deliveries", {}).values())
    )
    if not ok:
        return None
    for state in data.get("deliveries", {}).values():
        state.setdefault("attempts", 0)
        state.setdefault("error", None)
    entry: dict[str, Any] = data
    return entry


def _load_record(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("id"), str):
        return None
    deliveries = data.get("deliveries")
    if not isinstance(deliveries, dict) or not all(
        isinstance(s, dict) for s in deliveries.values()
    ):
        return None
    return data


def _fresh() -> dict[str, Any]:
    return {"status": "pending", "attempts": 0, "error": None, "sent_at": None}


def _dumps(data: Any) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")
