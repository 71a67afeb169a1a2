"""The daemon's HTTP clients: one for the current settings, older ones kept until unused.

A reload may change what a client is built with (timeouts, limits, the User-Agent).
New checks take a client made with the new settings; a check in flight keeps the
one it started with, which is closed once no check uses it.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from ..config import Settings
from ..sources.http import Fetcher


class Clients:
    def __init__(self) -> None:
        self._users: dict[Fetcher, int] = {}  # each open client: checks using it now
        self.current: Fetcher | None = None  # the one new checks take

    async def renew(self, settings: Settings) -> None:
        """Open a client for ``settings``; the ones before close once no check uses them."""
        fetcher = Fetcher(settings)
        await fetcher.__aenter__()
        self._users[fetcher] = 0
        self.current = fetcher
        await self._close_idle()

    @contextlib.asynccontextmanager
    async def borrow(self) -> AsyncIterator[Fetcher | None]:
        """The current client for one check (None once closed)."""
        fetcher = self.current
        if fetcher is None:
            yield None
            return
        self._users[fetcher] += 1
        try:
            yield fetcher
        finally:
            if fetcher in self._users:  # not closed meanwhile (a daemon stopping)
                self._users[fetcher] -= 1
                await self._close_idle()

    def open(self) -> list[Fetcher]:
        """The clients still open, oldest first."""
        return list(self._users)

    async def close(self) -> None:
        for fetcher in list(self._users):
            with contextlib.suppress(Exception):
                await fetcher.__aexit__(None, None, None)
        self._users.clear()
        self.current = None

    async def _close_idle(self) -> None:
        for old, users in list(self._users.items()):
            if old is not self.current and users == 0:
                del self._users[old]
                with contextlib.suppress(Exception):
                    await old.__aexit__(None, None, None)
