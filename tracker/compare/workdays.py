"""Counting notice as the PRC Civil Code counts a period (arts. 201–203).

The day a period starts from is not counted.  Notice given is the whole days after the
day the new text was first seen and before the day it takes effect.  ``工作日`` are
working days by China's official calendar (holidays off, make-up working weekends on),
from the ``chinesecalendar`` package; for a year it does not know yet, Monday to Friday,
and the count says so.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass


@dataclass(frozen=True)
class Count:
    """Days counted, and whether a year the calendar does not know was counted Mon–Fri."""

    days: int
    guessed: bool = False


def days_between(first: datetime.date, last: datetime.date, working: bool = False) -> Count:
    """Whole days after ``first`` and before ``last`` (working days only, if ``working``)."""
    if not working:
        return Count(max(0, (last - first).days - 1))
    days, guessed = 0, False
    day = first + datetime.timedelta(days=1)
    while day < last:
        works, known = _works(day)
        days += works
        guessed = guessed or not known
        day += datetime.timedelta(days=1)
    return Count(days, guessed)


def _works(day: datetime.date) -> tuple[bool, bool]:
    """Whether ``day`` is a working day in China, and whether the calendar knew its year."""
    import chinese_calendar  # only when a period is counted in working days

    try:
        return bool(chinese_calendar.is_workday(day)), True
    except NotImplementedError:  # a year not published yet
        return day.weekday() < 5, False
