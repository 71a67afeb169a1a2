"""The one interface every way of getting a page implements, and the registry of them.

A check asks its source's getter for the page (:meth:`Getter.fetch`, on the
event loop), then reads it (:meth:`Getter.read`, in the parse thread: it
only reads).  When reading finds no agreement text, the getter may try
another way once (:meth:`Getter.fallback`: a page rendered in a browser).
Everything after the reading (comparing, recording, alerting) is the same
whatever the kind.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from ..config import Options
from ..errors import ExtractError
from . import waiting

if TYPE_CHECKING:
    from ..config import Source
    from ..model import Page, Reading
    from ..store.state import State
    from .browser import Browser
    from .http import Fetcher


@dataclass(frozen=True)
class Context:
    """What getters share over one run: the HTTP client and the browser (started if used)."""

    fetcher: Fetcher
    browser: Browser | None = None


class Getter:
    kind: ClassVar[str]
    options: ClassVar[type[Options]] = Options  # the kind's own keys in a [[source]]

    def conditional(self, source: Source, state: State) -> bool:
        """Whether a 304 or the same bytes as last time mean the same text."""
        return True

    async def fetch(
        self, source: Source, state: State, ctx: Context, etag: str | None, modified: str | None
    ) -> Page:
        raise NotImplementedError

    def read(self, page: Page, source: Source) -> Reading:
        """The agreement text of ``page``, or a SourceError saying why there is none."""
        raise NotImplementedError

    async def fallback(
        self, page: Page, source: Source, ctx: Context, error: ExtractError
    ) -> Page | None:
        """Another way to get the page once reading it found no text; None: there is none."""
        return None


_REGISTRY: dict[str, Getter] = {}


def register(cls: type[Getter]) -> type[Getter]:
    _REGISTRY[cls.kind] = cls()
    return cls


def kinds() -> dict[str, type[Options]]:
    """Every registered kind, with the settings class its ``[[source]]`` tables are read into."""
    return {kind: getter.options for kind, getter in sorted(_REGISTRY.items())}


def getter_for(source: Source) -> Getter:
    return _REGISTRY[source.kind]


async def read_page(
    getter: Getter, page: Page, source: Source, ctx: Context, executor: Executor | None = None
) -> tuple[Page, Reading]:
    """Read ``page`` off the event loop; with no text in it, the getter's other way, once.

    ``executor`` is where reading runs (a check's parse thread); None is the loop's default.
    """
    loop = asyncio.get_running_loop()
    try:
        return page, await loop.run_in_executor(executor, waiting.queued(getter.read), page, source)
    except ExtractError as exc:
        other = await getter.fallback(page, source, ctx, exc)
        if other is None:
            raise
    return other, await loop.run_in_executor(executor, waiting.queued(getter.read), other, source)


async def fetch_in_full(source: Source, state: State, ctx: Context) -> tuple[Page, Reading]:
    """The page without validators (to read it whole, not to learn it is unchanged), read."""
    getter = getter_for(source)
    page = await getter.fetch(source, state, ctx, None, None)
    return await read_page(getter, page, source, ctx)
