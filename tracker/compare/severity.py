"""How much a change matters: severities, and the watches that fire.

Every change is at least ``info``; a change to a figure (a fact, including
one in a clause added or removed), and a reference that now leads to another
document, are at least ``warning``; a matching watch raises it to the watch's
severity and is named.  A renumbered clause whose words did not change fires
nothing: its meaning is the same.

A watch names clauses as they were numbered when it was written.  When the
agreement renumbers them, the watch follows its clause (9.1 that became 10.1)
instead of moving to whatever is numbered 9.1 next; :func:`follow` keeps that
mapping (stored in the source's state) and :func:`followings` says so, until
the configuration names the new number.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace

from ..config import Watch
from ..model import Change, ChangeKind, Fact, Fired, Following, Severity, highest

# watch name -> {clause as configured: the clause it is now, "" once removed}
Follows = Mapping[str, Mapping[str, str]]


def assess(
    changes: Sequence[Change],
    source_id: str,
    watches: Sequence[Watch],
    follows: Follows | None = None,
    after: Follows | None = None,
) -> tuple[list[Change], list[Fired]]:
    """Set each change's severity and watches; list the watches that fired, in config order.

    ``follows`` says where renumbering had taken the watches' clauses before these
    changes, ``after`` where they are in the new text (by default, :func:`follow`).
    """
    mine = _mine(watches, source_id)
    before = follows or {}
    if after is None:
        after = follow(changes, source_id, watches, before)
    fired: dict[str, list[str]] = {}
    out = []
    for change in changes:
        names = tuple(
            w.name for w in mine if _matches(w, change, _targets(w, before), _targets(w, after))
        )
        floor = Severity.WARNING if change.facts or change.references else Severity.INFO
        severity = highest([floor, *(w.severity for w in mine if w.name in names)])
        for name in names:
            ids = fired.setdefault(name, [])
            if change.clause and change.clause not in ids:
                ids.append(change.clause)
        out.append(replace(change, severity=severity, watches=names))
    return out, [Fired(w.name, w.severity, tuple(fired[w.name])) for w in mine if w.name in fired]


def follow(
    changes: Sequence[Change], source_id: str, watches: Sequence[Watch], follows: Follows
) -> dict[str, dict[str, str]]:
    """The watches' clauses after ``changes``: each follows its clause's renumbering."""
    went = {old: new for change in changes for old, new in change.moves}
    out = {name: dict(mapping) for name, mapping in follows.items()}
    for w in _mine(watches, source_id):
        for configured in w.clauses:
            now = out.get(w.name, {}).get(configured, configured)
            if not now:
                continue  # removed earlier: nothing left to follow
            after = _went(now, went)
            mapping = out.setdefault(w.name, {})
            if after == configured:
                mapping.pop(configured, None)
            else:
                mapping[configured] = after
    return prune({k: v for k, v in out.items() if v}, source_id, watches)


def prune(follows: Follows, source_id: str, watches: Sequence[Watch]) -> dict[str, dict[str, str]]:
    """Only what the configuration still names: a watch updated to the new number is done."""
    named = {w.name: set(w.clauses) for w in _mine(watches, source_id)}
    out = {}
    for watch, mapping in follows.items():
        kept = {c: now for c, now in mapping.items() if c in named.get(watch, ())}
        if kept:
            out[watch] = kept
    return out


def followings(source_id: str, watches: Sequence[Watch], follows: Follows) -> list[Following]:
    """What the notices say, in configuration order."""
    current = prune(follows, source_id, watches)
    return [
        Following(w.name, c, current[w.name][c] or None)
        for w in _mine(watches, source_id)
        for c in w.clauses
        if c in current.get(w.name, {})
    ]


def _mine(watches: Sequence[Watch], source_id: str) -> list[Watch]:
    return [w for w in watches if not w.sources or source_id in w.sources]


def _targets(watch: Watch, follows: Follows) -> list[str]:
    """The clauses a watch is on: each configured clause where it went (none once removed)."""
    mapping = follows.get(watch.name, {})
    return [now for c in watch.clauses if (now := mapping.get(c, c))]


def _went(clause: str, went: Mapping[str, str | None]) -> str:
    """Where ``clause`` is after a change ("" if removed); itself if it did not move.

    A clause that is only a number above its sub-clauses (a watch on 3.5 when
    the text has 3.5.1 and 3.5.2) went where its sub-clauses all went.
    """
    if clause in went:
        return went[clause] or ""
    prefixes = set()
    for old, new in went.items():
        if new and old.startswith((clause + ".", clause + "(")):
            suffix = old[len(clause) :]
            if not new.endswith(suffix):
                return clause  # its sub-clauses went different ways: leave it
            prefixes.add(new[: -len(suffix)])
    return prefixes.pop() if len(prefixes) == 1 else clause


def _matches(watch: Watch, change: Change, before: Sequence[str], after: Sequence[str]) -> bool:
    """Whether a change concerns a watch: its old clauses where the watched clauses were,
    its new clauses where they are now, or its keywords and amounts."""
    if change.kind is ChangeKind.MOVED:
        return False
    if any(_inside(cid, wanted) for wanted in before for cid in change.old_ids):
        return True
    if any(_inside(cid, wanted) for wanted in after for cid in change.new_ids):
        return True
    if watch.amounts and any(_is_amount(f) for f in change.facts):
        return True
    texts = (change.old or "", change.new or "")
    return any(_keyword(k).search(t) for k in watch.keywords for t in texts)


@functools.lru_cache(maxsize=512)
def _keyword(word: str) -> re.Pattern[str]:
    """A keyword as a pattern: a Latin word matches whole words only ("fee" is not "feedback")."""
    if word.isascii() and word[:1].isalnum():
        return re.compile(rf"(?<![A-Za-z0-9]){re.escape(word)}(?![A-Za-z0-9])", re.I)
    return re.compile(re.escape(word))


def _inside(clause: str, ancestor: str) -> bool:
    """``3.5.1(2)`` is inside ``3.5``; ``3.50`` is not."""
    return clause == ancestor or clause.startswith((ancestor + ".", ancestor + "("))


def _is_amount(fact: Fact) -> bool:
    """Whether a fact is a sum of money (the facts' patterns load only when a watch asks)."""
    from .facts import is_amount

    return is_amount(fact)
