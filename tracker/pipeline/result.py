"""The outcome of checking one source, as the pipeline hands it to the commands."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..config import Source
from ..meaning import Backdated, Incorporation, Stated
from ..message import Outcome
from ..model import Change, Fired, Following, Status, overall


@dataclass
class Result:
    """The outcome of checking one source (with its configuration and how long it took)."""

    source: Source
    status: Status
    error: str | None = None
    blocked: bool = False
    changes: list[Change] = field(default_factory=list)
    fired: list[Fired] = field(default_factory=list)  # the watches that fired
    version: str | None = None  # the version recorded by this check, if any
    large_removal: bool = False
    replaced: tuple[str, str] | None = None  # (old, new) name: another document now
    failures: int = 0  # consecutive failed checks, this one included
    elapsed: float = 0.0
    following: list[Following] = field(default_factory=list)  # watches on renumbered clauses
    notes: list[str] = field(default_factory=list)  # what this check found and worked around
    stated: tuple[Stated, ...] = ()  # a change: the dates the new text states about itself
    silent_edit: str | None = None  # a change under a stated date that did not change
    backdated: tuple[Backdated, ...] = ()  # newly stated dates before the old text's last day
    incorporated_by: tuple[Incorporation, ...] = ()  # tracked agreements that link this one
    first_seen: str | None = None  # a change: when the new text was first seen (this check)
    last_seen: str | None = None  # a change: when the old text was last seen
    since: str | None = None  # failing or recovered: when the run of failures began

    def __post_init__(self) -> None:
        if self.error is not None:  # a reason may quote the URL: never its credentials
            self.error = self.source.scrub(self.error)

    @property
    def severity(self) -> str | None:
        """The highest severity among the changes (another document: critical), None if none."""
        return overall([c.severity for c in self.changes], self.replaced is not None)

    def outcome(self) -> Outcome:
        """The result as a message carries it, and ``--json`` prints it."""
        return Outcome(
            id=self.source.id,
            name=self.source.name,
            url=self.source.shown_url,
            status=self.status,
            error=self.error,
            severity=self.severity,
            changes=tuple(self.changes),
            fired=tuple(self.fired),
            version=self.version,
            large_removal=self.large_removal,
            replaced=self.replaced,
            failures=self.failures,
            following=tuple(self.following),
            notes=tuple(self.source.scrub(note) for note in self.notes),
            stated=self.stated,
            silent_edit=self.silent_edit,
            backdated=self.backdated,
            incorporated_by=self.incorporated_by,
            first_seen=self.first_seen,
            last_seen=self.last_seen,
            failing_since=self.since,
        )

    def to_json(self) -> dict[str, Any]:
        """The outcome, and how long this source's own check took (seconds, not its turn)."""
        return {**self.outcome().to_json(), "elapsed": round(self.elapsed, 3)}
