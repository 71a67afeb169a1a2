"""The figures a reader acts on: amounts, durations, percentages and dates.

``提前10个自然日`` → ``提前3个自然日`` is, to a reader, "10个自然日 → 3个自然日".
:func:`fact_changes` lists the figures that differ between two texts, pairing
an old figure with a new one of the same unit.  A bare number (a clause
number, "第3款", a count) is not a fact: what it means depends on words
around it, which the wording diff already shows.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from enum import Enum

from ..model import Fact

_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_CN_NUM = "零〇一二三四五六七八九十百千万两"
_NUM = rf"(?:\d+(?:[.,]\d+)*|[{_CN_NUM}]+)"
_MONEY_CN = "万元|亿元|美元|港元|欧元|日元|英镑|元"
_TIME_CN = (
    "个自然日|个工作日|个日历日|个营业日|自然日|工作日|日历日|营业日|个小时|小时|分钟|秒钟|秒|"
    "天|日|周|个星期|星期|个月|月|年"
)
_SHARE_CN = "‰|%|倍"
_QUANTITY_CN = "周岁|岁|次|GB|MB|TB"
_CURRENCY = r"(?:US\$|HK\$|USD|RMB|CNY|EUR|GBP|HKD|[$¥€£])"
_EN_TIME = r"(?:business |calendar |working )?(?:days?|hours?|minutes?|weeks?|months?|years?)"
_EN_MONEY = r"(?:USD|RMB|CNY|EUR|GBP|HKD|dollars?|euros?|yuan)"

_PATTERNS = (
    ("date", r"\d{4}\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?"),  # 2026年11月25日
    ("date", r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}"),  # 2026-11-25
    ("date", rf"\d{{1,2}}\s+(?:{_MONTHS})\s+\d{{4}}"),  # 25 November 2026
    ("date", rf"(?:{_MONTHS})\s+\d{{1,2}},?\s+\d{{4}}"),  # November 25, 2026
    ("date", r"(?:19|20)\d{2}\s*年"),  # 2019年: a year, not a duration
    ("share", rf"(?:百分之|千分之|万分之)[{_CN_NUM}\d.]+"),  # 百分之十
    ("amount", rf"{_CURRENCY}\s?\d[\d,]*(?:\.\d+)?"),  # US$100, ¥0.01
    ("amount", rf"{_NUM}\s*(?:{_MONEY_CN})"),  # 5000 元, 0.01元
    ("amount", rf"\d[\d,]*(?:\.\d+)?\s*{_EN_MONEY}\b"),  # 10 USD
    ("share", rf"{_NUM}\s*(?:{_SHARE_CN})"),  # 3‰, 15%
    ("quantity", rf"\d+(?:[.,]\d+)*\s*(?:{_QUANTITY_CN})"),  # 18周岁, 3次 (not 一次性)
    ("duration", rf"{_NUM}\s*(?:{_TIME_CN})"),  # 10个自然日, 15 天
    ("duration", rf"\d+(?:[.,]\d+)*\s*{_EN_TIME}\b"),  # 30 days
    ("share", r"\d+(?:[.,]\d+)*\s*(?:percent|per cent)\b"),  # 5 percent
)
_FACT = re.compile("|".join(f"(?P<k{n}>{p})" for n, (_, p) in enumerate(_PATTERNS)), re.I)
_UNIT = re.compile(rf"^[\d.,\s{_CN_NUM}]+|^{_CURRENCY}\s?[\d,.]+")


class Kind(Enum):
    """What a figure measures."""

    AMOUNT = "amount"  # money
    DURATION = "duration"
    SHARE = "share"  # a percentage, a per mille rate, a multiple
    DATE = "date"
    QUANTITY = "quantity"  # an age, a count of times, a size


_KINDS = [Kind(kind) for kind, _ in _PATTERNS]


def is_amount(fact: Fact) -> bool:
    """Whether either side of a differing figure is a sum of money: what a fee watch is for."""
    return any(side and kind(side) is Kind.AMOUNT for side in (fact.old, fact.new))


def facts(text: str) -> list[str]:
    """The figures in ``text``, in order, in compatibility-folded form (１０ is 10)."""
    folded = unicodedata.normalize("NFKC", text)
    return [" ".join(m.group(0).split()) for m in _FACT.finditer(folded)]


def kind(fact: str) -> Kind:
    """What a figure (as :func:`facts` gives it) measures."""
    m = _FACT.fullmatch(fact)
    if m is None or m.lastgroup is None:
        return Kind.QUANTITY
    return _KINDS[int(m.lastgroup[1:])]


def unit(fact: str) -> str:
    """What a figure counts: ``10个自然日`` → ``个自然日``, ``3‰`` → ``‰``, a date → ``date``."""
    if fact[:3] in ("百分之", "千分之", "万分之"):
        return fact[:3]
    if kind(fact) is Kind.DATE:
        return "date"
    return _UNIT.sub("", fact).strip().lower()


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
