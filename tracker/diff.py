"""What changed between two versions of an agreement, clause by clause.

Clauses (see :mod:`tracker.segment`) are aligned by content as well as by
number (:mod:`tracker.align`); each changed pair becomes one :class:`Change`.
Within a modified clause a character diff (diff-match-patch with semantic
cleanup, which suits Chinese) says exactly which characters changed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from diff_match_patch import diff_match_patch

from .align import Pair, changed_pairs
from .facts import Fact, fact_changes
from .normalise import comparable
from .segment import Clause, plain, segment

KINDS = ("added", "removed", "modified", "moved")
_OPS = {-1: "delete", 0: "equal", 1: "insert"}
_INVISIBLE = re.compile(r"[\u00a0\u3000\u200b\u200c\u200d\u2060\ufeff]")
_LINKS = re.compile(r"\]\([^)\s]*\)")
_EMPHASIS = re.compile(r"</?u>|\*+")
_SPACES = re.compile(r"[ \t]+")


@dataclass(frozen=True)
class Span:
    op: str  # equal | delete | insert
    text: str


@dataclass(frozen=True)
class Change:
    kind: str  # one of KINDS
    clause: str | None  # the clause's id (its old id when removed)
    old: str | None  # whole old clause text, None when added or moved
    new: str | None  # whole new clause text, None when removed or moved
    old_clause: str | None = None  # the old id, when the clause was renumbered
    path: tuple[str, ...] = ()
    aspect: str = "wording"  # wording | emphasis | link | emphasis+link
    spans: tuple[Span, ...] = ()
    facts: tuple[Fact, ...] = ()
    count: int = 1  # clauses in this entry (a whole chapter added, removed or moved)
    members: tuple[str, ...] = ()  # ids of the clauses in this entry, itself included
    severity: str = "info"
    watches: tuple[str, ...] = ()

    def to_json(self) -> dict[str, object]:
        return {
            "clause": self.clause,
            "kind": self.kind,
            "old": self.old,
            "new": self.new,
            "old_clause": self.old_clause,
            "path": list(self.path),
            "path_text": " › ".join(self.path),
            "aspect": self.aspect,
            "diff": [{"op": s.op, "text": s.text} for s in self.spans],
            "facts": [f.to_json() for f in self.facts],
            "count": self.count,
            "members": list(self.members),
            "severity": self.severity,
            "watches": list(self.watches),
        }


def diff(old: str, new: str, ignore: Iterable[re.Pattern[str]] = ()) -> list[Change]:
    """Changed clauses between two texts, in document order."""
    patterns = tuple(ignore)
    return diff_clauses(segment(old, patterns), segment(new, patterns))


def diff_clauses(a: Sequence[Clause], b: Sequence[Clause]) -> list[Change]:
    return [_change(p) for p in changed_pairs(a, b)]


# -- reporting -----------------------------------------------------------------------------


def _change(p: Pair) -> Change:
    kind = p.kind
    old, new = p.old, p.new
    count = 1 + len(p.members)
    side = [(m.new or m.old) for m in (p, *p.members)]
    members = tuple(dict.fromkeys(c.id for c in side if c and c.id))
    if kind == "added":
        assert new is not None
        text = "\n".join([new.text, *(m.new.text for m in p.members if m.new)])
        return Change(kind, new.id, None, text, path=new.path, count=count, members=members)
    if kind == "removed":
        assert old is not None
        text = "\n".join([old.text, *(m.old.text for m in p.members if m.old)])
        return Change(kind, old.id, text, None, path=old.path, count=count, members=members)
    assert old is not None and new is not None
    renumbered = old.id if old.id != new.id else None
    if kind == "moved":
        return Change(
            kind, new.id, None, None, renumbered, new.path, aspect="", count=count, members=members
        )
    return Change(
        kind,
        new.id,
        old.text,
        new.text,
        renumbered,
        new.path,
        aspect=_aspect(old.text, new.text),
        spans=inline_diff(old.text, new.text),
        facts=tuple(fact_changes(_body_plain(old), _body_plain(new))),
        members=members,
    )


def _aspect(old: str, new: str) -> str:
    """What a modification touched: the wording, or only emphasis and/or link targets."""
    if _words(old) != _words(new):
        return "wording"
    emphasis = comparable(_LINKS.sub("]", old)) != comparable(_LINKS.sub("]", new))
    links = comparable(_EMPHASIS.sub("", old)) != comparable(_EMPHASIS.sub("", new))
    if emphasis and links:
        return "emphasis+link"
    return "emphasis" if emphasis else "link" if links else "wording"


def _words(text: str) -> str:
    return comparable(plain(_LINKS.sub("]", text)))


def _body_plain(c: Clause) -> str:
    first = plain(c.lines[0])
    label = plain(c.label) if c.label else ""
    if label and first.startswith(label):
        first = first[len(label) :]
    return "\n".join((first, *(plain(line) for line in c.lines[1:])))


def inline_diff(old: str, new: str) -> tuple[Span, ...]:
    """Character spans from ``old`` to ``new``, cleaned up to read as words and figures.

    Latin words are diffed whole (each becomes one symbol for diff-match-patch);
    CJK text is diffed character by character, where each character is a word.
    """
    table: dict[str, str] = {}
    tokens: list[str] = []
    a, b = _encode(_display(old), table, tokens), _encode(_display(new), table, tokens)
    dmp = diff_match_patch()
    dmp.Diff_Timeout = 0.05  # past this, a coarser (still correct) diff of a long rewrite
    diffs = dmp.diff_main(a, b, False)
    dmp.diff_cleanupSemantic(diffs)
    spans = [Span(_OPS[op], "".join(tokens[ord(ch) - _BASE] for ch in text)) for op, text in diffs]
    return tuple(s for s in spans if s.text)


_BASE = 0x100
_WORD = re.compile(r"[A-Za-z0-9_'’-]+|\s+|.", re.S)


def _encode(text: str, table: dict[str, str], tokens: list[str]) -> str:
    out = []
    for token in _WORD.findall(text):
        code = table.get(token)
        if code is None:
            n = _BASE + len(tokens)
            code = table[token] = chr(n + 0x800 if n >= 0xD800 else n)  # skip surrogates
            tokens.append(token)
        out.append(code)
    return "".join(out)


def _display(text: str) -> str:
    return _SPACES.sub(" ", _INVISIBLE.sub(" ", text))
