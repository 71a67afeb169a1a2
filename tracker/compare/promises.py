"""The notice an agreement promises, clause by clause.

``提前10个自然日`` before charging (fee rules), ``至少提前24小时`` (maintenance),
``提前至少30天`` (major changes, termination), ``提前90天书面通知`` (assignment),
``通知发出后7天后生效``, "at least 30 days prior to the change taking effect", "30 days'
advance notice".  A clause that lets the agreement change with no notice at all
(``一经公布即生效``; the developer agreement's 9.1: Tencent may modify it, continuing to
use the service is acceptance) is a promise too: of none.  A change that takes effect
sooner than a promise covering it allows is the one thing its readers most need to hear.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from .numerals import ASCII_DIGITS, number
from .segment import segment


class Covers(StrEnum):
    """What a promise of notice is about (and what a change is about, to match them)."""

    FEES = "fees"
    ASSIGNMENT = "assignment"
    TERMINATION = "termination"
    MAINTENANCE = "maintenance"
    CHANGES = "changes"


@dataclass(frozen=True)
class Promise:
    """Notice one clause promises: how much, counted how, of what; ``period`` None: none."""

    clause: str
    covers: Covers
    period: int | None  # None: changes take effect with no notice
    unit: str  # as written: 自然日, 工作日, 天, 小时, days, business days …
    counted: str  # natural days | working days | hours | months | none
    wording: str

    def to_json(self) -> dict[str, object]:
        return {
            "clause": self.clause,
            "covers": str(self.covers),
            "period": self.period,
            "unit": self.unit,
            "counted": self.counted,
            "wording": self.wording,
        }

    def __str__(self) -> str:
        if self.period is None:
            return f"{self.clause} ({self.covers}): no notice ({self.wording})"
        return f"{self.clause} ({self.covers}): {self.period} {self.counted} ({self.wording})"


_N = r"(\d+|[一二两三四五六七八九十百]+)"
_CN_UNIT = r"(自然日|工作日|个工作日|日|天|小时|个月|周)"
_PERIODS = (
    re.compile(r"提前\s*(?:至少|不少于)?\s*" + _N + r"\s*(?:个)?\s*" + _CN_UNIT),
    re.compile(r"(?:至少|不少于)\s*提前\s*" + _N + r"\s*(?:个)?\s*" + _CN_UNIT),
    re.compile(r"(?:通知发出|公布|发布|公告)(?:之日)?\s*后\s*" + _N + r"\s*(?:个)?\s*" + _CN_UNIT),
    re.compile(
        r"at\s+least\s+(\d+)\s+((?:calendar\s+|business\s+|working\s+)?(?:days?|hours?))\s*['’]?"
        r"\s+(?:prior|before|in\s+advance|advance|notice)",
        re.I,
    ),
    re.compile(
        r"(\d+)\s+((?:calendar\s+|business\s+|working\s+)?days?)\s*['’]\s*(?:prior\s+|advance\s+)?"
        r"(?:written\s+)?notice",
        re.I,
    ),
    re.compile(
        r"(\d+)\s+((?:calendar\s+|business\s+)?days?)\s+after\s+(?:the\s+)?(?:updates?|changes?|"
        r"revisions?)\s+(?:are|is|have\s+been|has\s+been)\s+posted",
        re.I,
    ),
)
_NONE = (
    re.compile(r"一经(?:正式)?(?:公布|发布|公示)即(?:自动)?生效"),
    re.compile(r"有权(?:在必要时|随时)?(?:单方(?:面)?)(?:修改|变更|调整)"),
    re.compile(r"may\s+(?:modify|change|amend|update|revise)\s+.{0,80}?\bat\s+any\s+time", re.I),
    re.compile(r"effective\s+immediately\s+upon\s+posting", re.I),
)
_TOPICS = (
    (Covers.FEES, r"费用|收费|计费|价格|资费|付费|\bfees?\b|\bcharg|\bpric"),
    (Covers.ASSIGNMENT, r"转让|\bassign|\btransfer\s+its\s+rights"),
    (Covers.TERMINATION, r"终止|停止提供|下线|\bterminat|\bdiscontinu"),
    (Covers.MAINTENANCE, r"维护|检修|升级|迁移|\bmaintenance|\bupgrad|\breloc"),
    (Covers.CHANGES, r""),
)
_TRIGGER = re.compile(
    r"提前|通知|公布|发布|公告|一经|单方|notice|prior|advance|days\s+after|any\s+time|immediately",
    re.I,
)
_MARKS = re.compile(r"\*+|</?u>|\]\([^)\s]*\)|\[|^#+\s*", re.M)  # the dialect's marks, cheaply
_COMPILED_TOPICS = tuple((c, re.compile(p, re.I)) for c, p in _TOPICS)


def promises(text: str, ignore: Iterable[re.Pattern[str]] = ()) -> list[Promise]:
    """Every promise of notice in ``text``, in document order."""
    out = []
    for clause in segment(text, tuple(ignore)):
        if not clause.id or not _TRIGGER.search(clause.text):
            continue  # the cheap question first: most clauses speak of no notice at all
        plain = _MARKS.sub("", clause.text).translate(ASCII_DIGITS)
        covers = about(plain)
        matches = sorted((m for p in _PERIODS for m in p.finditer(plain)), key=_widest)
        kept: list[Promise] = []
        taken: list[tuple[int, int]] = []
        for m in matches:  # one promise per place: 至少提前24小时, not also 提前24小时
            if all(m.end() <= a or m.start() >= b for a, b in taken):
                taken.append(m.span())
                if (promise := _period(clause.id, covers, m)) is not None:
                    kept.append(promise)
        none = [hit for p in _NONE if (hit := p.search(plain)) is not None]
        if not kept and none:
            kept = [Promise(clause.id, Covers.CHANGES, None, "", "none", none[0].group(0))]
        out += sorted(kept, key=lambda p: plain.find(p.wording))
    return out


def _widest(m: re.Match[str]) -> tuple[int, int]:
    return (m.start(), -(m.end() - m.start()))


def about(text: str) -> Covers:
    """What a text is about, as promises are matched: fees first, then the rest."""
    return next(c for c, pattern in _COMPILED_TOPICS if pattern.search(text))


def _period(clause: str, covers: Covers, m: re.Match[str]) -> Promise | None:
    n = number(m.group(1))
    if n is None:
        return None
    unit = m.group(2)
    return Promise(clause, covers, int(n), unit.strip(), _counted(unit), m.group(0).strip())


def _counted(unit: str) -> str:
    unit = unit.lower()
    if "工作日" in unit or "business" in unit or "working" in unit:
        return "working days"
    if "小时" in unit or "hour" in unit:
        return "hours"
    if "月" in unit:
        return "months"
    if "周" in unit:
        return "weeks"
    return "natural days"
