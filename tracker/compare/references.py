"""References: links that name another document, and which of them now point elsewhere.

The comparison form ignores link targets (:mod:`tracker.text.normalise`).  The one
kind of target a reader is bound by is a reference, a link whose words name
another document: when the developer agreement's 《腾讯云服务协议》 link leads to
a different page, the agreement now incorporates a different text.  A
reference is matched with its counterpart by its words; it has been
*retargeted* when the same words now lead to a different document (see
:func:`tracker.text.links.document`).  A link merely added around, or removed from,
words that did not change retargets nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from ..model import Retarget
from ..text.dialect import LINK
from ..text.links import document, names_a_document
from ..text.normalise import normalise_line


@dataclass(frozen=True)
class Reference:
    """A link whose words name a document."""

    words: str  # as a reader sees them
    target: str  # as extracted

    @property
    def key(self) -> str:
        """What matches a reference with its counterpart: its words, in comparison form."""
        return normalise_line(self.words)


def references(lines: Iterable[str]) -> tuple[Reference, ...]:
    """The references in some lines of the stored dialect, in order."""
    found = []
    for line in lines:
        if "](" not in line:
            continue
        for m in LINK.finditer(line):
            words = _plain_words(m.group(1))
            if words and names_a_document(words):
                found.append(Reference(words, m.group(2)))
    return tuple(found)


def signature(refs: Iterable[Reference]) -> str:
    """One string that differs when a reference's words or document do: a cheap pre-check."""
    return "\n".join(f"{r.key}\t{document(r.target)}" for r in refs)


def retargeted(old: Iterable[Reference], new: Iterable[Reference]) -> tuple[Retarget, ...]:
    """References present on both sides whose words now lead to another document."""
    before: dict[str, list[Reference]] = {}
    for ref in old:
        before.setdefault(ref.key, []).append(ref)
    after: dict[str, list[Reference]] = {}
    for ref in new:
        after.setdefault(ref.key, []).append(ref)
    out: list[Retarget] = []
    for key, olds in before.items():
        news = after.get(key)
        if not news:
            continue  # the link went, or its words changed: the wording diff says so
        # Targets that both sides still have are not retargeted, wherever they sit.
        gone = [r for r in olds if document(r.target) not in {document(n.target) for n in news}]
        came = [r for r in news if document(r.target) not in {document(o.target) for o in olds}]
        out.extend(Retarget(o.words, o.target, n.target) for o, n in zip(gone, came, strict=False))
    return tuple(out)


_EMPHASIS = re.compile(r"</?u>|\*+")


def _plain_words(words: str) -> str:
    """A link's words without emphasis markers."""
    return " ".join(_EMPHASIS.sub("", words).split())
