"""What changed between two versions of an agreement, clause by clause.

Clauses (see :mod:`tracker.compare.segment`) are aligned by content as well as by
number (:mod:`tracker.compare.align`); each changed pair becomes one :class:`Change`.
Within a modified clause a character diff (diff-match-patch with semantic
cleanup, which suits Chinese) says exactly which characters changed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from diff_match_patch import diff_match_patch

from ..text.dialect import LINK
from ..text.normalise import comparable
from .align import Pair, changed_pairs
from .facts import Fact, fact_changes, facts
from .references import Retarget
from .segment import Clause, plain, segment

_OPS = {-1: "delete", 0: "equal", 1: "insert"}
_INVISIBLE = re.compile(r"[\u00a0\u3000\u200b\u200c\u200d\u2060\ufeff]")
_EMPHASIS = re.compile(r"</?u>|\*+")
_SPACES = re.compile(r"[ \t]+")


@dataclass(frozen=True)
class Span:
    op: str  # equal | delete | insert
    text: str


@dataclass(frozen=True)
class Change:
    kind: str  # a model.ChangeKind
    clause: str | None  # the clause's id (its old id when removed)
    old: str | None  # whole old clause text, None when added or moved
    new: str | None  # whole new clause text, None when removed or moved
    old_clause: str | None = None  # the old id, when the clause was renumbered
    path: tuple[str, ...] = ()
    aspect: str = "wording"  # wording, emphasis, reference, joined by "+" where several hold
    spans: tuple[Span, ...] = ()
    facts: tuple[Fact, ...] = ()
    count: int = 1  # clauses in this entry (a whole chapter added, removed or moved)
    members: tuple[str, ...] = ()  # ids of the clauses in this entry, itself included
    severity: str = "info"
    watches: tuple[str, ...] = ()
    references: tuple[Retarget, ...] = ()  # named documents whose links now lead elsewhere
    # For watches, not part of the report: the ids this entry's clauses had in the old text
    # and have in the new one, and where each renumbered or removed old clause went.
    old_ids: tuple[str, ...] = field(default=(), repr=False, compare=False)
    new_ids: tuple[str, ...] = field(default=(), repr=False, compare=False)
    moves: tuple[tuple[str, str | None], ...] = field(default=(), repr=False, compare=False)

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
            "references": [r.to_json() for r in self.references],
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
    if kind in ("added", "removed"):
        clauses = [c for c in side if c]
        text = "\n".join(c.text for c in clauses)
        # A clause added or removed with its figures changes them as much as an edit would.
        figures = dict.fromkeys(facts(_body_plain(clauses)))
        found = tuple(Fact(None, f) if kind == "added" else Fact(f, None) for f in figures)
        return Change(
            kind,
            clauses[0].id,
            text if kind == "removed" else None,
            text if kind == "added" else None,
            path=clauses[0].path,
            facts=found,
            count=count,
            members=members,
            old_ids=members if kind == "removed" else (),
            new_ids=members if kind == "added" else (),
            moves=tuple((c.id, None) for c in clauses if c.id) if kind == "removed" else (),
        )
    assert old is not None and new is not None
    renumbered = old.id if old.id != new.id else None
    if kind == "moved":
        return Change(
            kind,
            new.id,
            None,
            None,
            renumbered,
            new.path,
            aspect="",
            count=count,
            members=members,
            moves=tuple(
                (m.old.id, m.new.id)
                for m in (p, *p.members)
                if m.old and m.new and m.old.id and m.old.id != m.new.id
            ),
        )
    if p.old_parts or p.new_parts:  # a clause split into sub-clauses, or sub-clauses merged
        parts = [c.id for c in (*p.new_parts, *p.old_parts) if c.id]
        members = tuple(dict.fromkeys([*members, *parts]))
    old_text = "\n".join(c.text for c in p.olds)
    new_text = "\n".join(c.text for c in p.news)
    return Change(
        kind,
        new.id,
        old_text,
        new_text,
        renumbered,
        new.path,
        aspect=_aspect(old_text, new_text, p.retargets),
        spans=inline_diff(old_text, new_text),
        facts=tuple(fact_changes(_body_plain(p.olds), _body_plain(p.news))),
        count=len(members) or 1,
        members=members,
        references=p.retargets,
        old_ids=tuple(c.id for c in p.olds if c.id),
        new_ids=tuple(c.id for c in p.news if c.id),
        # A renumbered clause moved; sub-clauses merged into it went where it went.
        moves=tuple((c.id, new.id) for c in p.olds if c.id and c.id != new.id),
    )


def _aspect(old: str, new: str, retargets: Sequence[Retarget]) -> str:
    """What a modification touched: its wording, its emphasis, the documents it references."""
    unlinked_old, unlinked_new = LINK.sub(r"\1", old), LINK.sub(r"\1", new)
    wording = _words(unlinked_old) != _words(unlinked_new)
    emphasis = not wording and comparable(unlinked_old) != comparable(unlinked_new)
    aspects = [("wording", wording), ("emphasis", emphasis), ("reference", bool(retargets))]
    return "+".join(name for name, holds in aspects if holds) or "wording"


def _words(text: str) -> str:
    return comparable(_EMPHASIS.sub("", plain(text)))


def _body_plain(clauses: Sequence[Clause]) -> str:
    """What a reader reads of some clauses, without the first one's own number."""
    first, *rest = clauses
    head = plain(first.lines[0])
    label = plain(first.label) if first.label else ""
    if label and head.startswith(label):
        head = head[len(label) :]
    lines = [head, *(plain(line) for line in first.lines[1:])]
    return "\n".join(lines + [plain(line) for c in rest for line in c.lines])


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
    """A clause as a reader sees it, for marking: link targets go (``references`` has them)."""
    if "](" in text:
        text = LINK.sub(r"\1", text)
    return _SPACES.sub(" ", _INVISIBLE.sub(" ", text))
