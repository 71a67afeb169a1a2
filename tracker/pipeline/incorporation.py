"""The tracked agreements that incorporate a source: read from their latest versions.

A change of 《腾讯云服务协议》 is a change of what the developer agreement's readers agreed
to, since the developer agreement links it by name; and the notice the developer
agreement promises (2.7: ten natural days before charging) covers it too.  Only a
recorded change asks this (it reads other sources' latest texts): an unchanged page
never does.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from ..compare.incorporated import cited
from ..compare.promises import Promise, promises
from ..config import Config, Source
from ..meaning import Incorporation
from ..store.versions import Versions
from ..text.links import document
from ..text.markdown import from_markdown

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Incorporators:
    by: tuple[Incorporation, ...] = ()
    promised: tuple[tuple[str, Promise], ...] = ()  # (agreement, promise) of each of them


def incorporators(config: Config, source: Source) -> Incorporators:
    """The other tracked agreements whose latest text links ``source`` by name."""
    mine = document(source.url)
    by: list[Incorporation] = []
    promised: list[tuple[str, Promise]] = []
    for other in config.sources:
        if other.id == source.id or (text := latest_text(config, other)) is None:
            continue
        places = [c.where for c in cited(text, other.ignore) if c.document == mine]
        if places:
            by.append(Incorporation(other.id, other.name, places[0]))
            promised += [(other.name, p) for p in promises(text, other.ignore)]
    return Incorporators(tuple(by), tuple(promised))


def latest_text(config: Config, source: Source) -> str | None:
    """A source's latest recorded text, else its baseline file's; None if neither is read."""
    try:
        versions = Versions.of(config.settings.state_dir, source.id)
        if names := versions.names():
            return versions.get(names[-1]).text
        if source.baseline is not None:
            return from_markdown(Path(source.baseline).read_text("utf-8"))
    except (OSError, ValueError) as exc:  # its folder is its own problem: this source goes on
        log.warning("cannot read %s's latest version: %s", source.id, exc)
    return None
