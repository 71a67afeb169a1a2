"""The daemon's schedule: jitter around nominal times, and what a reload keeps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from apscheduler.triggers.interval import IntervalTrigger

from tracker.run.schedule import NominalInterval, first_run, plan

START = datetime(2026, 12, 1, tzinfo=UTC)


def _mean_period(trigger, runs: int = 2000) -> float:
    fire = trigger.get_next_fire_time(None, START)
    first = fire
    for _ in range(runs):
        fire = trigger.get_next_fire_time(fire, fire)
    return (fire - first).total_seconds() / runs


def test_jitter_stays_around_the_nominal_schedule():
    """Before: APScheduler added jitter to the jittered previous run: 6 h became 6 h 02.5 min."""
    ours = _mean_period(NominalInterval(600.0, 60.0, START))
    assert abs(ours - 600.0) <= 60.0 / 2000  # within one jitter over all the runs
    drifting = _mean_period(IntervalTrigger(seconds=600, jitter=60, start_date=START))
    assert drifting > 620  # what the issue measured: the interval plus half the jitter


def test_every_run_is_within_its_slot():
    trigger = NominalInterval(100.0, 10.0, START)
    fire = None
    for k in range(200):
        fire = trigger.get_next_fire_time(fire, fire or START)
        nominal = START + timedelta(seconds=100 * k)
        assert nominal <= fire <= nominal + timedelta(seconds=10)


def test_a_reload_keeps_an_unchanged_source_and_replans_a_changed_one():
    now = START + timedelta(hours=3)
    assert plan(now, 3600, same_schedule=True, scheduled=True, last_check=None).keep
    changed = plan(
        now, 7200, same_schedule=False, scheduled=True, last_check=START + timedelta(hours=2)
    )
    assert not changed.keep and changed.anchor == START + timedelta(hours=4)  # from its last check
    overdue = plan(now, 600, same_schedule=False, scheduled=True, last_check=START)
    assert overdue.anchor == now  # already due: now, not in the past
    new = plan(now, 3600, same_schedule=False, scheduled=False, last_check=None)
    assert now <= new.anchor <= now + timedelta(seconds=600)  # spread, not all at once


def test_first_runs_spread_over_the_first_interval_at_most_ten_minutes():
    runs = [first_run(START, 30.0) for _ in range(200)]
    assert all(START <= r <= START + timedelta(seconds=30) for r in runs)
    assert len(set(runs)) > 150
