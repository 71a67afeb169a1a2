"""The outcome of checking one source, as every report and channel receives it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..compare.changes import Change
from ..compare.severity import Alert, Following, highest
from ..config import Source


@dataclass
class Result:
    """The outcome of checking one source."""

    source: Source
    status: str  # a model.Status
    error: str | None = None
    blocked: bool = False
    changes: list[Change] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    version: str | None = None  # the version recorded by this check, if any
    large_removal: bool = False
    replaced: dict[str, str] | None = None  # {"old": name, "new": name}: another document now
    failures: int = 0  # consecutive failed checks, this one included
    elapsed: float = 0.0
    following: list[Following] = field(default_factory=list)  # watches on renumbered clauses
    notes: list[str] = field(default_factory=list)  # what this check found and worked around

    @property
    def severity(self) -> str | None:
        """The highest severity among the changes (another document: critical), None if none."""
        if not self.changes:
            return None
        return "critical" if self.replaced else highest([c.severity for c in self.changes])

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.source.id,
            "name": self.source.name,
            "url": self.source.url,
            "status": self.status,
            "error": self.error,
            "severity": self.severity,
            "changes": [c.to_json() for c in self.changes],
            "alerts": [a.to_json() for a in self.alerts],
            "version": self.version,
            "large_removal": self.large_removal,
            "replaced": self.replaced,
            "failures": self.failures,
            "following": [f.to_json() for f in self.following],
            "notes": list(self.notes),
        }
