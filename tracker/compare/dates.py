"""Dates as agreements write them, each read as one value.

``2027年1月1日``, ``二〇二七年一月一日``, ``1月31日`` (every year's), ``每月15日``
(every month's), ``2024-06-24``, ``02.09.2025`` (day first, as pages that write
dots mean it), ``09/02/2025`` (day first unless the page writes its dates the
American way), ``25 November 2026``, ``November 25, 2026``, ``2019年``.  A date is
one fact, never a month and a day apart.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from .numerals import number

MONTH_NAMES = (
    "january february march april may june july august september october november december"
).split()
_MONTH = {name: i for i, name in enumerate(MONTH_NAMES, 1)}
_MONTH |= {name[:3]: i for name, i in _MONTH.items()} | {"sept": 9}
_NAME = "|".join(sorted(_MONTH, key=len, reverse=True))

_CN_YEAR = r"\d{4}|[〇零一二三四五六七八九]{4}"
_CN_MONTH = r"1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九]"
_CN_ONE_TO_NINE = "[一二三四五六七八九]"
_CN_DAY = rf"3[01]|[12]\d|0?[1-9]|三十一?|二?十{_CN_ONE_TO_NINE}?|{_CN_ONE_TO_NINE}"
_ORDINAL = r"(?:st|nd|rd|th)?"
_NOT_AFTER_A_NUMBER = r"(?<!\d)(?<!\d\.)"  # 1.2024.06.24 is a version, not a date

# How each form is written; the groups :func:`read_date` reads, by form.
FORMS = {
    "cn": rf"(?<![\d个])(?:({_CN_YEAR})\s*年\s*)?({_CN_MONTH})\s*月(?:\s*({_CN_DAY})\s*[日号])?",
    "year": r"(?<!\d)((?:19|20)\d{2}|[一二][〇零九][〇零一二三四五六七八九]{2})\s*年度?",
    "monthly": rf"每月\s*({_CN_DAY})\s*[日号]",
    "iso": rf"{_NOT_AFTER_A_NUMBER}(\d{{4}})(?P<iso>[-/.])(\d{{1,2}})(?P=iso)(\d{{1,2}})(?!\.?\d)",
    "dmy": rf"{_NOT_AFTER_A_NUMBER}(\d{{1,2}})(?P<dmy>[./])(\d{{1,2}})(?P=dmy)(\d{{4}})(?!\.?\d)",
    "day_month": rf"\b(\d{{1,2}}){_ORDINAL}\s+({_NAME})\.?,?\s+(\d{{4}})\b",
    "month_day": rf"\b({_NAME})\.?\s+(\d{{1,2}}){_ORDINAL},?\s+(\d{{4}})\b",
}
COMPILED = {name: re.compile(pattern, re.I) for name, pattern in FORMS.items()}
_AMERICAN = re.compile(rf"\b(?:{_NAME})\.?\s+\d{{1,2}}{_ORDINAL},\s+\d{{4}}\b", re.I)


@dataclass(frozen=True)
class Day:
    """A date as precise as the page wrote it: a missing part is None (``1月31日`` has
    no year; ``2019年`` only one)."""

    year: int | None
    month: int | None
    day: int | None

    def date(self) -> datetime.date | None:
        """The calendar date, when the page gave all of it."""
        if self.year is None or self.month is None or self.day is None:
            return None
        return datetime.date(self.year, self.month, self.day)

    def __str__(self) -> str:
        parts = [self.year, self.month, self.day]
        return "-".join("?" if p is None else f"{p:02d}" for p in parts)


def day_first(text: str) -> bool:
    """Whether ``09/02/2025`` in ``text`` is the 9th of February: yes, unless the page
    writes its dates the American way (``February 9, 2025``)."""
    return _AMERICAN.search(text) is None


def read_date(form: str, wording: str, first: bool = True) -> Day | None:
    """The date a match of ``FORMS[form]`` names; None if no calendar has it (a version
    number such as ``2024.13.45``).  ``first``: slashed dates are day first."""
    m = COMPILED[form].fullmatch(wording)
    if m is None:
        return None
    g = m.groups()
    if form == "cn":
        parts = [_int(g[0]), _int(g[1]), _int(g[2])]
    elif form == "year":
        parts = [_int(g[0]), None, None]
    elif form == "monthly":
        parts = [None, None, _int(g[0])]
    elif form == "iso":
        parts = [int(g[0]), int(g[2]), int(g[3])]
    elif form == "dmy":
        a, b = int(g[0]), int(g[2])
        day_leads = g[1] == "." or a > 12 or (b <= 12 and first)
        parts = [int(g[3]), b, a] if day_leads else [int(g[3]), a, b]
    elif form == "day_month":
        parts = [int(g[2]), _MONTH[g[1].lower()], int(g[0])]
    else:
        parts = [int(g[2]), _MONTH[g[0].lower()], int(g[1])]
    return _valid(Day(*parts))


def _int(text: str | None) -> int | None:
    value = None if text is None else number(text)
    return None if value is None else int(value)


def _valid(day: Day) -> Day | None:
    if day.month is not None and not 1 <= day.month <= 12:
        return None
    if day.day is not None and not 1 <= day.day <= 31:
        return None
    try:  # 2025年2月30日 is no date; 2月29日 is, some years
        datetime.date(day.year or 2000, day.month or 1, day.day or 1)
    except ValueError:
        return None
    return day
