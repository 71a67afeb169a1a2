"""Text that moved with its words unchanged: one ``moved`` change, never silence, never a
removal and an addition.

An "Updated on … Versions: …" block moved from the end of a page to its top, or an
introduction moved below a table, changes no word, yet a reader sees a different
document.  Lines are compared in comparison form, in order: a run of whole lines
deleted in one place and the same run inserted in another has moved.  Such runs
are taken out of both texts before clauses are compared, so what else changed is
reported as usual, and each run is reported once, with its first words and the
heading path where it was and where it went.

A run must hold some words (``MIN_MOVED`` characters a reader reads): a lone
"是" or "否" swapped in a table is an edit of that table, not a moved text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from ..text.normalise import ignored, line_forms
from .segment import Clause, plain

MIN_MOVED = 12  # characters of text a moved run holds, at least


@dataclass(frozen=True)
class Move:
    """A run of lines that moved: where it was and where it is, among the texts' lines that
    carry wording (the lines clauses are made of)."""

    old: range
    new: range


def find_moves(old_forms: Sequence[str], new_forms: Sequence[str]) -> list[Move]:
    """The runs deleted in one place of ``old_forms`` and inserted whole in another."""
    matcher = SequenceMatcher(None, old_forms, new_forms, autojunk=False)
    deleted: list[range] = []
    inserted: list[range] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "delete":
            deleted.append(range(i1, i2))
        elif op == "insert":
            inserted.append(range(j1, j2))
    moves = []
    for gone in deleted:
        run = tuple(old_forms[k] for k in gone)
        if sum(len(form) for form in run) < MIN_MOVED:
            continue
        came = next((r for r in inserted if tuple(new_forms[k] for k in r) == run), None)
        if came is not None:
            inserted.remove(came)
            moves.append(Move(gone, came))
    return moves


def wording_lines(text: str, ignore: Sequence[re.Pattern[str]] = ()) -> list[tuple[int, str]]:
    """``(line number, comparison form)`` of each line with wording, as clauses take them."""
    return [
        (n, form)
        for n, (line, form) in enumerate(line_forms(text))
        if form and not (ignore and ignored(line, ignore, form))
    ]


def without(text: str, numbers: set[int]) -> str:
    """``text`` without the given lines (by line number)."""
    kept = [line for n, line in enumerate(text.splitlines()) if n not in numbers]
    return "\n".join(kept) + ("\n" if text.endswith("\n") else "")


def clause_at(clauses: Sequence[Clause], index: int) -> Clause | None:
    """The clause holding the ``index``-th line with wording (clauses hold them in order)."""
    seen = 0
    for clause in clauses:
        seen += len(clause.lines)
        if index < seen:
            return clause
    return clauses[-1] if clauses else None


def first_words(lines: Sequence[str], limit: int = 40) -> str:
    """The start of some lines as a reader sees them: what names a moved text."""
    words = " ".join(p for p in (plain(line) for line in lines) if p)
    return words if len(words) <= limit else words[: limit - 1] + "…"
