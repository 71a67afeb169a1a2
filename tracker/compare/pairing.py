"""Pairing the clauses left between anchors, so that a rewritten clause is one change.

Inside a gap (the clauses between two stretches that kept their words, see
:mod:`tracker.compare.align`) an old clause and a new clause are the same clause when

* their words overlap substantially (character bigrams, which suit Chinese as
  well as English), or
* the new one holds the old one's number in the chapter the old one's chapter
  became: old 4.4 and new 4.4 when chapter 4 stayed chapter 4, old 5.2 and new
  6.2 when chapter 5 became chapter 6, but not old 5.2 and a new, unrelated 5.2.

A clause split into sub-clauses (old 4.4 → new 4.4 with 4.4.1-4.4.3) is
matched as a whole: the candidates include a clause together with its
descendants in the gap, on either side, so the old words are found where they
went.  Pairing is greedy, best score first, and deterministic.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .segment import Clause
from .similarity import bigrams, dice

_PAIR_THRESHOLD = 0.45  # similarity at which an old and a new clause are one clause
_PLACE_BONUS = 0.2  # added to the similarity of clauses that hold the same place
_MAX_PAIRING = 10_000  # candidate pairs per gap before pairing by place alone (about 0.1 s)

Key = tuple[object, ...]
Chapters = dict[Key, Key]  # an old chapter's key -> the new chapter it became


@dataclass(frozen=True)
class Match:
    """One old clause and one new clause, each with the descendants folded into it."""

    old: tuple[int, ...]  # indices into the old clauses: the clause first
    new: tuple[int, ...]


def chapter_map(pairs: Iterable[tuple[Clause, Clause]]) -> Chapters:
    """Which new chapter each old chapter became, by the votes of the clauses that kept words."""
    votes: dict[Key, Counter[Key]] = {}
    for old, new in pairs:
        if old.key and new.key:
            votes.setdefault(_split(old.key)[0], Counter())[_split(new.key)[0]] += 1
    return {chapter: v.most_common(1)[0][0] for chapter, v in votes.items()}


def same_place(old: Clause, new: Clause, chapters: Chapters) -> bool:
    """Whether ``new`` holds ``old``'s number, once ``old``'s chapter is renumbered as aligned."""
    return old.id is not None and bool(new.key) and new.key in _places(old, chapters)


def pair_gap(
    a: Sequence[Clause], b: Sequence[Clause], olds: list[int], news: list[int], chapters: Chapters
) -> list[Match]:
    """Pair the old and new clauses of one gap; unpaired ones were removed or added."""
    if not olds or not news:
        return []
    if len(olds) * len(news) > _MAX_PAIRING:  # a wholesale rewrite: pair by place alone
        return _by_place(a, b, olds, news, chapters, set(), set())
    old_families, new_families = _families(a, olds), _families(b, news)
    grams: dict[tuple[str, tuple[int, ...]], frozenset[str]] = {}

    def unit_grams(side: str, unit: tuple[int, ...]) -> frozenset[str]:
        if (side, unit) not in grams:
            clauses = a if side == "a" else b
            grams[side, unit] = bigrams("\n".join(clauses[k].body for k in unit))
        return grams[side, unit]

    scored: list[tuple[float, int, tuple[int, ...], tuple[int, ...]]] = []
    for i in olds:
        for j in news:
            bonus = _PLACE_BONUS if same_place(a[i], b[j], chapters) else 0.0
            for old_unit, new_unit in _units(i, j, old_families, new_families):
                score = dice(unit_grams("a", old_unit), unit_grams("b", new_unit)) + bonus
                if score >= _PAIR_THRESHOLD:
                    size = len(old_unit) + len(new_unit)  # at a tie, the smaller match
                    scored.append((score, size, old_unit, new_unit))
    scored.sort(key=lambda s: (-s[0], s[1], s[2], s[3]))
    used_old: set[int] = set()
    used_new: set[int] = set()
    out = []
    for _, _, old_unit, new_unit in scored:
        if used_old.isdisjoint(old_unit) and used_new.isdisjoint(new_unit):
            used_old.update(old_unit)
            used_new.update(new_unit)
            out.append(Match(old_unit, new_unit))
    return out + _by_place(a, b, olds, news, chapters, used_old, used_new)


def _by_place(
    a: Sequence[Clause],
    b: Sequence[Clause],
    olds: list[int],
    news: list[int],
    chapters: Chapters,
    used_old: set[int],
    used_new: set[int],
) -> list[Match]:
    """Pair what holds the same place and is still unpaired: a clause rewritten in place."""
    at: dict[Key, int] = {b[j].key: j for j in news if j not in used_new and b[j].key}
    out = []
    for i in olds:
        if i in used_old or a[i].id is None:
            continue
        j = next((at[k] for k in _places(a[i], chapters) if k in at), None)
        if j is None or j in used_new:
            continue
        used_old.add(i)
        used_new.add(j)
        out.append(Match((i,), (j,)))
    return out


def _places(old: Clause, chapters: Chapters) -> list[Key]:
    """Where ``old``'s number is in the new text: its chapter renumbered as aligned."""
    if not old.key:
        return []
    top, rest = _split(old.key)
    target = chapters.get(top)
    if target is None:  # no clause of that chapter kept its words
        return [] if top in chapters.values() else [old.key]  # the number went to another
    return [(*target, *rest)]


def _units(
    i: int, j: int, olds: dict[int, tuple[int, ...]], news: dict[int, tuple[int, ...]]
) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """The matches to weigh for ``i`` and ``j``: each alone, or one with its descendants."""
    units: list[tuple[tuple[int, ...], tuple[int, ...]]] = [((i,), (j,))]
    if len(news[j]) > 1:
        units.append(((i,), news[j]))  # split into sub-clauses
    if len(olds[i]) > 1:
        units.append((olds[i], (j,)))  # sub-clauses merged
    return units


def _families(clauses: Sequence[Clause], indices: list[int]) -> dict[int, tuple[int, ...]]:
    """Each clause of a gap, followed by its descendants that are in the gap with it."""
    present = set(indices)
    out = {}
    for k in indices:
        family = [k]
        key = clauses[k].key
        n = k + 1
        while key and n in present and clauses[n].within(key) and clauses[n].key != key:
            family.append(n)
            n += 1
        out[k] = tuple(family)
    return out


def _split(key: Key) -> tuple[Key, Key]:
    """A clause key as (chapter, place in the chapter): ``(3, 4, 1)`` → ``((3,), (4, 1))``."""
    width = 2 if isinstance(key[0], str) else 1  # ("章", 3) is one chapter key
    return key[:width], key[width:]
