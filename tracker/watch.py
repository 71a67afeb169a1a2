"""How much a change matters: severities, and the watches that fire.

Every change is at least ``info``; a change to a figure (a fact) is at least
``warning``; a matching watch raises it to the watch's severity and is named.
A renumbered clause whose words did not change fires nothing: its meaning is
the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from .config import SEVERITIES, Watch
from .diff import Change

_RANK = {s: i for i, s in enumerate(SEVERITIES)}


@dataclass(frozen=True)
class Alert:
    """A watch that fired, and the clauses it fired on."""

    watch: str
    severity: str
    clauses: tuple[str, ...]

    def to_json(self) -> dict[str, object]:
        return {"watch": self.watch, "severity": self.severity, "clauses": list(self.clauses)}


def highest(severities: Sequence[str], default: str = "info") -> str:
    return max(severities, key=_RANK.__getitem__, default=default)


def assess(
    changes: Sequence[Change], source_id: str, watches: Sequence[Watch]
) -> tuple[list[Change], list[Alert]]:
    """Set each change's severity and watches; list the watches that fired, in config order."""
    mine = [w for w in watches if not w.sources or source_id in w.sources]
    fired: dict[str, list[str]] = {}
    out = []
    for change in changes:
        names = tuple(w.name for w in mine if _matches(w, change))
        severity = "warning" if change.facts else "info"
        severity = highest([severity, *(w.severity for w in mine if w.name in names)])
        for name in names:
            ids = fired.setdefault(name, [])
            if change.clause and change.clause not in ids:
                ids.append(change.clause)
        out.append(replace(change, severity=severity, watches=names))
    alerts = [Alert(w.name, w.severity, tuple(fired[w.name])) for w in mine if w.name in fired]
    return out, alerts


def _matches(watch: Watch, change: Change) -> bool:
    if change.kind == "moved":
        return False
    ids = {c for c in (change.clause, change.old_clause, *change.members) if c}
    if any(_inside(cid, wanted) for wanted in watch.clauses for cid in ids):
        return True
    texts = (change.old or "", change.new or "")
    return any(k in t for k in watch.keywords for t in texts)


def _inside(clause: str, ancestor: str) -> bool:
    """``3.5.1(2)`` is inside ``3.5``; ``3.50`` is not."""
    return clause == ancestor or clause.startswith((ancestor + ".", ancestor + "("))
