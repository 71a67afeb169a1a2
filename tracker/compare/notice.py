"""Notice promised against notice given.

A change that takes effect on a known day gave the whole days after the day it was first
seen and before that day as notice (:mod:`.workdays`).  The promise that covers it is the
strictest one about the same thing (fees, maintenance, termination, assignment), else
one about changes in general, in the agreement as it stood before the change: a change
that shortens its own promise is measured against the promise it replaced.  Too little
notice makes the change ``critical`` and says so, with both numbers.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import replace

from ..meaning import Notice
from ..model import Change
from .promises import Covers, Promise, about
from .workdays import days_between

_DAYS = {"natural days": 1, "weeks": 7, "months": 30}


def with_notice(
    changes: Sequence[Change],
    promised: Sequence[tuple[str, Promise]],
    first_seen: datetime.date | None,
) -> tuple[Change, ...]:
    """``changes``, each that takes effect on a known day carrying the notice it gave
    against ``promised`` ((agreement, promise) pairs); too little is ``critical``."""
    if first_seen is None:
        return tuple(changes)
    return tuple(_measured(c, promised, first_seen) for c in changes)


def _measured(
    change: Change, promised: Sequence[tuple[str, Promise]], first_seen: datetime.date
) -> Change:
    if change.effective is None:
        return change
    covers = about(change.new or "")
    found = _covering(covers, promised)
    if found is None:
        return change
    agreement, promise = found
    assert promise.period is not None
    when = datetime.date.fromisoformat(change.effective.date)
    working = promise.counted == "working days"
    count = days_between(first_seen, when, working)
    given, needed, counted = count.days, promise.period, promise.counted
    if counted == "hours":
        given = max(0, (when - first_seen).days) * 24
    elif counted in _DAYS:
        needed, counted = promise.period * _DAYS[counted], "natural days"
    notice = Notice(
        str(covers),
        given,
        needed,
        counted,
        promise.clause,
        agreement,
        given >= needed,
        count.guessed,
    )
    if notice.enough:
        return replace(change, notice=notice)
    return replace(change, notice=notice, severity="critical")


def _covering(
    covers: Covers, promised: Sequence[tuple[str, Promise]]
) -> tuple[str, Promise] | None:
    """The strictest promise of a period about ``covers``, else about changes in general."""
    for wanted in (covers, Covers.CHANGES):
        kept = [(a, p) for a, p in promised if p.covers is wanted and p.period is not None]
        if kept:
            return max(kept, key=lambda ap: _in_days(ap[1]))
    return None


def _in_days(p: Promise) -> float:
    assert p.period is not None
    if p.counted == "hours":
        return p.period / 24
    return p.period * _DAYS.get(p.counted, 1)
