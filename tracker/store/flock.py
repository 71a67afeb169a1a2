"""The locks a check takes: ``flock`` on a ``.lock`` file, released by the kernel if the
holder dies (a source's, on every recorded check; the outbox's, when it delivers).

A handful of system calls: open, flock, close.  filelock (kept for the daemon's
lock and the report site's) spends a path resolution and about forty ``getpid``
calls on each acquisition for its fork and re-entrancy bookkeeping, which a check
never needs, and 13 ms of a check's start-up to import; each of those calls is
also a point where the recording thread gives up the interpreter lock to the
fetching thread.  Both take the same kind of lock on the same file, so an older
tracker and this one still exclude each other.
"""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path

POLL = 0.05  # seconds between attempts while another process holds it
_OPEN = os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW


class Busy(Exception):
    """Another holder kept the lock past the timeout."""


def acquire(path: Path, timeout: float) -> int:
    """Take the lock on ``path`` (made, with its folder, if missing) and return its file
    descriptor for :func:`release`; :class:`Busy` after ``timeout`` seconds.  A link
    planted at ``path`` is never followed (ELOOP)."""
    try:
        fd = os.open(path, _OPEN, 0o644)
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, _OPEN, 0o644)
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return fd
        except BlockingIOError:
            if time.monotonic() >= deadline:
                os.close(fd)
                raise Busy from None
            time.sleep(POLL)
        except BaseException:
            os.close(fd)
            raise


def release(fd: int) -> None:
    """Give the lock up (closing the descriptor alone would too; unlocking first is explicit)."""
    try:
        fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
