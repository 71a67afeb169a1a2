"""The daemon's report: rebuilt after its checks, one build at a time, at most every few seconds.

Checks finish one source at a time; rebuilding the whole site after each
would cost more than the checks.  A check asks for a refresh; requests that
come while a build runs, or within ``EVERY`` seconds of the last one, are
served by one build that starts when it is due, so the report is never more
than a few seconds behind the last check.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable

from ...config import Config
from .build import refresh

EVERY = 5.0  # seconds between two builds, at least

log = logging.getLogger("tracker.run.daemon")


class Refresher:
    def __init__(self, config: Callable[[], Config]) -> None:
        self.config = config  # the configuration as it is now (the daemon reloads it)
        self._wanted = False
        self._last = float("-inf")  # monotonic time the last build started
        self._task: asyncio.Task[None] | None = None

    def request(self) -> None:
        """Ask for the report to show the latest checks (nothing when no report_dir is set)."""
        if self.config().settings.report_dir is None:
            return
        self._wanted = True
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while self._wanted:
            wait = EVERY - (time.monotonic() - self._last)
            if wait > 0:
                await asyncio.sleep(wait)
            self._wanted = False
            self._last = time.monotonic()
            if problem := await asyncio.to_thread(refresh, self.config()):
                log.warning("%s", problem)

    async def close(self) -> None:
        """Drop a refresh not yet started (a build under way switches whole or not at all)."""
        if self._task is not None and not self._task.done():
            self._wanted = False
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
