"""The comparison form of a text: what is wording stays, what is rendering goes.

Snapshots keep the text as extracted; only comparisons use this form.  It
folds Unicode compatibility forms (full-width digits, NBSP, U+3000), drops
zero-width characters, collapses whitespace, forgets blank lines, heading
levels and bullet markers, keeps a space only between two words (beside CJK
characters, punctuation or markup it carries no meaning, and re-renders add
or remove it freely), and drops lines the source says to ignore.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e"), None)
_SPACE = re.compile(r"\s+")
_CJK = (
    r"\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3190-\u31ff\u3400-\u4dbf"
    r"\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
)
_CJK_SPACE = re.compile(rf"(?<=[{_CJK}]) | (?=[{_CJK}])")
# A space only separates two words; beside punctuation or markup it is layout.
_LONE_SPACE = re.compile(r"(?<![^\W_]) | (?![^\W_])")
_BLOCK_MARK = re.compile(r"^(?:#{1,6}\s+|[-*+•·]\s+)")


def normalise_line(line: str) -> str:
    """One line in comparison form ('' if it has no wording)."""
    line = unicodedata.normalize("NFKC", line).translate(_ZERO_WIDTH)
    line = _SPACE.sub(" ", line).strip()
    line = _BLOCK_MARK.sub("", line)
    return _LONE_SPACE.sub("", _CJK_SPACE.sub("", line))


def ignored(line: str, patterns: Iterable[re.Pattern[str]]) -> bool:
    """Whether a line matches one of the source's ``ignore`` patterns.

    Patterns are tried on the line as shown and in comparison form, so that
    ``^最近更新时间：`` matches whichever way the colon was written.
    """
    stripped = line.strip()
    folded = normalise_line(line)
    return any(p.search(stripped) or p.search(folded) for p in patterns)


def comparable_pairs(text: str, ignore: Iterable[re.Pattern[str]] = ()) -> list[tuple[str, str]]:
    """``(comparison form, line as extracted)`` for each line that has wording."""
    patterns = tuple(ignore)
    out = []
    for line in text.splitlines():
        if patterns and ignored(line, patterns):
            continue
        if folded := normalise_line(line):
            out.append((folded, line.strip()))
    return out


def comparable_lines(text: str, ignore: Iterable[re.Pattern[str]] = ()) -> list[str]:
    """The text's non-empty lines in comparison form, without ignored lines."""
    return [folded for folded, _ in comparable_pairs(text, ignore)]


def comparable(text: str, ignore: Iterable[re.Pattern[str]] = ()) -> str:
    """The whole text in comparison form: equal forms mean no change in wording."""
    return "\n".join(comparable_lines(text, ignore))
