"""Which old clause is which new clause: alignment by number and by content.

First every clause whose number and words are unchanged is matched, in
order; then, between those anchors, clauses whose words are unchanged,
whatever their number (so a renumbered clause is ``moved``, never removed plus
added); then the remaining clauses of each gap are paired by similarity (so
old 10.3 and new 12.3 with new words are one ``modified`` pair).  Finally a
clause's descendants are folded into it when they were added, removed or
renumbered with it, so a chapter added as a whole is one entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from .segment import Clause

_PAIR_THRESHOLD = 0.45  # similarity above which an old and a new clause are one clause
_MAX_PAIRING = 40_000  # candidate pairs per gap before falling back to pairing by number


@dataclass
class Pair:
    """An aligned (old, new) clause pair; a side is None when added or removed."""

    old: Clause | None
    new: Clause | None
    order: tuple[float, float]
    members: list[Pair] = field(default_factory=list)

    @property
    def kind(self) -> str:
        if self.old is None:
            return "added"
        if self.new is None:
            return "removed"
        return "moved" if self.old.body == self.new.body else "modified"


def changed_pairs(a: Sequence[Clause], b: Sequence[Clause]) -> list[Pair]:
    """The aligned pairs that changed, in document order, descendants folded into groups."""
    pairs = [p for p in _align(a, b) if _changed(p)]
    pairs.sort(key=lambda p: p.order)
    return _group(pairs)


def _align(a: Sequence[Clause], b: Sequence[Clause]) -> list[Pair]:
    pairs: list[Pair] = []
    gaps: list[tuple[list[int], list[int], float]] = []
    # Anchor first on clauses that kept both number and words, so that repeated wording
    # elsewhere (the same list item in two clauses) cannot pull the alignment astray...
    by_number = SequenceMatcher(
        None, [(c.id, c.body) for c in a], [(c.id, c.body) for c in b], False
    )
    for op, i1, i2, j1, j2 in by_number.get_opcodes():
        if op == "equal":
            pairs.extend(Pair(a[i], b[j], (j, i)) for i, j in _zip(i1, i2, j1, j2))
            continue
        # ...then, between anchors, on words alone: what matches there was renumbered.
        sub = SequenceMatcher(None, [c.body for c in a[i1:i2]], [c.body for c in b[j1:j2]], False)
        for op2, k1, k2, l1, l2 in sub.get_opcodes():
            i, j = i1 + k1, j1 + l1
            if op2 == "equal":
                pairs.extend(Pair(a[x], b[y], (y, x)) for x, y in _zip(i, i1 + k2, j, j1 + l2))
            else:
                gaps.append((list(range(i, i1 + k2)), list(range(j, j1 + l2)), j))
    # A clause whose words are unchanged but which moved elsewhere is still the same clause.
    spare_new: dict[str, list[int]] = {}
    for _, news, _ in gaps:
        for j in news:
            spare_new.setdefault(b[j].body, []).append(j)
    taken: set[int] = set()
    for olds, _, _ in gaps:
        for i in list(olds):
            candidates = spare_new.get(a[i].body)
            if candidates:
                j = candidates.pop(0)
                taken.add(j)
                olds.remove(i)
                pairs.append(Pair(a[i], b[j], (j, i)))
    for olds, news, start in gaps:
        news = [j for j in news if j not in taken]
        paired = _pair_by_similarity(a, b, olds, news)
        used_old = {i for i, _ in paired}
        used_new = {j for _, j in paired}
        pairs.extend(Pair(a[i], b[j], (j, i)) for i, j in paired)
        pairs.extend(Pair(None, b[j], (j, -1)) for j in news if j not in used_new)
        for k, i in enumerate(olds):
            if i not in used_old:  # a removed clause sits where its gap was
                pairs.append(Pair(a[i], None, (start - 0.5 + k / (len(olds) + 1), i)))
    return pairs


def _zip(i1: int, i2: int, j1: int, j2: int) -> zip[tuple[int, int]]:
    return zip(range(i1, i2), range(j1, j2), strict=True)


def _pair_by_similarity(
    a: Sequence[Clause], b: Sequence[Clause], olds: list[int], news: list[int]
) -> list[tuple[int, int]]:
    """Greedy best-first pairing of the old and new clauses left in one gap."""
    if not olds or not news:
        return []
    scored: list[tuple[float, int, int]] = []
    if len(olds) * len(news) > _MAX_PAIRING:  # a rewrite: pair what kept its number
        by_id = {b[j].id: j for j in news if b[j].id}
        scored = [(1.0, i, by_id[a[i].id]) for i in olds if a[i].id in by_id]
    else:
        grams = {("b", j): _bigrams(b[j].body) for j in news}
        for i in olds:
            mine = _bigrams(a[i].body)
            for j in news:
                theirs = grams["b", j]
                same_id = a[i].id is not None and a[i].id == b[j].id
                score = 2 * len(mine & theirs) / (len(mine) + len(theirs) or 1)
                score += 0.2 if same_id else 0.0
                if score >= _PAIR_THRESHOLD:
                    scored.append((score, i, j))
    scored.sort(key=lambda s: (-s[0], s[1], s[2]))
    used_old: set[int] = set()
    used_new: set[int] = set()
    out = []
    for _, i, j in scored:
        if i not in used_old and j not in used_new:
            used_old.add(i)
            used_new.add(j)
            out.append((i, j))
    return out


def _bigrams(text: str) -> frozenset[str]:
    """Character pairs: a similarity measure as good for Chinese as for English, and linear."""
    return frozenset(text[k : k + 2] for k in range(max(1, len(text) - 1)))


def _changed(p: Pair) -> bool:
    if p.old is None or p.new is None:
        return True
    return p.old.body != p.new.body or p.old.id != p.new.id


# -- grouping ------------------------------------------------------------------------------


def _group(pairs: list[Pair]) -> list[Pair]:
    """Fold a clause's descendants into it when they were added, removed or renumbered with it."""
    out: list[Pair] = []
    open_groups: list[Pair] = []
    for p in pairs:
        open_groups = [g for g in open_groups if _inside(p, g)]
        host = next((g for g in reversed(open_groups) if _absorbs(g, p)), None)
        if host is not None:
            host.members.append(p)
            continue
        out.append(p)
        if p.kind in ("added", "removed", "moved") and _key(p):
            open_groups.append(p)
    return out


def _key(p: Pair) -> tuple[object, ...]:
    clause = p.new or p.old
    return clause.key if clause else ()


def _inside(p: Pair, g: Pair) -> bool:
    """Whether ``p`` lies inside group ``g``, in the new text (or the old, for removals)."""
    if g.new is not None and p.new is not None:
        return p.new.within(g.new.key) and p.new.key != g.new.key
    if g.old is not None and p.old is not None:
        return p.old.within(g.old.key) and p.old.key != g.old.key
    return False


def _absorbs(g: Pair, p: Pair) -> bool:
    if g.kind != p.kind:
        return False
    if p.kind != "moved":
        return True
    assert g.old and g.new and p.old and p.new
    depth_old, depth_new = len(g.old.key), len(g.new.key)
    return p.old.within(g.old.key) and p.old.key[depth_old:] == p.new.key[depth_new:]
