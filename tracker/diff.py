"""What changed between two versions of an agreement, paragraph by paragraph.

Paragraphs are compared in their comparison form (see :mod:`tracker.normalise`)
and reported with their text as extracted.  A paragraph that starts with a
clause number is reported under that number.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from difflib import SequenceMatcher

from .normalise import comparable_pairs

KINDS = ("added", "removed", "modified", "moved")

_MARKUP = re.compile(r"</?u>|\*+|^#+\s*|^[-+]\s+")
_CLAUSE = re.compile(
    r"^\s*(第[一二三四五六七八九十百零〇两\d]+条|\d+(?:\.\d+)*(?=[.．、\s]|[^\d.]|$)|[（(]\d+[)）])"
)


@dataclass(frozen=True)
class Change:
    kind: str  # one of KINDS
    clause: str | None
    old: str | None
    new: str | None

    def to_json(self) -> dict[str, object]:
        return asdict(self)


def clause_of(line: str) -> str | None:
    """The clause number a paragraph starts with, if any."""
    m = _CLAUSE.match(_MARKUP.sub("", line))
    return m.group(1).rstrip(".") if m else None


def diff(old: str, new: str, ignore: Iterable[re.Pattern[str]] = ()) -> list[Change]:
    """Changed paragraphs between ``old`` and ``new``, in document order."""
    patterns = tuple(ignore)
    a = comparable_pairs(old, patterns)
    b = comparable_pairs(new, patterns)
    matcher = SequenceMatcher(None, [f for f, _ in a], [f for f, _ in b], autojunk=False)
    changes: list[Change] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        olds = [line for _, line in a[i1:i2]]
        news = [line for _, line in b[j1:j2]]
        for k in range(max(len(olds), len(news))):
            o = olds[k] if k < len(olds) else None
            n = news[k] if k < len(news) else None
            kind = "modified" if o and n else ("removed" if o else "added")
            changes.append(Change(kind, clause_of(n or o or ""), o, n))
    return changes
