"""When the daemon checks each source: jitter around a nominal schedule, kept across reloads.

APScheduler's interval trigger adds its jitter to the previous fire time, which
was jittered already, so the real period drifts to the interval plus half the
jitter (6 h 02.5 min for 6 h).  :class:`NominalInterval` fires a random 0 to
``jitter`` seconds after each nominal time ``anchor + k × interval`` instead:
on average, exactly the interval.

:func:`plan` says what a reload does to one source: an unchanged source keeps
its next run (a reload every few minutes must not push every check away
forever, nor line all sources up on one instant); a new source gets a first
run spread over its interval; a changed interval counts from the source's last
check.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from apscheduler.triggers.base import BaseTrigger

MAX_JITTER = 300.0  # seconds; jitter is a tenth of the interval, at most this
MAX_SPREAD = 600.0  # first runs are spread over the first interval, at most this


class NominalInterval(BaseTrigger):  # type: ignore[misc]
    """Every ``interval`` seconds from ``anchor``, each run up to ``jitter`` seconds late."""

    def __init__(self, interval: float, jitter: float, anchor: datetime) -> None:
        self.interval = timedelta(seconds=interval)
        self.jitter = jitter
        self.anchor = anchor

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None:
        if previous_fire_time is None:
            nominal = self.anchor
        else:  # the slot after the one that fired (which fired at most `jitter` late)
            slots = math.floor((previous_fire_time - self.anchor) / self.interval)
            nominal = self.anchor + (slots + 1) * self.interval
        return nominal + timedelta(seconds=random.uniform(0, self.jitter))

    def __str__(self) -> str:
        return f"every {self.interval} from {self.anchor.isoformat()}, up to {self.jitter:g}s late"


def jitter_for(interval: float) -> float:
    return min(MAX_JITTER, interval / 10)


def first_run(now: datetime, interval: float) -> datetime:
    """A new source's first check: somewhere in its first interval, so sources spread out."""
    return now + timedelta(seconds=random.uniform(0, min(interval, MAX_SPREAD)))


@dataclass(frozen=True)
class Plan:
    keep: bool  # leave the job as it is
    anchor: datetime | None = None  # else: its nominal schedule starts here


def plan(
    now: datetime,
    interval: float,
    *,
    same_schedule: bool,
    scheduled: bool,
    last_check: datetime | None,
) -> Plan:
    """What a reload does to one interval source (see the module's docstring)."""
    if scheduled and same_schedule:
        return Plan(keep=True)
    if last_check is None:
        return Plan(keep=False, anchor=first_run(now, interval))
    due = last_check + timedelta(seconds=interval)
    return Plan(keep=False, anchor=max(due, now))
