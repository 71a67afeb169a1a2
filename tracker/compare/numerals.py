"""Numbers as agreements write them: ``10``, ``1,000.50``, ``三十``, ``十五``, ``两``,
``二〇二七``, ``1.5万``, ``thirty``, ``ninety-nine``.

A figure's value, not its spelling, says whether it changed: ``三十日`` and
``30日`` are the same period.  :func:`number` reads one; it answers None for
what only looks like one (``万一``, "in case", is no ten thousand and one).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

CN_DIGITS = "零〇一二两三四五六七八九"
CN_NUMERAL = f"[{CN_DIGITS}十百千万亿]+"
ARABIC = r"\d+(?:[.,]\d+)*"

# Full-width digits (２０２４) as ASCII, one character for one: spans found stay put.
ASCII_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_WIDE_DIGIT = re.compile("[０-９]")


def ascii_digits(text: str) -> str:
    """``text`` with full-width digits as ASCII; untouched (and fast) when it has none."""
    return text.translate(ASCII_DIGITS) if _WIDE_DIGIT.search(text) else text


_DIGIT = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}
_SMALL = {"十": 10, "百": 100, "千": 1000}
_LARGE = {"万": 10_000, "亿": 100_000_000}
_EN_ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen "
    "fourteen fifteen sixteen seventeen eighteen nineteen"
).split()
_EN_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70}
_EN_TENS |= {"eighty": 80, "ninety": 90}
_EN_WORD = {w: i for i, w in enumerate(_EN_ONES)} | _EN_TENS
EN_NUMBER = (
    rf"(?:(?:{'|'.join(_EN_TENS)})(?:-(?:{'|'.join(_EN_ONES[1:10])}))?"
    rf"|{'|'.join(sorted(_EN_ONES, key=len, reverse=True))})"
)
_SCALED = re.compile(rf"({ARABIC})\s*([万亿])")


def number(text: str) -> Decimal | None:
    """The value of one number in any of the forms above; None if it is not one."""
    text = text.strip()
    if not text:
        return None
    if scaled := _SCALED.fullmatch(text):
        base = arabic(scaled.group(1))
        return None if base is None else base * _LARGE[scaled.group(2)]
    if text[0].isdigit():
        return arabic(text)
    whole = chinese(text) if text[0] in _DIGIT or text[0] in "十百千万亿" else english(text)
    return None if whole is None else Decimal(whole)


def arabic(text: str) -> Decimal | None:
    """``1,000.50`` (thousands by comma), ``2,5`` (a decimal comma), ``1.000,5``."""
    if "," in text and "." in text:
        mark = "," if text.rfind(",") < text.rfind(".") else "."
        text = text.replace(mark, "").replace(",", ".")
    elif "," in text:
        groups = text.split(",")
        grouped = all(len(g) == 3 for g in groups[1:]) and 1 <= len(groups[0]) <= 3
        text = text.replace(",", "" if grouped else ".")
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def chinese(text: str) -> int | None:
    """A Chinese numeral: positional (``一百二十``, ``十五``, ``两万``) or digit by digit
    (``二〇二七``); None for a string that is none (``万一``, ``十十``)."""
    if all(c in _DIGIT for c in text):
        if len(text) == 1 or (len(text) >= 4 and text[0] not in "零〇"):  # 二〇二七, not 二三
            return int("".join(str(_DIGIT[c]) for c in text))
        return None
    total = section = 0
    digit: int | None = None
    small, large = 10**4, 10**9  # each unit is below the one before it
    for c in text:
        if c in _DIGIT:
            if digit:  # two digits in a row (二三) is no numeral
                return None
            digit = _DIGIT[c]
        elif c in _SMALL:
            unit = _SMALL[c]
            if unit >= small or (digit is None and (unit != 10 or section or total)):
                return None  # 十百, or 百 with no count (十 alone is ten: 十五)
            section += (1 if digit is None else digit) * unit
            digit, small = None, unit
        else:
            unit = _LARGE[c]
            if unit >= large or not (section or digit):  # 万一: no count before 万
                return None
            total += (section + (digit or 0)) * unit
            section, digit, small, large = 0, None, 10**4, unit
    return total + section + (digit or 0)


def english(text: str) -> int | None:
    """``thirty``, ``ninety-nine``, ``seven``: what English terms spell out."""
    words = text.lower().replace("-", " ").split()
    if not words or any(w not in _EN_WORD for w in words) or len(words) > 2:
        return None
    if len(words) == 2 and not (words[0] in _EN_TENS and _EN_WORD[words[1]] < 10):
        return None
    return sum(_EN_WORD[w] for w in words)
