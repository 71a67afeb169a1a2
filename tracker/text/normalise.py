"""The comparison form of a text: what is wording stays, what is rendering goes.

Snapshots keep the text as extracted; only comparisons use this form.  It
folds Unicode compatibility forms (full-width digits, NBSP, U+3000), drops
zero-width characters, collapses whitespace, forgets blank lines, heading
levels and bullet markers, keeps a space only between two words (beside CJK
characters, punctuation or markup it carries no meaning, and re-renders add
or remove it freely), and drops lines the source says to ignore.

Link targets go too, and with them the link itself: a reader sees a link's
words, not where it points, and sites rewrite targets (obfuscated e-mail
addresses, tracking parameters, a link added around unchanged words) on every
load.  The targets that do matter, those of references to other documents,
are compared on their own (:mod:`tracker.compare.references`).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable

from .dialect import LINK

_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e]")
# The compatibility forms Chinese pages are full of (full-width ASCII, NBSP, U+3000),
# mapped the way NFKC maps them, so that most text needs no full NFKC pass at all.
_WIDE = re.compile("[\uff01-\uff5e\u00a0\u3000]")
_SPACE = re.compile(r"\s+")
_CJK = (
    r"\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3190-\u31ff\u3400-\u4dbf"
    r"\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
)
_CJK_SPACE = re.compile(rf"(?<=[{_CJK}]) | (?=[{_CJK}])")
# A space only separates two words; beside punctuation or markup it is layout.
_LONE_SPACE = re.compile(r"(?<![^\W_]) | (?![^\W_])")
_BLOCK_MARK = re.compile(r"^(?:#{1,6}\s+|[-*+•·]\s+)")


def _narrow(m: re.Match[str]) -> str:
    c = ord(m.group())
    return " " if c in (0xA0, 0x3000) else chr(c - 0xFEE0)


def fold(text: str) -> str:
    """NFKC, then without zero-width characters: exactly that, but fast on Chinese text."""
    text = _WIDE.sub(_narrow, text)
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return _ZERO_WIDTH.sub("", text)


def _tidy(line: str) -> str:
    """A folded line's wording: links, whitespace, block markers and layout spaces dropped."""
    if "](" in line:
        line = LINK.sub(r"\1", line)
    line = _BLOCK_MARK.sub("", _SPACE.sub(" ", line).strip())
    if " " in line:
        line = _LONE_SPACE.sub("", _CJK_SPACE.sub("", line))
    return line


def normalise_line(line: str) -> str:
    """One line in comparison form ('' if it has no wording)."""
    return _tidy(fold(line))


def ignored(line: str, patterns: Iterable[re.Pattern[str]], form: str | None = None) -> bool:
    """Whether a line matches one of the source's ``ignore`` patterns.

    Patterns are tried on the line as shown and in comparison form, so that
    ``^最近更新时间：`` matches whichever way the colon was written.  ``form`` is
    the line's comparison form, when the caller has it already.
    """
    stripped = line.strip()
    folded = normalise_line(line) if form is None else form
    return any(p.search(stripped) or p.search(folded) for p in patterns)


def line_forms(text: str) -> list[tuple[str, str]]:
    """``(line, comparison form)`` for every line, blank forms included.

    A text is read twice in a row (its comparison key, then its clauses): the last
    few texts' forms are kept.
    """
    return list(_line_forms(text))


@functools.lru_cache(maxsize=4)
def _line_forms(text: str) -> tuple[tuple[str, str], ...]:
    lines = text.splitlines()
    folded = fold(text).splitlines()  # one pass over the text, not one per line
    if len(folded) != len(lines):  # no folding adds or removes a line break, but be sure
        folded = [fold(line) for line in lines]
    return tuple((line, _tidy(wide)) for line, wide in zip(lines, folded, strict=True))


def comparable_pairs(text: str, ignore: Iterable[re.Pattern[str]] = ()) -> list[tuple[str, str]]:
    """``(comparison form, line as extracted)`` for each line that has wording."""
    patterns = tuple(ignore)
    return [
        (form, line.strip())
        for line, form in line_forms(text)
        if form and not (patterns and ignored(line, patterns, form))
    ]


def comparable_lines(text: str, ignore: Iterable[re.Pattern[str]] = ()) -> list[str]:
    """The text's non-empty lines in comparison form, without ignored lines."""
    return [folded for folded, _ in comparable_pairs(text, ignore)]


def comparable(text: str, ignore: Iterable[re.Pattern[str]] = ()) -> str:
    """The whole text in comparison form: equal forms mean no change in wording."""
    return "\n".join(comparable_lines(text, ignore))
