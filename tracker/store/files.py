"""Writing files so that readers see the old or the new one, whole, and nothing in between.

Plain system calls (``os.open``/``os.write``), because every buffered layer
costs calls the recording thread pays for in interpreter-lock handoffs.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from .layout import TMP_PREFIX


def atomic_write(path: Path, data: bytes, sync: bool = True, mtime_ns: int | None = None) -> None:
    """Replace ``path`` with ``data`` so that readers see the old or the new file, whole.

    ``sync`` also makes it survive a power cut; a killed process needs only the rename.
    The data is first written under a new unique name, created exclusively: a link
    planted where a temporary file would go is never followed.
    """
    fd, name = tempfile.mkstemp(prefix=TMP_PREFIX, dir=path.parent)
    try:
        _fill(fd, data, sync)
        if mtime_ns is not None:
            os.utime(name, ns=(mtime_ns, mtime_ns))
        os.replace(name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(name)
        raise
    if sync:
        fsync_dir(path.parent)


# Files of a version are written inside a folder made for it alone (mkdtemp); a link there
# is still never followed.
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC | os.O_NOFOLLOW


def write(path: Path, data: bytes, sync: bool) -> None:
    _fill(os.open(path, _CREATE, 0o644), data, sync)


def _fill(fd: int, data: bytes, sync: bool) -> None:
    """Write all of ``data`` to ``fd`` and close it (plain system calls: no buffering needed)."""
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        if sync:
            os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(path: Path) -> None:
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


def dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
