"""The figures a reader acts on: numbers, durations, amounts, percentages, dates.

``提前10个自然日`` → ``提前3个自然日`` is, to a reader, "10个自然日 → 3个自然日".
:func:`fact_changes` lists the figures that differ between two texts, pairing
an old figure with a new one of the same unit.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_CN_NUM = "零〇一二三四五六七八九十百千万两"
_NUM = rf"(?:\d+(?:[.,]\d+)*|[{_CN_NUM}]+)"
_CN_UNIT = (
    "个自然日|个工作日|个日历日|个营业日|自然日|工作日|日历日|营业日|个小时|小时|分钟|秒钟|秒|"
    "天|日|周岁|周|个星期|星期|个月|月|年|倍|‰|%|元|万元|亿元|美元|港元|次|岁|GB|MB|TB"
)
_EN_UNIT = (
    r"(?:business |calendar |working )?(?:days?|hours?|minutes?|weeks?|months?|years?)"
    r"|percent|per cent"
)
_FACT = re.compile(
    "|".join(
        (
            r"\d{4}\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?",  # 2026年11月25日
            r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}",  # 2026-11-25
            rf"\d{{1,2}}\s+(?:{_MONTHS})\s+\d{{4}}",  # 25 November 2026
            rf"(?:{_MONTHS})\s+\d{{1,2}},?\s+\d{{4}}",  # November 25, 2026
            rf"(?:百分之|千分之|万分之)[{_CN_NUM}\d.]+",  # 百分之十
            r"(?:US\$|HK\$|USD|RMB|CNY|EUR|[$¥€£])\s?\d[\d,]*(?:\.\d+)?",  # US$100
            rf"{_NUM}\s*(?:{_CN_UNIT})",  # 10个自然日, 3‰, 15 天
            rf"\d+(?:[.,]\d+)*\s*(?:{_EN_UNIT})\b",  # 30 days
            r"\d+(?:[.,]\d+)*",  # any other number
        )
    ),
    re.I,
)
_UNIT = re.compile(rf"^[\d.,\s{_CN_NUM}]+|^(?:US\$|HK\$|USD|RMB|CNY|EUR|[$¥€£])\s?[\d,.]+")


@dataclass(frozen=True)
class Fact:
    """One differing figure: ``old`` → ``new``; a side is None if it has no counterpart."""

    old: str | None
    new: str | None

    def to_json(self) -> dict[str, str | None]:
        return {"old": self.old, "new": self.new}

    def __str__(self) -> str:
        return f"{self.old or '∅'} → {self.new or '∅'}"


def facts(text: str) -> list[str]:
    """The figures in ``text``, in order, in compatibility-folded form (１０ is 10)."""
    folded = unicodedata.normalize("NFKC", text)
    return [" ".join(m.group(0).split()) for m in _FACT.finditer(folded)]


def unit(fact: str) -> str:
    """What a figure counts: ``10个自然日`` → ``个自然日``, ``3‰`` → ``‰``, ``7`` → ``""``."""
    if fact[:3] in ("百分之", "千分之", "万分之"):
        return fact[:3]
    stripped = _UNIT.sub("", fact).strip()
    return "date" if re.search(r"年.*月|\d[-/.]\d|" + _MONTHS, fact) else stripped.lower()


def fact_changes(old: str, new: str) -> list[Fact]:
    """Figures of ``old`` and ``new`` that differ, old paired with new by unit."""
    old_facts, new_facts = facts(old), facts(new)
    a, b = Counter(old_facts), Counter(new_facts)
    first_old = {f: i for i, f in reversed(list(enumerate(old_facts)))}
    first_new = {f: i for i, f in reversed(list(enumerate(new_facts)))}
    gone = sorted((a - b).elements(), key=first_old.__getitem__)
    came = sorted((b - a).elements(), key=first_new.__getitem__)
    out: list[Fact] = []
    for g in gone:
        match = next((c for c in came if unit(c) == unit(g)), None)
        if match is not None:
            came.remove(match)
        out.append(Fact(g, match))
    out.extend(Fact(None, c) for c in came)
    return out
