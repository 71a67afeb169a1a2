"""The words every stage shares: enums for the vocabulary, and the records stages hand on.

This module imports nothing of tracker's, so any stage can use it.  The enums
are ``StrEnum``: each member is its string, so JSON, files and messages read the
same as before they existed.  The records are frozen dataclasses; a change and a
message read back from JSON (``from_json``) are the same objects a check made, so
every rendering (console, Slack, email, webhook, the site) reads one typed model.

Vocabulary: a *source* is a page tracker watches; a *page* is what was fetched;
a *reading* the agreement text read from it; a *version* what was recorded; a
*change* one clause that differs; a watch that matched a change *fired*; a
*message* is what is stored and sent about a change or a failure; a *delivery*
is one message on one channel.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from .meaning import Effective, Notice


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {s: i for i, s in enumerate(Severity)}
SEVERITIES = tuple(s.value for s in Severity)  # for messages: ('info', 'warning', 'critical')


def rank(severity: str) -> int:
    """The order of a severity (given as its string): info < warning < critical."""
    return Severity(severity).rank


def highest(severities: list[str] | tuple[str, ...], default: str = "info") -> str:
    return max(severities, key=rank, default=default)


def overall(severities: list[str] | tuple[str, ...], replaced: bool) -> str | None:
    """A set of changes' severity: the highest of theirs (another document: critical), or None
    when there are none."""
    if not severities:
        return None
    return Severity.CRITICAL if replaced else highest(severities)


class Status(StrEnum):
    """What checking one source came to (``last_status`` in its state)."""

    BASELINE = "baseline"  # its first version was recorded
    UNCHANGED = "unchanged"
    CHANGED = "changed"
    ERROR = "error"
    ACCEPTED = "accepted"  # a refused page recorded because the user said so


class ChangeKind(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    MODIFIED = "modified"
    MOVED = "moved"  # renumbered or reordered, words unchanged


class Origin(StrEnum):
    """How a version came to be recorded (``origin`` in its ``meta.json``)."""

    BASELINE = "baseline"  # seeded from a file shipped or configured
    FETCH = "fetch"  # read from the page
    UPGRADE = "upgrade"  # the page read again after the source's settings changed: no alert
    ACCEPTED = "accepted"  # a refused page, recorded because the user said so


class Event(StrEnum):
    """What the pipeline tells its listeners, and what a message is about."""

    CHANGE = "change"
    FAILING = "failing"
    RECOVERED = "recovered"
    TEST = "test"
    DRIFT = "drift"  # a translation has not followed its original's change in time
    DIGEST = "digest"  # a channel's daily or weekly batch of changes below its immediate_severity


class Delivered(StrEnum):
    """Where one message stands on one channel."""

    PENDING = "pending"  # not tried yet, or failed for now: tried again
    SENT = "sent"
    FAILED = "failed"  # this message cannot go to this channel: waits for outbox --retry
    DROPPED = "dropped"  # given up (outbox --drop)
    HELD = "held"  # kept for the channel's next digest


# -- what was fetched and read ---------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """What the server sent.  ``status`` 304 means "same as your ETag", with no body."""

    url: str
    status: int
    body: bytes
    content_type: str | None
    etag: str | None
    last_modified: str | None
    elapsed: float
    rendered: bool = False  # the DOM a browser built, not the bytes the server sent

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass(frozen=True)
class Reading:
    """What the parse stage makes of a page (or what a version recorded of one)."""

    text: str  # the agreement text
    title: str | None  # the page's <title>, which names the document
    codec: str  # what the page was decoded with
    packed: bytes  # the raw page, packed for its version folder
    url: str = ""  # where it was read from, after redirects
    settings: Mapping[str, object] = field(default_factory=dict)  # how it was read


# -- one change, as every rendering shows it ---------------------------------------------------


@dataclass(frozen=True)
class Span:
    op: str  # equal | delete | insert
    text: str


@dataclass(frozen=True)
class Fact:
    """One differing figure: ``old`` → ``new``; a side is None if it has no counterpart.

    ``kind`` says what it measures (amount, duration, share, date, quantity); it is
    not part of what makes two facts the same (one recorded before kinds has none).
    """

    old: str | None
    new: str | None
    kind: str | None = field(default=None, compare=False)

    def to_json(self) -> dict[str, str | None]:
        return {"old": self.old, "new": self.new, "kind": self.kind}

    def __str__(self) -> str:
        return f"{self.old or '∅'} → {self.new or '∅'}"


@dataclass(frozen=True)
class Retarget:
    """A reference (a link whose words name a document) that now leads to another document."""

    words: str
    old: str
    new: str

    def to_json(self) -> dict[str, str]:
        return {"text": self.words, "old": self.old, "new": self.new}

    def __str__(self) -> str:
        return f"{self.words}: {self.old} → {self.new}"


@dataclass(frozen=True)
class Change:
    kind: ChangeKind
    clause: str | None  # the clause's id (its old id when removed)
    old: str | None  # whole old clause text, None when added or moved
    new: str | None  # whole new clause text, None when removed or moved
    old_clause: str | None = None  # the old id, when the clause was renumbered
    path: tuple[str, ...] = ()
    aspect: str = "wording"  # wording, emphasis, reference, joined by "+" where several hold
    spans: tuple[Span, ...] = ()
    facts: tuple[Fact, ...] = ()
    count: int = 1  # clauses in this entry (a whole chapter added, removed or moved)
    members: tuple[str, ...] = ()  # ids of the clauses in this entry, itself included
    severity: str = "info"
    watches: tuple[str, ...] = ()
    references: tuple[Retarget, ...] = ()  # named documents whose links now lead elsewhere
    old_path: tuple[str, ...] = ()  # a moved text: the heading path where it was
    words: str | None = None  # a moved text: its first words (what names unnumbered text)
    effective: Effective | None = None  # when it takes effect, where the agreement says so
    notice: Notice | None = None  # the notice it gave, against the promise that covers it
    through: str | None = None  # siblings renumbered together: the last one's id (4–9)
    old_through: str | None = None  # … and its id before (from 3–8)
    # For watches, not part of the report: the ids this entry's clauses had in the old text
    # and have in the new one, and where each renumbered or removed old clause went.
    old_ids: tuple[str, ...] = field(default=(), repr=False, compare=False)
    new_ids: tuple[str, ...] = field(default=(), repr=False, compare=False)
    moves: tuple[tuple[str, str | None], ...] = field(default=(), repr=False, compare=False)

    @property
    def path_text(self) -> str:
        return " › ".join(self.path)

    def to_json(self) -> dict[str, object]:
        return {
            "clause": self.clause,
            "kind": str(self.kind),
            "old": self.old,
            "new": self.new,
            "old_clause": self.old_clause,
            "path": list(self.path),
            "path_text": self.path_text,
            "aspect": self.aspect,
            "diff": [{"op": s.op, "text": s.text} for s in self.spans],
            "facts": [f.to_json() for f in self.facts],
            "count": self.count,
            "members": list(self.members),
            "severity": self.severity,
            "watches": list(self.watches),
            "references": [r.to_json() for r in self.references],
            "effective": self.effective.to_json() if self.effective else None,
            "notice": self.notice.to_json() if self.notice else None,
            **({"through": self.through, "old_through": self.old_through} if self.through else {}),
            **self._moved_json(),
        }

    def _moved_json(self) -> dict[str, object]:
        """Where a moved text was, and its first words (only for moves: other JSON unchanged)."""
        if self.kind is not ChangeKind.MOVED:
            return {}
        return {
            "old_path": list(self.old_path),
            "old_path_text": " › ".join(self.old_path),
            "words": self.words,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Change:
        """A change as a message stored it (what a report or a retry reads back)."""
        return cls(
            kind=ChangeKind(data["kind"]),
            clause=data.get("clause"),
            old=data.get("old"),
            new=data.get("new"),
            old_clause=data.get("old_clause"),
            path=tuple(data.get("path") or ()),
            aspect=str(data.get("aspect") or "wording"),
            spans=tuple(Span(s["op"], s["text"]) for s in data.get("diff") or ()),
            facts=tuple(
                Fact(f.get("old"), f.get("new"), f.get("kind")) for f in data.get("facts") or ()
            ),
            count=int(data.get("count", 1)),
            members=tuple(data.get("members") or ()),
            severity=str(data.get("severity") or "info"),
            watches=tuple(data.get("watches") or ()),
            references=tuple(
                Retarget(r["text"], r["old"], r["new"]) for r in data.get("references") or ()
            ),
            old_path=tuple(data.get("old_path") or ()),
            words=data.get("words"),
            effective=Effective.from_json(data["effective"]) if data.get("effective") else None,
            notice=Notice.from_json(data["notice"]) if data.get("notice") else None,
            through=data.get("through"),
            old_through=data.get("old_through"),
        )


@dataclass(frozen=True)
class Fired:
    """A watch that fired, and the clauses it fired on."""

    watch: str
    severity: str
    clauses: tuple[str, ...]

    def to_json(self) -> dict[str, object]:
        return {"watch": self.watch, "severity": self.severity, "clauses": list(self.clauses)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Fired:
        return cls(data["watch"], data["severity"], tuple(data.get("clauses") or ()))


@dataclass(frozen=True)
class Following:
    """A watch whose clause the agreement renumbered (or removed) since it was configured."""

    watch: str
    clause: str  # as configured
    now: str | None  # the clause's number now; None once it was removed

    def __str__(self) -> str:
        if self.now is None:
            where = f"watch {self.watch}: clause {self.clause} was removed"
        else:
            where = f"watch {self.watch} follows {self.now} (was {self.clause})"
        return f"{where}; update the configuration"

    def to_json(self) -> dict[str, str | None]:
        return {"watch": self.watch, "clause": self.clause, "now": self.now}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Following:
        return cls(data["watch"], data["clause"], data.get("now"))
