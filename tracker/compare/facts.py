"""The figures a lawyer acts on, each read as one typed value.

``提前10个自然日`` → ``提前3个自然日`` is, to a reader, "10个自然日 → 3个自然日".
Every figure is read after NFKC (``３‰`` is ``3‰``) and keeps the page's wording:
a date is one value (:mod:`.dates`); a rate is a fraction whichever way it is
written (``3‰``, ``千分之三``, ``万分之五``, ``15%``); money is an amount in a
currency (``100元``, ``人民币5万元``, ``US$100``); a period keeps its unit
(``自然日``, ``工作日``, ``日``/``天``, ``小时``, ``个月``, ``周``), whether counted in
digits or in Chinese numerals (``三十日``, ``十五个工作日``, ``两个月``).

A figure changed when its value did: ``10天`` and ``10日`` are the same period.
:func:`fact_changes` pairs an old figure with a new one of the same unit first,
then of the same kind, so ``10个自然日`` → ``10个工作日`` is one pair.  A bare
number (a clause number, "第3款") is no fact, nor a numeral inside a word
(``上一年度``, the previous year, is no period of one year).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from ..model import Fact
from . import dates
from .numerals import ARABIC, CN_DIGITS, CN_NUMERAL, EN_NUMBER, number


class Kind(StrEnum):
    """What a figure measures."""

    AMOUNT = "amount"  # money
    DURATION = "duration"
    SHARE = "share"  # a rate (percent, per mille, 万分之) or a multiple
    DATE = "date"
    QUANTITY = "quantity"  # an age, a count of times, a size


@dataclass(frozen=True)
class Figure:
    """One figure in a text: as the page words it (after NFKC), and what it is."""

    wording: str
    kind: Kind
    unit: str  # what it counts: "working day", "CNY", "rate", "date"…
    value: object  # a Decimal, or a dates.Day

    @property
    def key(self) -> tuple[Kind, str, object]:
        """What two figures must share to be the same figure."""
        return self.kind, self.unit, self.value


_NUM = rf"(?:{ARABIC}|{CN_NUMERAL})"
# A numeral inside a word (上一年度, 第三日, 同一天, 统一…) is no figure.
_IN_A_WORD = "上下同当本唯统某任逐其单"
_CN_NUMERAL_CHARS = frozenset("零〇一二两三四五六七八九十百千万亿")

_CURRENCY = {
    "人民币": "CNY", "rmb": "CNY", "cny": "CNY", "元": "CNY", "¥": "CNY", "yuan": "CNY",
    "usd": "USD", "us$": "USD", "$": "USD", "美元": "USD", "dollar": "USD", "dollars": "USD",
    "hk$": "HKD", "hkd": "HKD", "港元": "HKD", "港币": "HKD",
    "eur": "EUR", "€": "EUR", "欧元": "EUR", "euro": "EUR", "euros": "EUR",
    "gbp": "GBP", "£": "GBP", "英镑": "GBP", "日元": "JPY",
}  # fmt: skip
_PERIOD = {
    "个自然日": "natural day", "自然日": "natural day", "个日历日": "natural day",
    "日历日": "natural day", "个工作日": "working day", "工作日": "working day",
    "个营业日": "working day", "营业日": "working day", "日": "day", "天": "day",
    "个小时": "hour", "小时": "hour", "分钟": "minute", "秒钟": "second", "秒": "second",
    "个星期": "week", "星期": "week", "周": "week", "个季度": "quarter", "季度": "quarter",
    "个月": "month", "年": "year",
}  # fmt: skip
_EN_PERIOD = {
    "calendar day": "natural day", "natural day": "natural day", "business day": "working day",
    "working day": "working day", "day": "day", "hour": "hour", "minute": "minute",
    "second": "second", "week": "week", "month": "month", "quarter": "quarter", "year": "year",
}  # fmt: skip
_RATE = {"%": Decimal("0.01"), "‰": Decimal("0.001"), "‱": Decimal("0.0001")}
_RATE |= {"百分之": _RATE["%"], "千分之": _RATE["‰"], "万分之": _RATE["‱"]}
_RATE |= {"percent": _RATE["%"], "per cent": _RATE["%"]}


def _alternatives(words: object) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))  # type: ignore[call-overload]


_CN_MONEY = "万元|亿元|美元|港元|港币|欧元|日元|英镑|元"
_SIGN = r"人民币|RMB|CNY|USD|US\$|HK\$|HKD|EUR|GBP|[$¥€£]"
_EN_UNIT = (
    r"(?:(?:business|calendar|working|natural)[ -])?"
    r"(?:day|hour|minute|second|week|month|quarter|year)s?"
)
_EN_MONEY = r"USD|RMB|CNY|EUR|GBP|HKD|(?:US )?dollars?|euros?|yuan"
_EN_COUNT = rf"\b({ARABIC}|{EN_NUMBER})(?:\s*\(\s*({ARABIC})\s*\))?"  # thirty (30)

# Each form: (kind, pattern); tried in this order where two start at the same place.
_FORMS: list[tuple[str, Kind, str]] = [
    *((f"date:{name}", Kind.DATE, pattern) for name, pattern in dates.FORMS.items()),
    ("amount:sign", Kind.AMOUNT, rf"({_SIGN})\s?({ARABIC})\s*([万亿]?)\s*(?:元|美元)?"),
    ("amount:cn", Kind.AMOUNT, rf"({_NUM})\s*([万亿]?)\s*({_CN_MONEY})(?:\s*人民币)?"),
    ("amount:en", Kind.AMOUNT, rf"({ARABIC})\s*({_EN_MONEY})\b"),
    ("share:sign", Kind.SHARE, rf"({ARABIC})\s*([%‰‱])"),
    ("share:cn", Kind.SHARE, rf"(百分之|千分之|万分之)({_NUM})"),
    ("share:en", Kind.SHARE, rf"({ARABIC})\s*(percent|per cent)\b"),
    ("share:times", Kind.SHARE, rf"({_NUM})\s*倍"),
    ("quantity:age", Kind.QUANTITY, rf"({_NUM})\s*(周岁|岁)"),
    ("quantity", Kind.QUANTITY, rf"({ARABIC})\s*(次|GB|MB|TB)"),
    ("quantity:age-en", Kind.QUANTITY, rf"{_EN_COUNT}\s+years?(?:\s+old|\s+of\s+age)\b"),
    ("duration:cn", Kind.DURATION, rf"({_NUM})\s*({_alternatives(_PERIOD)})"),
    ("duration:en", Kind.DURATION, rf"{_EN_COUNT}(?:\s+|\s*-\s*)({_EN_UNIT})\b"),
]  # fmt: skip
# Every figure begins with a digit, a Chinese numeral, a currency sign or code, 每, or a
# Latin letter (a month's name, "thirty"): the lookahead lets a search skip the rest of
# the text at once, where trying every form at every character cost ten times as much.
FIRST = r"\dA-Za-z人每$¥€£" + CN_DIGITS + "十百千万亿"  # 每: 每月15日
ALTERNATIVES = "|".join(f"(?P<f{n}>{p})" for n, (_, _, p) in enumerate(_FORMS))
_FACT = re.compile(f"(?=[{FIRST}])(?:{ALTERNATIVES})", re.I)
_PARTS = [re.compile(p, re.I) for _, _, p in _FORMS]


def figures(text: str, day_first: bool | None = None) -> list[Figure]:
    """The figures in ``text``, in order.  ``day_first``: how ``09/02/2025`` reads
    (None: as the text's own dates suggest)."""
    folded = unicodedata.normalize("NFKC", text)
    first = dates.day_first(folded) if day_first is None else day_first
    out: list[Figure] = []
    pos = 0
    while m := _FACT.search(folded, pos):
        n = int((m.lastgroup or "f0")[1:])
        found = None
        if not _mid_number(folded, m.start()):
            found = _read(n, m.group(0), folded, m.start(), first)
        if found is None:  # not a figure here: look again one character on
            pos = m.start() + 1
            continue
        out.append(found)
        pos = m.end()
    return out


def facts(text: str) -> list[str]:
    """The figures in ``text`` as the page words them."""
    return [f.wording for f in figures(text)]


def read_figure(wording: str) -> Figure | None:
    """A figure given alone (as a :class:`~tracker.model.Fact` side keeps it)."""
    found = figures(wording)
    return found[0] if len(found) == 1 and found[0].wording == " ".join(wording.split()) else None


def is_amount(fact: Fact) -> bool:
    """Whether either side of a differing figure is a sum of money: what a fee watch is for."""
    if fact.kind:
        return fact.kind == Kind.AMOUNT
    sides = (read_figure(side) for side in (fact.old, fact.new) if side)
    return any(f is not None and f.kind is Kind.AMOUNT for f in sides)


def fact_changes(old: str, new: str) -> list[Fact]:
    """Figures of ``old`` and ``new`` whose values differ, old paired with new: the same
    unit first, then the same kind; each in the order the texts give them."""
    first = dates.day_first(unicodedata.normalize("NFKC", old + "\n" + new))
    was, now = figures(old, first), figures(new, first)
    a, b = Counter(f.key for f in was), Counter(f.key for f in now)
    gone_keys, came_keys = a - b, b - a
    gone = _take(was, gone_keys)
    came = _take(now, came_keys)
    pairs: dict[int, Figure] = {}
    for same in (lambda x, y: x.kind is y.kind and x.unit == y.unit, lambda x, y: x.kind is y.kind):
        for i, g in enumerate(gone):
            if i not in pairs and (match := next((c for c in came if same(g, c)), None)):
                pairs[i] = match
                came.remove(match)
    out = [Fact(g.wording, _wording(pairs.get(i)), g.kind) for i, g in enumerate(gone)]
    return out + [Fact(None, c.wording, c.kind) for c in came]


def _wording(figure: Figure | None) -> str | None:
    return None if figure is None else figure.wording


def _take(found: list[Figure], keys: Counter[tuple[Kind, str, object]]) -> list[Figure]:
    """The figures whose keys ``keys`` counts, as many of each as it counts, in order."""
    left, out = Counter(keys), []
    for f in found:
        if left[f.key] > 0:
            left[f.key] -= 1
            out.append(f)
    return out


def _read(n: int, raw: str, text: str, start: int, first: bool) -> Figure | None:
    name, kind, _ = _FORMS[n]
    m = _PARTS[n].fullmatch(raw)
    if m is None:
        return None
    g = m.groups()
    wording = " ".join(raw.split())
    if kind is Kind.DATE:
        day = dates.read_date(name.split(":", 1)[1], raw, first)
        return None if day is None else Figure(wording, kind, "date", day)
    if _inside_a_word(g[0] or "", text, start, raw):
        return None
    unit, value = _measure(name, g)
    return None if value is None else Figure(wording, kind, unit, value)


def _mid_number(text: str, start: int) -> bool:
    """Whether ``start`` is inside a number (after a figure that was none: 次月15日)."""
    if not start:
        return False
    a, b = text[start - 1], text[start]
    return (a.isdigit() and b.isdigit()) or (a in _CN_NUMERAL_CHARS and b in _CN_NUMERAL_CHARS)


def _measure(name: str, g: tuple[str | None, ...]) -> tuple[str, Decimal | None]:
    """What a figure of form ``name`` counts, and how many (None: not a number)."""
    count = number(g[0] or "")
    if name == "amount:sign":
        value = _scaled(number(g[1] or ""), g[2])
        return _CURRENCY[(g[0] or "").lower()], value
    if name == "amount:cn":
        suffix = g[2] or ""
        value = _scaled(_scaled(count, g[1]), suffix[0] if suffix[0] in "万亿" else "")
        return _CURRENCY[suffix.lstrip("万亿") or "元"], value
    if name == "amount:en":
        return _CURRENCY[(g[1] or "").lower().removeprefix("us ")], count
    if name in ("share:sign", "share:en"):
        return "rate", None if count is None else count * _RATE[(g[1] or "").lower()]
    if name == "share:cn":
        of = number(g[1] or "")
        return "rate", None if of is None else of * _RATE[g[0] or ""]
    if name == "share:times":
        return "times", count
    if name == "quantity:age":
        return "age", count
    if name == "quantity:age-en":
        return "age", number(g[1]) if g[1] else count
    if name == "quantity":
        return (g[1] or "").lower(), count
    if name == "duration:cn":
        return _PERIOD[g[1] or ""], count
    spelled = number(g[1]) if g[1] else count  # thirty (30) days: the digits say
    unit = (g[2] or "").lower().replace("-", " ").removesuffix("s")
    return _EN_PERIOD[unit], None if spelled is None else Decimal(spelled)


def _scaled(value: Decimal | int | None, scale: str | None) -> Decimal | None:
    if value is None:
        return None
    return Decimal(value) * {"万": 10_000, "亿": 100_000_000}.get(scale or "", 1)


def _inside_a_word(count: str, text: str, start: int, raw: str) -> bool:
    """Whether a figure counted in Chinese numerals is part of a word: 上一年度, 同一天,
    第三日; or a period read in a date's day (次月15日)."""
    before = text[start - 1] if start else ""
    after = text[start + len(raw) : start + len(raw) + 1]
    if before and (before == "第" or (count[:1] in _CN_NUMERAL_CHARS and before in _IN_A_WORD)):
        return True
    if raw.endswith("年") and after and after in "度级代纪龄初底末":
        return True
    return before == "月" and raw.rstrip()[-1:] in "日天"
