"""Run tracker in a real pseudo-terminal, as a person at a terminal sees it."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Screen:
    code: int
    raw: str  # every byte written, escapes included


class Session:
    """``python -m tracker ARGS`` running with stdout and stderr on a terminal 120 columns
    wide; :meth:`expect` waits for what it writes, :meth:`end` for its exit."""

    def __init__(self, *args: str | Path, env: dict[str, str] | None = None) -> None:
        self.master, slave = pty.openpty()
        environ = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "120"}
        environ["TERM"] = "xterm-256color"
        environ.pop("NO_COLOR", None)
        environ.pop("FORCE_COLOR", None)
        environ.update(env or {})
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tracker", *map(str, args)],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=environ,
            close_fds=True,
        )
        os.close(slave)
        self.raw = b""
        self.closed = False

    def _read(self, timeout: float) -> bool:
        """Read what is there within ``timeout`` s; False once the other side closed."""
        if self.closed:
            return False
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return True
        try:
            chunk = os.read(self.master, 65536)
        except OSError:  # EIO: the terminal's other side closed
            chunk = b""
        if not chunk:
            self.closed = True
            os.close(self.master)
            return False
        self.raw += chunk
        return True

    def expect(self, pattern: str, timeout: float = 30) -> str:
        """Wait until the output matches ``pattern`` (a regex); the output so far."""
        deadline = time.monotonic() + timeout
        while not re.search(pattern, self.text):
            left = deadline - time.monotonic()
            if left <= 0 or (not self._read(min(left, 0.5)) and not re.search(pattern, self.text)):
                raise AssertionError(f"never saw {pattern!r} in {self.text!r}")
        return self.text

    @property
    def text(self) -> str:
        return self.raw.decode("utf-8", "replace")

    def end(self, timeout: float = 60) -> Screen:
        deadline = time.monotonic() + timeout
        while self._read(max(0.0, deadline - time.monotonic())):
            if time.monotonic() > deadline:
                self.proc.kill()
                break
        return Screen(self.proc.wait(timeout), self.text)


def in_pty(*args: str | Path, env: dict[str, str] | None = None, timeout: float = 60) -> Screen:
    """``python -m tracker ARGS`` on a terminal, to its end."""
    return Session(*args, env=env).end(timeout)
