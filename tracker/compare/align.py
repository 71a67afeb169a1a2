"""Which old clause is which new clause: alignment by number and by content.

First every clause whose number and words are unchanged is matched, in
order; then, between those anchors, clauses whose words are unchanged,
whatever their number (so a renumbered clause is ``moved``, never removed plus
added); then the clauses left in each gap are paired (:mod:`tracker.compare.pairing`:
by similarity, or by holding the same place, a clause split into sub-clauses
as a whole).  Finally a clause's descendants are folded into it when they were
added, removed or renumbered with it, so a chapter added as a whole is one
entry.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from ..model import ChangeKind, Retarget
from .pairing import Match, chapter_map, pair_gap
from .references import retargeted
from .segment import Clause


@dataclass
class Pair:
    """An aligned (old, new) clause pair; a side is None when added or removed.

    ``old_parts`` and ``new_parts`` are sub-clauses folded into a modified clause
    (the new 4.4.1-4.4.3 of a 4.4 that was split), reported as part of it.
    """

    old: Clause | None
    new: Clause | None
    order: tuple[float, float]
    members: list[Pair] = field(default_factory=list)
    old_parts: tuple[Clause, ...] = ()
    new_parts: tuple[Clause, ...] = ()
    moved: bool = False  # matched out of order: it stands elsewhere among the others now
    run: list[Pair] = field(default_factory=list)  # siblings renumbered with it by one shift

    @property
    def kind(self) -> ChangeKind:
        if self.old is None:
            return ChangeKind.ADDED
        if self.new is None:
            return ChangeKind.REMOVED
        same = self.old.body == self.new.body and not (self.old_parts or self.new_parts)
        return ChangeKind.MOVED if same and not self.retargets else ChangeKind.MODIFIED

    @property
    def folded(self) -> list[Pair]:
        """Every pair folded into this one, with those folded into them, in document order."""
        return [q for m in self.members for q in (m, *m.folded)]

    @property
    def olds(self) -> tuple[Clause, ...]:
        return (self.old, *self.old_parts) if self.old else ()

    @property
    def news(self) -> tuple[Clause, ...]:
        return (self.new, *self.new_parts) if self.new else ()

    @functools.cached_property
    def retargets(self) -> tuple[Retarget, ...]:
        """References whose words now lead to another document."""
        if self.old is None or self.new is None:
            return ()
        old = [r for c in self.olds for r in c.references]
        new = [r for c in self.news for r in c.references]
        return retargeted(old, new) if old and new else ()


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
                pairs.append(Pair(a[i], b[j], (j, i), moved=True))
    # The clauses that kept their words say which chapter became which.
    chapters = chapter_map((p.old, p.new) for p in pairs if p.old and p.new)
    for olds, news, start in gaps:
        news = [j for j in news if j not in taken]
        matches = pair_gap(a, b, olds, news, chapters)
        used_old = {i for m in matches for i in m.old}
        used_new = {j for m in matches for j in m.new}
        pairs.extend(_paired(a, b, m) for m in matches)
        pairs.extend(Pair(None, b[j], (j, -1)) for j in news if j not in used_new)
        left = [i for i in olds if i not in used_old]
        for k, i in enumerate(left):  # a removed clause sits where its gap was
            pairs.append(Pair(a[i], None, (start - 0.5 + k / (len(left) + 1), i)))
    return pairs


def _paired(a: Sequence[Clause], b: Sequence[Clause], m: Match) -> Pair:
    i, *old_rest = m.old
    j, *new_rest = m.new
    return Pair(
        a[i],
        b[j],
        (j, i),
        old_parts=tuple(a[k] for k in old_rest),
        new_parts=tuple(b[k] for k in new_rest),
    )


def _zip(i1: int, i2: int, j1: int, j2: int) -> zip[tuple[int, int]]:
    return zip(range(i1, i2), range(j1, j2), strict=True)


def _changed(p: Pair) -> bool:
    if p.old is None or p.new is None or p.moved:
        return True
    return p.kind is ChangeKind.MODIFIED or p.old.id != p.new.id


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
        if out and _moved_together(out[-1], p):  # a block that moved whole: one entry
            out[-1].members.append(p)
            continue
        if out and _renumbered_together(out[-1], p):  # chapters 4–9, from 3–8: one entry
            out[-1].members.append(p)
            out[-1].run.append(p)
            open_groups.append(p)
            continue
        out.append(p)
        if p.kind is not ChangeKind.MODIFIED and _key(p):
            open_groups.append(p)
    return out


def _moved_together(g: Pair, p: Pair) -> bool:
    """Whether ``p`` moved right behind ``g`` (or its last member): next to it before and after."""
    if not (g.moved and p.moved and g.kind is ChangeKind.MOVED and p.kind is ChangeKind.MOVED):
        return False
    last = g.members[-1] if g.members else g
    return (p.order[0] - last.order[0], p.order[1] - last.order[1]) == (1, 1)


def _renumbered_together(g: Pair, p: Pair) -> bool:
    """Whether ``p`` is the sibling right after ``g``'s last, renumbered by the same shift
    with its wording unchanged: a chapter inserted above renumbers all that follow it."""
    if g.kind is not ChangeKind.MOVED or p.kind is not ChangeKind.MOVED or g.moved or p.moved:
        return False
    last = g.run[-1] if g.run else g
    tail = g.folded[-1] if g.members else g
    if (p.order[0] - tail.order[0], p.order[1] - tail.order[1]) != (1, 1):
        return False  # something lies between them
    return _shift(last) is not None and _shift(p) == _shift(last) and _next_to(last, p)


def _shift(p: Pair) -> int | None:
    """How far a renumbered clause's own number moved (its parents' numbers unchanged)."""
    if p.old is None or p.new is None or not p.old.key or len(p.old.key) != len(p.new.key):
        return None
    (*old_up, old_n), (*new_up, new_n) = p.old.key, p.new.key
    if old_up != new_up or not isinstance(old_n, int) or not isinstance(new_n, int):
        return None
    return new_n - old_n or None


def _next_to(a: Pair, b: Pair) -> bool:
    """Whether ``b`` is ``a``'s next sibling, in the new numbering."""
    assert a.new is not None and b.new is not None
    (*a_up, a_n), (*b_up, b_n) = a.new.key, b.new.key
    return a_up == b_up and isinstance(a_n, int) and b_n == a_n + 1


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
    if p.kind is not ChangeKind.MOVED:
        return True
    assert g.old and g.new and p.old and p.new
    depth_old, depth_new = len(g.old.key), len(g.new.key)
    return p.old.within(g.old.key) and p.old.key[depth_old:] == p.new.key[depth_new:]
