"""Run tracker in a real pseudo-terminal, as a person at a terminal sees it."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Screen:
    code: int
    raw: str  # every byte written, escapes included


def in_pty(*args: str | Path, env: dict[str, str] | None = None, timeout: float = 60) -> Screen:
    """``python -m tracker ARGS`` with stdout and stderr on a terminal 120 columns wide."""
    master, slave = pty.openpty()
    os.set_blocking(master, True)
    environ = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "120", "TERM": "xterm-256color"}
    environ.pop("NO_COLOR", None)
    environ.pop("FORCE_COLOR", None)
    environ.update(env or {})
    proc = subprocess.Popen(
        [sys.executable, "-m", "tracker", *map(str, args)],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=environ,
        close_fds=True,
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the terminal's other side closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    code = proc.wait(timeout)
    return Screen(code, b"".join(chunks).decode("utf-8", "replace"))
