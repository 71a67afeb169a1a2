"""When a change takes effect, where the agreement says so.

A changed clause may say it (``自2027年1月1日起生效``, ``本协议自…起施行``, "effective
January 1, 2027", "takes effect 30 days after posting", ``通知发出后7天后生效``), or the
page may state a new effective date (``生效日期：…``).  The date is what the people
bound by the agreement plan around; the days between the text's first sighting and that
date are the notice they were given (see :mod:`tracker.compare.notice`).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from dataclasses import replace

from ..meaning import Effective, Said, Stated
from ..model import Change, ChangeKind
from ..text.shown import unmarked
from .dates import COMPILED, read_date
from .numerals import ASCII_DIGITS, number

_FULL_DATES = ("cn", "iso", "dmy", "month_day", "day_month")
_CN_AFTER = re.compile(r"\s*(?:之日)?\s*(?:起|开始)?\s*(?:正式)?(?:生效|施行|实施|执行|适用)")
_EN_BEFORE = re.compile(
    r"(?:effective|takes?\s+effect|shall\s+(?:apply|take\s+effect)|comes?\s+into\s+(?:force|effect)"
    r"|enters?\s+into\s+force|effective\s+date)\s*(?:is\s+|as\s+of\s+|on\s+|from\s+|:\s*)?$",
    re.I,
)
_N = r"(\d+|[一二两三四五六七八九十百]+)"
_RELATIVE = (
    re.compile(
        r"(?:公布|发布|公告|公示|通知发出|通知|发出|更新)(?:之日)?\s*(?:后|起)\s*(?:第\s*)?"
        + _N
        + r"\s*(?:个)?(?:自然)?[日天](?:后|之后)?\s*(?:起)?\s*(?:正式)?(?:生效|施行|实施)"
    ),
    re.compile(
        r"(?:takes?\s+effect|becomes?\s+effective|(?:are|is|will\s+be)\s+effective|effective)\s+"
        + r"(\d+)\s+(?:calendar\s+)?days?\s+after\s+(?:\w+\s+){0,4}?"
        + r"(?:post|publi|notice|notif)\w*",
        re.I,
    ),
)


def effective_of(text: str, first_seen: datetime.date | None) -> tuple[datetime.date, str] | None:
    """The day ``text`` says it takes effect, and the words that say so; a period after
    posting counts from ``first_seen`` (the day the text was first seen)."""
    plain = unmarked(text).translate(ASCII_DIGITS)
    for form in _FULL_DATES:
        for m in COMPILED[form].finditer(plain):
            day = read_date(form, m.group(0))
            if day is None or (when := day.date()) is None:
                continue
            if after := _CN_AFTER.match(plain, m.end()):
                start = m.start() - (plain[m.start() - 1 : m.start()] in ("自", "于", "从"))
                return when, _words(plain, start, after.end())
            if before := _EN_BEFORE.search(plain[max(0, m.start() - 60) : m.start()]):
                start = m.start() - len(before.group(0))
                return when, _words(plain, start, m.end())
    if first_seen is None:
        return None
    for pattern in _RELATIVE:
        hit = pattern.search(plain)
        if hit is not None and (n := number(hit.group(1))) is not None:
            return first_seen + datetime.timedelta(days=int(n)), _words(plain, *hit.span())
    return None


def with_effective(
    changes: Sequence[Change],
    before: Sequence[Stated],
    after: Sequence[Stated],
    first_seen: datetime.date | None,
) -> tuple[Change, ...]:
    """``changes``, each carrying when it takes effect where the clause or the page says so:
    the clause's own words first, else an effective date the page newly states."""
    page = next((s for s in after if s.kind is Said.EFFECTIVE and s not in before), None)
    out = []
    for change in changes:
        found = _said(change, first_seen)
        if found is None and page is not None and len(page.parts) == 3:
            found = _effective(datetime.date(*page.parts), "the page", page.wording, first_seen)
        out.append(replace(change, effective=found) if found else change)
    return tuple(out)


def _said(change: Change, first_seen: datetime.date | None) -> Effective | None:
    if change.kind in (ChangeKind.REMOVED, ChangeKind.MOVED) or not change.new:
        return None
    hit = effective_of(change.new, first_seen)
    if hit is None or (change.old and effective_of(change.old, first_seen) == hit):
        return None  # it says nothing of when, or said the same before: not this change's
    return _effective(hit[0], change.clause or "(unnumbered)", hit[1], first_seen)


def _effective(
    when: datetime.date, where: str, wording: str, first_seen: datetime.date | None
) -> Effective:
    after = (when - first_seen).days if first_seen else None
    return Effective(when.isoformat(), where, wording, after)


def _words(text: str, start: int, stop: int) -> str:
    return re.sub(r"\s+", " ", text[start:stop]).strip()
