"""``tracker accept SOURCE``: record the page the last check refused, because the user says so.

A check refuses a page it has read when it does not look like the agreement
(another document, a "not found" page, a capture cut short).  Sometimes the
user knows better: the URL was right, the agreement really was replaced.
``accept`` fetches the page again and records it as the source's new version,
without an alert (origin ``accepted``), but only if it is still the very page
that was refused (the same comparison key, so page chrome may differ): what
the user accepts is what they were shown, never whatever the site serves now.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from ..compare.segment import numbered, segment
from ..compare.verdict import compared
from ..config import Config, Source
from ..errors import Refused
from ..model import Origin, Page, Reading, Status
from ..sources import Context, fetch_in_full
from ..sources.browser import Browser
from ..sources.http import Fetcher
from ..stamps import sha256
from ..store.state import State
from .bookkeeping import Bookkeeping
from .events import Listener
from .record import version_meta


class NotAccepted(Refused):
    """Nothing was recorded; the message says why, in one line."""


@dataclass(frozen=True)
class Accepted:
    version: str
    url: str
    clauses: int
    characters: int


def accept(config: Config, source: Source, listeners: Sequence[Listener]) -> Accepted:
    """Record the refused page of ``source``; raise NotAccepted or SourceError otherwise."""
    settings = config.settings
    store = settings.opened_store().source(source.id, settings.lock_timeout)
    if store.read_state().refused is None:
        raise NotAccepted(f"{source.id}: the last check refused no page; nothing to accept")
    page, reading = asyncio.run(_fetch(config, source, store.read_state()))
    key = compared(reading.text, source.ignore).key
    books = Bookkeeping(source, config, store, listeners)
    with store.lock():
        state = store.read_state()  # a check may have run meanwhile
        if state.refused != key:
            raise NotAccepted(
                f"{source.id}: the page at {page.url} is no longer the one the last check "
                "refused; nothing recorded (run tracker check to see what it is now)"
            )
        latest = store.versions.latest()
        body_hash = sha256(page.body)
        meta = {
            **version_meta(page, body_hash, reading),
            "follows": state.follows,
            "origin": Origin.ACCEPTED,
            "previous": latest.name if latest else None,
            "refused_because": state.last_error,
        }
        version = store.record(reading.text, meta, reading.packed)
        state.version = version.name
        books.succeeded(state, page, body_hash, Status.ACCEPTED, version.name, form_hash=key)
    return Accepted(version.name, page.url, numbered(segment(reading.text)), len(reading.text))


async def _fetch(config: Config, source: Source, state: State) -> tuple[Page, Reading]:
    """The page again, in full (the refused page was read whole), read as a check reads it."""
    async with Fetcher(config.settings) as fetcher, Browser(config.settings) as browser:
        return await fetch_in_full(source, state, Context(fetcher, browser))
