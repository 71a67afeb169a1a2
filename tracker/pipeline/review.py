"""Two stored versions judged as a check judges a new reading: what ``tracker diff`` shows.

The later version is read back as a reading and handed to :func:`decide` with
the earlier one as the latest version, and with the watches' follow state as it
stood right after the earlier one was recorded: a watch that had followed its
clause from 9.2 to 10.2 fires on 10.2 here as it did in the check.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..compare.changes import diff
from ..compare.promises import Promise
from ..compare.severity import follow
from ..config import Config, Source, Watch
from ..model import Origin, Reading
from ..stamps import local_day
from ..store.base import History
from ..store.state import State
from ..store.versions import Version
from .decide import Decision, decide
from .incorporation import incorporators


@dataclass
class Review:
    """Two stored versions compared, and what a check would make of the later one."""

    older: Version
    newer: Version
    decision: Decision
    notes: list[str] = field(default_factory=list)


def review(
    versions: History, older: Version, newer: Version, source: Source, config: Config
) -> Review:
    """What changed from ``older`` to ``newer``, decided as a check decides it (the
    incorporating agreements' promises as they stand now)."""

    def elsewhere() -> tuple[tuple[str, Promise], ...]:
        return incorporators(config, source).promised

    state = State(follows=follows_at(versions, older.name, source, config.watches))
    seen = newer.meta.get("first_seen") or newer.meta.get("fetched_at")
    day = local_day(seen if isinstance(seen, str) else None, source.timezone)
    decision = decide(older, as_reading(newer), source, config, state, day, elsewhere)
    found = Review(older, newer, decision)
    if decision.refusal is not None:
        found.notes.append(f"a check would refuse {newer.name}: {decision.refusal.reason}")
    names = versions.names()
    between = names[names.index(older.name) + 1 : names.index(newer.name) + 1]
    for name in between:
        if versions.get(name).meta.get("origin") == Origin.UPGRADE:
            found.notes.append(
                f"version {name} is an upgrade (the source's settings changed): part of this "
                "difference is how the page is read, not what it says"
            )
    return found


def as_reading(version: Version) -> Reading:
    """A stored version as the reading it was recorded from."""
    meta = version.meta
    settings = meta.get("settings")
    return Reading(
        text=version.text,
        title=meta.get("title"),
        codec=str(meta.get("charset") or ""),
        packed=b"",
        url=str(meta.get("url") or ""),
        settings=settings if isinstance(settings, dict) else {},
    )


def follows_at(
    versions: History, name: str, source: Source, watches: tuple[Watch, ...]
) -> dict[str, dict[str, str]]:
    """Where the watches' clauses stood right after version ``name`` was recorded.

    Versions record it (``follows`` in their meta); for versions recorded before
    they did, it is replayed from the nearest earlier version that does (or from
    the first), following each recorded change's renumbering as the check did.
    """
    names = versions.names()
    upto = names[: names.index(name) + 1]
    start, follows = 0, {}
    for k in range(len(upto) - 1, -1, -1):
        stored = versions.get(upto[k]).meta.get("follows")
        if isinstance(stored, dict):
            start, follows = k + 1, {w: dict(m) for w, m in stored.items() if isinstance(m, dict)}
            break
    previous = versions.get(upto[start - 1]) if start else None
    for step in upto[start:]:
        version = versions.get(step)
        if previous is not None:
            changes = diff(previous.text, version.text, source.ignore)
            follows = follow(changes, source.id, watches, follows)
        previous = version
    return follows
