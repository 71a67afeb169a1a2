"""A source's history as rows, and any two of its versions compared.

Read through the repository (:mod:`tracker.store.versions`): every recorded
version with its origin (``baseline``, ``fetch``, ``upgrade``, ``accepted``),
its flags, and what its alert said.  Comparing two versions is the same
clause diff a check makes, so ``tracker diff`` prints what ``tracker check``
printed when it recorded the change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..compare.changes import Change, diff
from ..compare.severity import Alert, assess
from ..config import Source, Watch
from ..stamps import recorded_at
from ..store.versions import Version, Versions

_FLAGS = ("large_removal", "replaced", "relinked")


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
        }


@dataclass
class Comparison:
    """Two stored versions compared, clause by clause."""

    older: Version
    newer: Version
    changes: list[Change]
    alerts: list[Alert]
    notes: list[str] = field(default_factory=list)


def entry(source_id: str, version: Version) -> Entry:
    meta = version.meta
    alert = version.alert or {}
    src = alert.get("source") or {}
    changes = src.get("changes") or []
    watches = tuple(dict.fromkeys(w for c in changes for w in c.get("watches", [])))
    upgrade: dict[str, Any] = meta["upgrade"] if isinstance(meta.get("upgrade"), dict) else {}
    return Entry(
        source=source_id,
        version=version.name,
        time=recorded_at(version.name),
        origin=str(meta.get("origin", "fetch")),
        flags=tuple(f for f in _FLAGS if meta.get(f)),
        changes=len(changes),
        severity=alert.get("severity") if alert else None,
        watches=watches,
        settings=tuple(upgrade.get("settings") or ()),
        how=upgrade.get("how"),
    )


def entries(source_id: str, versions: Versions) -> list[Entry]:
    """Every version of a source, newest first."""
    return [entry(source_id, versions.get(name)) for name in reversed(versions.names())]


def latest_change(versions: Versions) -> Version | None:
    """The newest version that recorded a change, if any."""
    for name in reversed(versions.names()):
        version = versions.get(name)
        if version.alert is not None:
            return version
    return None


def last_change(source_id: str, versions: Versions) -> Entry | None:
    """The newest change as a history row, if any."""
    version = latest_change(versions)
    return entry(source_id, version) if version is not None else None


def compare_versions(
    source: Source, watches: Sequence[Watch], versions: Versions, older: Version, newer: Version
) -> Comparison:
    """What changed from ``older`` to ``newer``, assessed as a check assesses it."""
    changes, alerts = assess(diff(older.text, newer.text, source.ignore), source.id, watches)
    found = Comparison(older, newer, changes, alerts)
    names = versions.names()
    between = names[names.index(older.name) + 1 : names.index(newer.name) + 1]
    for name in between:
        if versions.get(name).meta.get("origin") == "upgrade":
            found.notes.append(
                f"version {name} is an upgrade (the source's settings changed): part of this "
                "difference is how the page is read, not what it says"
            )
    return found
