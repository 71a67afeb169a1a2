"""Snapshots on disk: versions that are never torn, state that survives a kill.

Layout, one folder per source under the state folder::

    <state_dir>/<source-id>/
        versions/0001_20261125T074600Z/   one recorded version of the agreement
            text.md                       the extracted text, readable UTF-8
            meta.json                     fetch time, final URL, status, ETag, hashes
            page.html.gz                  the raw page, to re-extract later
        state.json                        run bookkeeping: validators, failure streaks
        .lock                             held while a run compares and records

A version is written into a hidden temporary folder and renamed into place,
so it appears whole or not at all.  ``state.json`` is replaced atomically.
The latest version is found by listing ``versions/`` (names only), so a run
killed between writing a version and updating the state loses nothing.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import filelock

from .errors import LockTimeout

_VERSION_RE = re.compile(r"^(\d{4,})_(\d{8}T\d{6}Z)$")
_TMP_PREFIX = ".tmp-"


def sha256(data: str | bytes) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def utcnow() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def isoformat(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class State:
    """Bookkeeping between runs.  Losing it costs one full fetch, never a change."""

    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    fingerprint: str | None = None  # the extraction settings body_hash was processed with
    last_check: str | None = None
    last_status: str | None = None
    last_error: str | None = None
    failures: int = 0  # consecutive checks that ended in an error
    last_change: str | None = None
    shrink_hash: str | None = None  # a much shorter text seen on consecutive checks...
    shrink_count: int = 0  # ...and how many times in a row
    failing_since: str | None = None  # when the current run of failures began
    failure_alerted: bool = False  # whether that run of failures has been alerted
    extra: dict[str, Any] = field(default_factory=dict)  # room for later stages

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> State:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


@dataclass(frozen=True)
class Version:
    """One recorded version of an agreement."""

    name: str
    path: Path
    meta: dict[str, Any]

    @property
    def text(self) -> str:
        return (self.path / "text.md").read_text("utf-8")

    @property
    def alert(self) -> dict[str, Any] | None:
        """The message recorded with this version, if it was a change."""
        try:
            return json.loads((self.path / "alert.json").read_text("utf-8"))
        except FileNotFoundError:
            return None

    @property
    def raw(self) -> bytes | None:
        page = self.path / "page.html.gz"
        return gzip.decompress(page.read_bytes()) if page.exists() else None


class SourceStore:
    """The on-disk record of one source."""

    def __init__(self, state_dir: Path, source_id: str, lock_timeout: float = 30.0) -> None:
        self.dir = state_dir / source_id
        self.versions_dir = self.dir / "versions"
        self.state_path = self.dir / "state.json"
        self.lock_timeout = lock_timeout

    # -- locking -------------------------------------------------------------------

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the source's lock, or fail clearly after ``lock_timeout`` seconds."""
        self.dir.mkdir(parents=True, exist_ok=True)
        lock = filelock.FileLock(self.dir / ".lock", timeout=self.lock_timeout)
        try:
            lock.acquire()
        except filelock.Timeout:
            raise LockTimeout(
                f"state is locked by another tracker process (waited {self.lock_timeout:g}s "
                f"for {self.dir / '.lock'})"
            ) from None
        try:
            self._sweep_temporaries()
            yield
        finally:
            lock.release()

    # -- state ---------------------------------------------------------------------

    def read_state(self) -> State:
        try:
            data = json.loads(self.state_path.read_text("utf-8"))
        except (FileNotFoundError, ValueError, UnicodeDecodeError):
            return State()  # written atomically, so only a hand edit can spoil it
        return State.from_json(data) if isinstance(data, dict) else State()

    def write_state(self, state: State) -> None:
        """Replace the state (callers hold the lock)."""
        atomic_write(self.state_path, _dumps(asdict(state)).encode("utf-8"))

    # -- versions --------------------------------------------------------------------

    def version_names(self) -> list[str]:
        """Names of recorded versions, oldest first (names only: history is not loaded)."""
        try:
            names = [n for n in os.listdir(self.versions_dir) if _VERSION_RE.match(n)]
        except FileNotFoundError:
            return []
        return sorted(names, key=lambda n: int(n.split("_", 1)[0]))

    def version(self, name: str) -> Version:
        path = self.versions_dir / name
        meta = json.loads((path / "meta.json").read_text("utf-8"))
        return Version(name, path, meta)

    def latest(self) -> Version | None:
        names = self.version_names()
        return self.version(names[-1]) if names else None

    def next_name(self, when: datetime | None = None) -> str:
        """The name the next recorded version will have."""
        names = self.version_names()
        seq = int(names[-1].split("_", 1)[0]) + 1 if names else 1
        return f"{seq:04d}_{(when or utcnow()).strftime('%Y%m%dT%H%M%SZ')}"

    def record(
        self,
        text: str,
        meta: dict[str, Any],
        raw: bytes | None,
        alert: dict[str, Any] | None = None,
        name: str | None = None,
    ) -> Version:
        """Write a new version; it becomes visible in one rename.

        ``alert`` (the message describing what changed since the previous version)
        is written inside the same rename, so a recorded change always has its alert.
        """
        name = name or self.next_name()
        meta = {"version": name, **meta, "text_hash": sha256(text)}
        self.versions_dir.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=_TMP_PREFIX, dir=self.versions_dir))
        try:
            _write_synced(tmp / "text.md", text.encode("utf-8"))
            _write_synced(tmp / "meta.json", _dumps(meta).encode("utf-8"))
            if alert is not None:
                _write_synced(tmp / "alert.json", _dumps(alert).encode("utf-8"))
            if raw is not None:
                _write_synced(tmp / "page.html.gz", gzip.compress(raw, compresslevel=6, mtime=0))
            _fsync_dir(tmp)
            os.replace(tmp, self.versions_dir / name)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        _fsync_dir(self.versions_dir)
        return Version(name, self.versions_dir / name, meta)

    def _sweep_temporaries(self) -> None:
        """Remove what a killed run left half-written (only ever called under the lock)."""
        for folder in (self.dir, self.versions_dir):
            with contextlib.suppress(FileNotFoundError):
                for entry in os.scandir(folder):
                    if entry.name.startswith(_TMP_PREFIX):
                        if entry.is_dir(follow_symlinks=False):
                            shutil.rmtree(entry.path, ignore_errors=True)
                        else:
                            os.unlink(entry.path)


# -- atomic file helpers -------------------------------------------------------------


def atomic_write(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so that readers see the old or the new file, whole."""
    fd, tmp = tempfile.mkstemp(prefix=_TMP_PREFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def _write_synced(path: Path, data: bytes) -> None:
    with open(path, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot sync a directory; the rename is still atomic
    finally:
        os.close(fd)


def _dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
