"""The one message: what is stored with a change, queued in the outbox, and sent.

A message is about one source: a change recorded (with the changes, the watches
that fired and the notices), the source failing, or the source back; or it is a
channel's digest, which gathers such messages (``items``).  The check
makes it from its result; every channel and the report read it back with
:meth:`Message.from_json`, typed, so none of them re-derives a change from a dict.
Its JSON is the source object of ``tracker check --json`` under ``source``, with
the event around it: the form ``alert.json`` and the outbox have always had.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .meaning import Backdated, Drift, Incorporation, Stated
from .model import Change, Event, Fired, Following, Status


@dataclass(frozen=True)
class Outcome:
    """What checking one source came to, as a message carries it."""

    id: str
    name: str
    url: str
    status: Status
    error: str | None = None
    severity: str | None = None  # the highest of the changes' (another document: critical)
    changes: tuple[Change, ...] = ()
    fired: tuple[Fired, ...] = ()
    version: str | None = None  # the version this check recorded, if any
    large_removal: bool = False
    replaced: tuple[str, str] | None = None  # (old, new): the page holds another document now
    failures: int = 0  # consecutive failed checks, this one included
    following: tuple[Following, ...] = ()  # watches on renumbered clauses
    notes: tuple[str, ...] = ()  # what the check found and worked around
    stated: tuple[Stated, ...] = ()  # a change: the dates the new text states about itself
    silent_edit: str | None = None  # a change under a stated date that did not change
    backdated: tuple[Backdated, ...] = ()  # newly stated dates before the old text's last day
    incorporated_by: tuple[Incorporation, ...] = ()  # tracked agreements that link this one
    drift: Drift | None = None  # a drift event: the translation that has not followed
    first_seen: str | None = None  # a change: when the new text was first seen
    last_seen: str | None = None  # a change: when the old text was last seen
    failing_since: str | None = None  # failing or recovered: when the failures began

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "url": self.url,
            "status": str(self.status),
            "error": self.error,
            "severity": self.severity,
            "changes": [c.to_json() for c in self.changes],
            "alerts": [f.to_json() for f in self.fired],
            "version": self.version,
            "large_removal": self.large_removal,
            "replaced": {"old": self.replaced[0], "new": self.replaced[1]}
            if self.replaced
            else None,
            "failures": self.failures,
            "following": [f.to_json() for f in self.following],
            "notes": list(self.notes),
            "stated": [s.to_json() for s in self.stated],
            "silent_edit": self.silent_edit,
            "backdated": [b.to_json() for b in self.backdated],
            "incorporated_by": [i.to_json() for i in self.incorporated_by],
            "drift": self.drift.to_json() if self.drift else None,
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
            "failing_since": self.failing_since,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Outcome:
        replaced = data.get("replaced")
        return cls(
            id=data["id"],
            name=data.get("name") or data["id"],
            url=data.get("url") or "",
            status=Status(data.get("status") or Status.CHANGED),
            error=data.get("error"),
            severity=data.get("severity"),
            changes=tuple(Change.from_json(c) for c in data.get("changes") or ()),
            fired=tuple(Fired.from_json(f) for f in data.get("alerts") or ()),
            version=data.get("version"),
            large_removal=bool(data.get("large_removal")),
            replaced=(replaced["old"], replaced["new"]) if replaced else None,
            failures=int(data.get("failures") or 0),
            following=tuple(Following.from_json(f) for f in data.get("following") or ()),
            notes=tuple(str(n) for n in data.get("notes") or ()),
            stated=tuple(Stated.from_json(s) for s in data.get("stated") or ()),
            silent_edit=data.get("silent_edit"),
            backdated=tuple(Backdated.from_json(b) for b in data.get("backdated") or ()),
            incorporated_by=tuple(
                Incorporation.from_json(i) for i in data.get("incorporated_by") or ()
            ),
            drift=_drift(data),
            first_seen=data.get("first_seen"),
            last_seen=data.get("last_seen") or data.get("old_seen"),  # as stored before
            failing_since=data.get("failing_since"),
        )


@dataclass(frozen=True)
class Message:
    """What is stored and sent about one source: its id is stable across retries and kills."""

    id: str
    event: Event
    severity: str
    created: str
    outcome: Outcome
    report: str | None = None  # where the change's report page is, when one is configured
    items: tuple[Message, ...] = ()  # a digest: the messages it gathers, in order

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "event": str(self.event),
            "severity": self.severity,
            "created": self.created,
            "source": self.outcome.to_json(),
        }
        if self.report:
            data["report"] = self.report
        if self.items:
            data["items"] = [item.to_json() for item in self.items]
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Message:
        """The message as stored; KeyError, TypeError or ValueError if it is not one."""
        return cls(
            id=str(data["id"]),
            event=Event(data["event"]),
            severity=str(data.get("severity") or "info"),
            created=str(data.get("created") or ""),
            outcome=Outcome.from_json(data["source"]),
            report=data.get("report"),
            items=tuple(cls.from_json(item) for item in data.get("items") or ()),
        )


def _drift(data: Mapping[str, Any]) -> Drift | None:
    found = data.get("drift")
    if not found:
        return None
    return Drift.from_json(
        found, str(data.get("name") or ""), str(found.get("original_name") or "")
    )
