"""A source's history as rows: every recorded version, with its origin and what it said.

Read through :class:`~tracker.store.versions.Versions`: each version's origin
(``baseline``, ``fetch``, ``upgrade``, ``accepted``), its flags, and the message
recorded with it when it was a change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..model import Origin
from ..stamps import recorded_at
from .base import History
from .versions import Version

_FLAGS = ("large_removal", "replaced", "relinked", "date_only", "silent_edit", "backdated")


@dataclass(frozen=True)
class Entry:
    """One recorded version, as ``tracker history`` lists it."""

    source: str
    version: str
    time: str  # when it was recorded, UTC
    origin: str
    flags: tuple[str, ...] = ()
    changes: int = 0
    severity: str | None = None
    watches: tuple[str, ...] = ()
    settings: tuple[str, ...] = ()  # an upgrade: the settings that changed
    how: str | None = None  # an upgrade: "reread" (the stored page) or "fetch"
    first_seen: str | None = None  # when the check that recorded it first saw this text
    last_seen: str | None = None  # when the text before it was last seen

    def to_json(self) -> dict[str, object]:
        return {
            "source": self.source,
            "version": self.version,
            "time": self.time,
            "origin": self.origin,
            "flags": list(self.flags),
            "changes": self.changes,
            "severity": self.severity,
            "watches": list(self.watches),
            "settings": list(self.settings),
            "how": self.how,
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
        }


def entry(source_id: str, version: Version) -> Entry:
    meta = version.meta
    message = version.message
    changes = message.outcome.changes if message else ()
    watches = tuple(dict.fromkeys(w for c in changes for w in c.watches))
    upgrade: dict[str, Any] = meta["upgrade"] if isinstance(meta.get("upgrade"), dict) else {}
    return Entry(
        source=source_id,
        version=version.name,
        time=recorded_at(version.name),
        origin=str(meta.get("origin", Origin.FETCH)),
        flags=tuple(f for f in _FLAGS if meta.get(f)),
        changes=len(changes),
        severity=message.severity if message else None,
        watches=watches,
        settings=tuple(upgrade.get("settings") or ()),
        how=upgrade.get("how"),
        first_seen=_stamp(meta.get("first_seen") or meta.get("fetched_at")),
        last_seen=_stamp(meta.get("previous_last_seen")),
    )


def _stamp(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def entries(source_id: str, versions: History) -> list[Entry]:
    """Every version of a source, newest first."""
    return [entry(source_id, versions.get(name)) for name in reversed(versions.names())]


def latest_change(versions: History) -> Version | None:
    """The newest version that recorded a change, if any."""
    for name in reversed(versions.names()):
        version = versions.get(name)
        if version.message is not None:
            return version
    return None


def last_change(source_id: str, versions: History) -> Entry | None:
    """The newest change as a history row, if any."""
    version = latest_change(versions)
    return entry(source_id, version) if version is not None else None
