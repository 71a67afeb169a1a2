"""What changed between two versions of an agreement, clause by clause.

Clauses (see :mod:`tracker.compare.segment`) are aligned by content as well as by
number (:mod:`tracker.compare.align`); each changed pair becomes one :class:`Change`.
Within a modified clause a character diff (diff-match-patch with semantic
cleanup, which suits Chinese) says exactly which characters changed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from ..model import Change, ChangeKind, Fact, Retarget
from ..text.dialect import LINK
from ..text.normalise import comparable
from .align import Pair, changed_pairs
from .facts import fact_changes, figures
from .inline import inline_diff
from .moves import Move, clause_at, find_moves, first_words, without, wording_lines
from .segment import Clause, plain, segment

_EMPHASIS = re.compile(r"</?u>|\*+")


def diff(old: str, new: str, ignore: Iterable[re.Pattern[str]] = ()) -> list[Change]:
    """Changed clauses between two texts, in document order; then the texts that moved."""
    patterns = tuple(ignore)
    return diff_texts(old, new, patterns, segment(old, patterns), segment(new, patterns))


def diff_texts(
    old: str,
    new: str,
    ignore: Sequence[re.Pattern[str]],
    a: Sequence[Clause],
    b: Sequence[Clause],
) -> list[Change]:
    """What changed from ``old`` to ``new`` (segmented as ``a`` and ``b``): the clauses, and
    each run of lines that moved with its words unchanged (:mod:`tracker.compare.moves`)."""
    # The clauses already hold each line's comparison form, in order: no second pass.
    found = find_moves([f for c in a for f in c.forms], [f for c in b for f in c.forms])
    if not found:
        return diff_clauses(a, b)
    old_lines, new_lines = wording_lines(old, ignore), wording_lines(new, ignore)
    stored = new.splitlines()
    moved = [_moved(m, a, b, [stored[new_lines[k][0]] for k in m.new]) for m in found]
    old_rest = without(old, {old_lines[k][0] for m in found for k in m.old})
    new_rest = without(new, {new_lines[k][0] for m in found for k in m.new})
    return diff_clauses(segment(old_rest, ignore), segment(new_rest, ignore)) + moved


def _moved(move: Move, a: Sequence[Clause], b: Sequence[Clause], lines: list[str]) -> Change:
    """One run of lines that moved, named by its first words and where it was and went."""
    was, now = clause_at(a, move.old.start), clause_at(b, move.new.start)
    # The clauses the run begins (a numbered clause that moved whole), not the one whose
    # paragraphs it trails: those are unnumbered text.
    numbered = [c for c in b if c.id and c.lines and c.lines[0] in lines]
    return Change(
        ChangeKind.MOVED,
        numbered[0].id if numbered else None,
        None,
        None,
        path=now.path if now else (),
        aspect="",
        count=len(lines),
        members=tuple(dict.fromkeys(c.id for c in numbered if c.id)),
        old_path=was.path if was else (),
        words=first_words(lines),
    )


def diff_clauses(a: Sequence[Clause], b: Sequence[Clause]) -> list[Change]:
    return [_change(p) for p in changed_pairs(a, b)]


# -- reporting -----------------------------------------------------------------------------


def _change(p: Pair) -> Change:
    kind = p.kind
    old, new = p.old, p.new
    count = 1 + len(p.folded)
    side = [(m.new or m.old) for m in (p, *p.folded)]
    members = tuple(dict.fromkeys(c.id for c in side if c and c.id))
    if kind in (ChangeKind.ADDED, ChangeKind.REMOVED):
        clauses = [c for c in side if c]
        text = "\n".join(c.text for c in clauses)
        # A clause added or removed with its figures changes them as much as an edit would.
        read = {f.wording: f.kind for f in figures(_body_plain(clauses))}
        added = kind is ChangeKind.ADDED
        found = tuple(Fact(None, w, k) if added else Fact(w, None, k) for w, k in read.items())
        return Change(
            kind,
            clauses[0].id,
            text if kind is ChangeKind.REMOVED else None,
            text if kind is ChangeKind.ADDED else None,
            path=clauses[0].path,
            facts=found,
            count=count,
            members=members,
            old_ids=members if kind is ChangeKind.REMOVED else (),
            new_ids=members if kind is ChangeKind.ADDED else (),
            moves=tuple((c.id, None) for c in clauses if c.id and kind is ChangeKind.REMOVED),
        )
    assert old is not None and new is not None
    renumbered = old.id if old.id != new.id else None
    if kind is ChangeKind.MOVED:
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
            old_path=old.path,
            words=first_words(new.lines),
            through=p.run[-1].new.id if p.run and p.run[-1].new else None,
            old_through=p.run[-1].old.id if p.run and p.run[-1].old else None,
            moves=tuple(
                (m.old.id, m.new.id)
                for m in (p, *p.folded)
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
