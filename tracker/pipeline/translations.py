"""Language versions that drift apart: a change in one that the other never follows.

A source declared ``translation_of`` another is checked against it after every run: when
one of the two changed its wording and the other has not changed within ``drift_after``
(14 days by default) of that change, that is said once, as its own event: the message id
names the lagging source and the version that changed, so the outbox queues it once.
Only the sources' version folders are read: nothing is fetched.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..config import Config, Source
from ..meaning import Drift
from ..message import Message, Outcome
from ..model import Event, Status
from ..stamps import isoformat, local_day, parsed
from .events import Listener


@dataclass(frozen=True)
class Changed:
    version: str
    seen: datetime  # when the change was first seen


def drifted(config: Config, now: datetime) -> list[Message]:
    """The drift events due at ``now``, one per translation pair and change."""
    out = []
    for a, b, allowed in _pairs(config):
        changed = last_change(config, a)
        if changed is None or now < changed.seen + allowed:
            continue
        followed = last_change(config, b)
        if followed is not None and followed.seen >= changed.seen - allowed:
            continue  # it changed too, near enough: it followed
        day = local_day(isoformat(changed.seen), a.timezone)
        drift = Drift(b.id, b.name, a.id, a.name, str(day), changed.version, allowed.days)
        about = Outcome(
            b.id, b.name, b.shown_url, Status.UNCHANGED, severity="warning", drift=drift
        )
        mid = f"drift__{b.id}__{changed.version}"
        out.append(Message(mid, Event.DRIFT, "warning", isoformat(now), about))
    return out


def tell(config: Config, listeners: Sequence[Listener], now: datetime) -> list[Message]:
    """Tell ``listeners`` of each drift due and not said before (the lagging source's state
    keeps the last one said, under its lock); the drifts told."""
    told = []
    for message in drifted(config, now):
        store = config.settings.opened_store().source(message.outcome.id)
        with store.lock():
            state = store.read_state()
            if state.drift_said == message.id:
                continue
            for listener in listeners:
                listener.heard(message)
            state.drift_said = message.id
            store.write_state(state)
        told.append(message)
    return told


def last_change(config: Config, source: Source) -> Changed | None:
    """The newest version of ``source`` that recorded a change of wording, and when."""
    versions = config.settings.opened_store().versions(source.id)
    for name in reversed(versions.names()):
        version = versions.get(name)
        if version.message is None:
            continue
        seen = version.meta.get("first_seen") or version.meta.get("fetched_at")
        if (moment := parsed(seen if isinstance(seen, str) else None)) is not None:
            return Changed(name, moment)
    return None


def _pairs(config: Config) -> Iterator[tuple[Source, Source, timedelta]]:
    """(changed, lagging, allowed) for both directions of each declared translation."""
    for tr in config.sources:
        if tr.translation_of is None:
            continue
        original = config.source(tr.translation_of)
        allowed = timedelta(seconds=tr.drift_after)
        yield original, tr, allowed
        yield tr, original, allowed
