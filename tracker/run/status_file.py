"""The daemon's status file: what ``tracker status`` shows about a running daemon.

Its pid, when it started, its configuration, and each source's next run.  It
is informational, so it is written at most every few seconds and never synced:
its cost must not grow with checks × sources.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import time
from collections.abc import Callable
from pathlib import Path

from ..stamps import isoformat, utcnow
from ..store import layout
from ..store.daemon import DaemonStatus
from ..store.files import atomic_write

STATUS_EVERY = 3.0  # seconds between two writes of the status file, at least


class StatusFile:
    def __init__(self, state_dir: Path, started: str, config: str) -> None:
        self.path = layout.daemon_status(state_dir)
        self.started, self.config = started, config
        self._written = 0.0  # monotonic time of the last write
        self._later: asyncio.TimerHandle | None = None

    def write(self, next_runs: Callable[[], dict[str, str]], force: bool = False) -> None:
        """Write now if due (or ``force``); else once it is due, with the runs as they are then."""
        wait = STATUS_EVERY - (time.monotonic() - self._written)
        if not force and wait > 0:
            if self._later is None:
                loop = asyncio.get_running_loop()
                self._later = loop.call_later(wait, self.write, next_runs, True)
            return
        if self._later is not None:
            self._later.cancel()
            self._later = None
        self._written = time.monotonic()
        status = DaemonStatus(
            os.getpid(), self.started, self.config, isoformat(utcnow()), next_runs()
        )
        data = (json.dumps(status.to_json(), ensure_ascii=False, indent=2) + "\n").encode()
        with contextlib.suppress(OSError):
            atomic_write(self.path, data, sync=False)

    def remove(self) -> None:
        if self._later is not None:
            self._later.cancel()
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
