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
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from ..config import Config

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


class Schedule:
    """The daemon's jobs on an APScheduler: one per source, and the outbox's."""

    def __init__(self, scheduler: BaseScheduler) -> None:
        self.scheduler = scheduler
        self.signatures: dict[str, tuple[str | None, float]] = {}  # (cron, interval) per source
        self.last_checked: dict[str, datetime] = {}

    def checked(self, source_id: str) -> None:
        self.last_checked[source_id] = datetime.now(UTC)

    def drop(self, source_id: str) -> None:
        self.scheduler.remove_job(f"source:{source_id}")
        self.signatures.pop(source_id, None)

    def sources(self, config: Config, check: Callable[..., Any], first_run: bool) -> None:
        """A job per source; on a reload (not ``first_run``) only where the schedule changed."""
        now = datetime.now(UTC)
        for source in config.sources:
            interval = source.interval or config.settings.interval
            signature = (source.cron, interval)
            job_id = f"source:{source.id}"
            scheduled = self.scheduler.get_job(job_id) is not None
            same = self.signatures.get(source.id) == signature
            if source.cron:
                if scheduled and same:
                    continue
                trigger: BaseTrigger = CronTrigger.from_crontab(source.cron, timezone=UTC)
                trigger.jitter = int(jitter_for(interval)) or None
            else:
                last = None if first_run else self.last_checked.get(source.id)
                decided = plan(
                    now, interval, same_schedule=same, scheduled=scheduled, last_check=last
                )
                if decided.keep:
                    continue
                assert decided.anchor is not None
                trigger = NominalInterval(interval, jitter_for(interval), decided.anchor)
            self.scheduler.add_job(
                check,
                trigger,
                args=[source.id],
                id=job_id,
                name=source.id,
                next_run_time=trigger.get_next_fire_time(None, now),
                max_instances=1,
                coalesce=True,
                misfire_grace_time=None,
                replace_existing=True,
            )
            self.signatures[source.id] = signature

    def outbox(self, every: float, deliver: Callable[..., Any]) -> None:
        self.scheduler.add_job(
            deliver,
            IntervalTrigger(seconds=every),
            id="outbox",
            next_run_time=datetime.now(UTC),
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
        )
