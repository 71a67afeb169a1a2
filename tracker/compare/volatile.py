"""Lines that change from one load of a page to the next: a view counter, a relative time,
a list of related articles.  Whatever they say, the agreement did not change.

A selector wider than the agreement can take them in, and then every check alerts.
Two loads of the same page, seconds apart, tell them apart from the agreement:
:func:`changing_lines` names them, and :func:`line_pattern` writes an ``ignore``
pattern for one that keeps its words and changes its figures (``阅读量：8412``).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..text.holders import holder_of
from ..text.normalise import comparable_pairs, normalise_line
from .segment import plain

_DIGITS = re.compile(r"\d+(?:[.,]\d+)*")
_EMPHASIS_OPEN = r"\**(?:<u>)?\**"
_EMPHASIS_CLOSE = r"\**(?:</u>)?\**"


@dataclass
class Remedy:
    """Lines that changed between two loads, and how to leave them out."""

    lines: list[str] = field(default_factory=list)  # as a reader sees them
    ignore: list[str] = field(default_factory=list)  # patterns: lines whose figures change
    remove: list[str] = field(default_factory=list)  # selectors: elements whose lines change

    def settings(self) -> str:
        """The settings that leave them out, as TOML lines."""
        out = []
        for key in ("remove", "ignore"):
            if values := getattr(self, key):
                out.append(f"{key} = {json.dumps(values, ensure_ascii=False)}")
        return "\n".join(out)


def remedy(lines: list[str], containers: Sequence[str], pages: Sequence[str]) -> Remedy:
    """How to leave out ``lines`` (from :func:`changing_lines`) of ``pages``, the loads
    read within ``containers``: an ``ignore`` pattern for a line whose figures change,
    else the element that holds it (a list of related articles) to ``remove``, else
    the line itself to ``ignore``."""
    out = Remedy(lines)
    for line in lines:
        holder = None
        if line_pattern(line) is None:
            holder = next((h for html in pages if (h := holder_of(html, containers, line))), None)
        if holder is None:
            out.ignore.append(ignore_pattern(line))
        elif holder not in out.remove:
            out.remove.append(holder)
    out.ignore = list(dict.fromkeys(out.ignore))
    return out


def changing_lines(first: str, second: str) -> list[str]:
    """The lines (as a reader sees them) that one load has and the other has not."""
    one, two = comparable_pairs(first), comparable_pairs(second)
    a, b = Counter(form for form, _ in one), Counter(form for form, _ in two)
    only = (a - b) + (b - a)
    out: dict[str, None] = {}
    for form, line in (*one, *two):
        if only[form] > 0:
            out.setdefault(plain(line), None)
    return [line for line in out if line]


def line_pattern(line: str) -> str | None:
    """An ``ignore`` pattern for a line whose figures change (None if it has none): its
    words in comparison form (as ``ignore`` matches them), each number any number."""
    form = normalise_line(plain(line))
    if not _DIGITS.search(form):
        return None
    parts = _DIGITS.split(form)
    return _whole(r"\d+(?:[.,]\d+)*".join(re.escape(p) for p in parts))


def ignore_pattern(line: str) -> str:
    """An ``ignore`` pattern for a changing line: :func:`line_pattern` where its figures
    change, else the line itself (a related article's title)."""
    return line_pattern(line) or _whole(re.escape(normalise_line(plain(line))))


def _whole(words: str) -> str:
    return rf"^{_EMPHASIS_OPEN}{words}{_EMPHASIS_CLOSE}$"  # bold or underlined, too
