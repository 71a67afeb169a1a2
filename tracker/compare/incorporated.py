"""Which agreements a text incorporates: the documents its clauses link by name.

The developer agreement's preamble and 9.1 link 《腾讯云服务协议》 and 《腾讯会议软件许可及
服务协议》: whoever accepts it is bound by them too.  :func:`cited` reads, from a stored
text alone, each named document it links and the clauses that link it; a change of one
of them is then a change of what the citing agreement's readers agreed to.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from ..text.dialect import LINK
from ..text.links import document
from .references import references
from .segment import segment


@dataclass(frozen=True)
class Cited:
    """A document a text links by name: its words, where it leads, and which clauses link it."""

    words: str
    target: str
    where: tuple[str, ...]

    @property
    def document(self) -> str:
        return document(self.target)

    def to_json(self) -> dict[str, object]:
        return {"words": self.words, "url": self.target, "where": list(self.where)}


def cited(text: str, ignore: Iterable[re.Pattern[str]] = ()) -> list[Cited]:
    """Each document ``text`` links by name, once, in the order it is first linked."""
    found: dict[str, tuple[str, str, list[str]]] = {}
    for clause in segment(text, tuple(ignore)):
        where = clause.id or "preamble"
        for ref in references(clause.lines):
            if not ref.target.startswith(("http://", "https://")):
                continue
            places = found.setdefault(document(ref.target), (ref.words, ref.target, []))[2]
            if where not in places:
                places.append(where)
    return [Cited(w, t, tuple(p)) for w, t, p in found.values()]


def linked(text: str) -> frozenset[str]:
    """Every web document any link of ``text`` leads to: a cheap superset of :func:`cited`'s
    (no segmenting, and links whose words name no document count too)."""
    if "](" not in text:
        return frozenset()
    targets = (m.group(2) for m in LINK.finditer(text))
    return frozenset(document(t) for t in targets if t.startswith(("http://", "https://")))
