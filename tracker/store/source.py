"""One source's record on disk: versions that are never torn, state that survives a kill.

Where each file lives is :mod:`tracker.store.layout`'s to say.  A version is written
into a hidden temporary folder and renamed into place, so it appears whole or not at
all.  ``state.json`` is replaced atomically.  The latest version is found by listing
``versions/`` (names only), so a run killed between writing a version and updating the
state loses nothing.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..errors import LockTimeout
from ..message import Message
from ..stamps import isoformat, name_stamp, parsed, sha256, utcnow
from . import flock, layout
from .files import atomic_write, dumps, fsync_dir, write
from .layout import TMP_PREFIX
from .state import State
from .versions import Version, Versions


def next_name(names: list[str], when: datetime | None = None) -> str:
    """The name of the version recorded after ``names``: its number, then its second."""
    seq = int(names[-1].split("_", 1)[0]) + 1 if names else 1
    return f"{seq:04d}_{name_stamp(when or utcnow())}"


def pack(raw: bytes) -> bytes:
    """A raw page as :meth:`SourceStore.record` keeps it (``page.html.gz``)."""
    return gzip.compress(raw, compresslevel=1, mtime=0)


STATE_FIELDS = tuple(f.name for f in fields(State) if f.name != "last_check")


class SourceStore:
    """The on-disk record of one source."""

    def __init__(self, state_dir: Path, source_id: str, lock_timeout: float = 30.0) -> None:
        self.dir = layout.source_dir(state_dir, source_id)
        self.versions_dir = layout.versions_dir(self.dir)
        self.versions = Versions(self.dir)  # the history queries
        self.state_path = layout.state_file(self.dir)
        self.lock_timeout = lock_timeout
        self._as_read: dict[str, Any] | None = None  # the state file's content, as last read

    # -- locking -------------------------------------------------------------------

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the source's lock, or fail clearly after ``lock_timeout`` seconds."""
        # The lock file stays between runs: nothing to create, or probe, on the next one.
        try:
            fd = flock.acquire(layout.lock_file(self.dir), self.lock_timeout)
        except flock.Busy:
            raise LockTimeout(
                f"state is locked by another tracker process (waited {self.lock_timeout:g}s "
                f"for {self.dir / '.lock'})"
            ) from None
        self.versions.held = True
        try:
            self._sweep_temporaries()  # what a run killed while holding it left behind
            yield
        finally:
            self.versions.held = False
            self.versions.forget()
            flock.release(fd)

    # -- state ---------------------------------------------------------------------

    def read_state(self) -> State:
        """The state as last written; ``last_check`` is the file's modification time.

        A check that finds nothing new only touches the file (see :meth:`touch_state`),
        so a file touched since it was written means the last check was unchanged.
        """
        self._as_read = None
        try:
            stat = self.state_path.stat()
            data = json.loads(self.state_path.read_text("utf-8"))
        except (OSError, ValueError):  # ValueError covers bad JSON and bad UTF-8
            return State()  # written atomically: only a hand edit, or no folder, spoils it
        if not isinstance(data, dict):
            return State()
        written = data.pop("written", None)
        self._as_read = data
        state = State.from_json(data)
        checked = isoformat(datetime.fromtimestamp(stat.st_mtime, UTC))
        state.checked_at(checked, touched=stat.st_mtime_ns != written)
        return state

    def touch_state(self) -> None:
        """Mark a check that changed nothing: the state file's time is the last check."""
        with contextlib.suppress(FileNotFoundError):
            os.utime(self.state_path)

    def write_state(self, state: State) -> None:
        """Save the state after a check (callers hold the lock).

        When only the check time changed, the file is just touched.  Otherwise it
        is replaced atomically but not synced: losing it to a power cut costs one
        full fetch, never a change (changes are synced).  The file's modification
        time is set to a whole second also written inside it, so that a later
        touch shows (see :meth:`read_state`).
        """
        data = {k: getattr(state, k) for k in STATE_FIELDS}
        if data == self._as_read and self.state_path.exists():
            self.touch_state()
            return
        # The check's own second (``last_check``, as last_seen and the result say it), so
        # that the file's time and the times written inside it agree across a second's turn.
        checked = parsed(state.last_check)
        written = int(checked.timestamp()) if checked else time.time_ns() // 10**9
        written *= 10**9
        payload = dumps({**data, "written": written}).encode("utf-8")
        atomic_write(self.state_path, payload, sync=False, mtime_ns=written)
        self._as_read = data

    # -- versions --------------------------------------------------------------------

    def next_name(self, when: datetime | None = None) -> str:
        """The name the next recorded version will have."""
        return next_name(self.versions.names(), when)

    def try_checking(self) -> bool:
        """Always: one daemon per folder (``daemon.lock``), and a cron check beside it
        waits for the source's lock to record."""
        return True

    def done_checking(self) -> None:
        pass

    def exists(self) -> bool:
        """Whether anything was ever recorded or checked for this source."""
        return self.dir.is_dir()

    def record(
        self,
        text: str,
        meta: dict[str, Any],
        page: bytes | None,
        message: Message | None = None,
        name: str | None = None,
    ) -> Version:
        """Write a new version; it becomes visible in one rename.

        ``page`` is the raw page as :func:`pack` made it (the caller packs it, off
        the recording thread).  ``message`` (what changed since the previous
        version) is written inside the same rename, so a recorded change always
        has its message.  A change is synced to disk before it is renamed into
        place, so a power cut cannot lose it.  A first version is not: losing it
        costs one re-recorded baseline, never an alert, and
        :meth:`latest` skips it if it was torn.  A killed process needs only the
        rename, so neither is ever seen half-written.
        """
        name = name or self.next_name()
        self.versions_dir.mkdir(parents=True, exist_ok=True)
        meta = {"version": name, **meta, "text_hash": sha256(text)}
        durable = message is not None
        tmp = Path(tempfile.mkdtemp(prefix=TMP_PREFIX, dir=self.versions_dir))
        try:
            write(tmp / "text.md", text.encode("utf-8"), durable)
            write(tmp / "meta.json", dumps(meta).encode("utf-8"), durable)
            if message is not None:
                write(layout.message_path(tmp), dumps(message.to_json()).encode("utf-8"), durable)
            if page is not None:
                write(tmp / "page.html.gz", page, durable)
            if durable:
                fsync_dir(tmp)
            os.replace(tmp, self.versions_dir / name)
            self.versions.noted(name)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        if durable:
            fsync_dir(self.versions_dir)
        return Version(name, meta, self.versions.parts)

    def _sweep_temporaries(self) -> None:
        """Remove what a killed run left half-written: versions, and states (damaged versions
        are kept elsewhere).  Callers hold the lock: nobody else writes here now.

        The listing of ``versions/`` is the one :meth:`Versions.names` would make next, so
        it is kept for the lock's time; a new source's folder, with no ``versions/`` in it,
        needs no second listing to say it has none.
        """
        found = _swept(self.dir)
        names = _swept(self.versions_dir) if self.versions_dir.name in found else []
        self.versions.primed(layout.ordered_versions(names))


def _swept(folder: Path) -> list[str]:
    """The names in ``folder`` once its temporaries are removed ([] if there is no folder)."""
    kept = []
    with contextlib.suppress(FileNotFoundError):
        for entry in os.scandir(folder):
            if not entry.name.startswith(TMP_PREFIX):
                kept.append(entry.name)
            elif entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)
            else:
                os.unlink(entry.path)
    return kept
