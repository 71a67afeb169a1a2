"""The tracked agreements that incorporate a source: read from their latest versions.

A change of 《腾讯云服务协议》 is a change of what the developer agreement's readers agreed
to, since the developer agreement links it by name; and the notice the developer
agreement promises (2.7: ten natural days before charging) covers it too.  Only a
recorded change asks this (it reads other sources' latest texts): an unchanged page
never does.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import Config, Source
from ..meaning import Incorporation
from ..store.versions import Version
from ..text.links import document
from ..text.markdown import from_markdown

if TYPE_CHECKING:
    from ..compare.promises import Promise

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Incorporators:
    by: tuple[Incorporation, ...] = ()
    promised: tuple[tuple[str, Promise], ...] = ()  # (agreement, promise) of each of them


class Citations:
    """Which tracked agreements link which documents, for a whole run.

    The first change a run records reads, once, the documents every other agreement's
    latest version links (a handful of strings each, kept in its metadata); each later
    change is then a lookup.  Asked afresh per change, a run recording fifty changes among a
    thousand sources would read fifty thousand texts.  Only an agreement that links the
    changed one is segmented, to say where it links it and what notice it promises.
    Versions recorded later in the run update their own entry (:meth:`recorded`).
    """

    def __init__(self, config: Config) -> None:
        self.config = config
        self._links: dict[str, frozenset[str]] | None = None
        self._lock = threading.Lock()  # the record thread asks; a daemon may share one

    def of(self, source: Source) -> Incorporators:
        """The other tracked agreements whose latest text links ``source`` by name."""
        from ..compare.incorporated import cited  # a run of 304s never asks
        from ..compare.promises import promises

        mine = document(source.url)
        with self._lock:
            if self._links is None:
                self._links = {o.id: _links(self.config, o) for o in self.config.every_source}
            linking = [
                other
                for other in self.config.every_source
                if other.id != source.id and mine in self._links.get(other.id, ())
            ]
        by: list[Incorporation] = []
        promised: list[tuple[str, Promise]] = []
        for other in linking:  # rare: the few agreements that link this one at all
            if (text := latest_text(self.config, other)) is None:
                continue
            places = [c.where for c in cited(text, other.ignore) if c.document == mine]
            if places:
                by.append(Incorporation(other.id, other.name, places[0]))
                promised += [(other.name, p) for p in promises(text, other.ignore)]
        return Incorporators(tuple(by), tuple(promised))

    def recorded(self, source: Source, text: str) -> None:
        """``source`` recorded ``text`` as its latest version: later lookups read it."""
        from ..compare.incorporated import linked

        with self._lock:
            if self._links is not None:
                self._links[source.id] = linked(text)


def _links(config: Config, source: Source) -> frozenset[str]:
    """The documents ``source``'s latest version links: kept in its metadata (a small
    file), else read from its text (a version recorded before versions kept them)."""
    from ..compare.incorporated import linked

    try:
        kept = latest.meta.get("links") if (latest := _latest(config, source)) else None
        if isinstance(kept, list) and all(isinstance(d, str) for d in kept):
            return frozenset(kept)
    except OSError:
        pass  # latest_text says why, once
    return linked(latest_text(config, source) or "")


def incorporators(config: Config, source: Source) -> Incorporators:
    """The other tracked agreements whose latest text links ``source`` by name."""
    return Citations(config).of(source)


def latest_text(config: Config, source: Source) -> str | None:
    """A source's latest recorded text, else its baseline file's; None if neither is read."""
    try:
        if (latest := _latest(config, source)) is not None:
            return latest.text
        if source.baseline is not None:
            return from_markdown(Path(source.baseline).read_text("utf-8"))
    except (OSError, ValueError) as exc:  # its folder is its own problem: this source goes on
        log.warning("cannot read %s's latest version: %s", source.id, exc)
    return None


def _latest(config: Config, source: Source) -> Version | None:
    """A source's newest version, as named (its files are read when asked)."""
    versions = config.settings.opened_store().versions(source.id)
    names = versions.names()
    return versions.get(names[-1]) if names else None
