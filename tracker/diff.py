"""What changed between two versions of an agreement, clause by clause.

Clauses (see :mod:`tracker.segment`) are aligned by content as well as by
number: first every clause whose words are unchanged is matched, in order,
whatever its number (so a renumbered clause is ``moved``, never removed plus
added); then the remaining clauses between those anchors are paired by
similarity (so old 10.3 and new 12.3 with new words are one ``modified``
pair).  A chapter added, removed or renumbered as a whole is one entry.
Within a modified clause a character diff (diff-match-patch with semantic
cleanup, which suits Chinese) says exactly which characters changed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from diff_match_patch import diff_match_patch

from .facts import Fact, fact_changes
from .normalise import comparable
from .segment import Clause, plain, segment

KINDS = ("added", "removed", "modified", "moved")
_PREFIX_SHARE = 0.9  # a text this much shorter that is the old text's start is cut off
_PAIR_THRESHOLD = 0.45  # similarity above which an old and a new clause are one clause
_MAX_PAIRING = 40_000  # candidate pairs per gap before falling back to pairing by number
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


@dataclass
class _Pair:
    """An aligned (old, new) clause pair; a side is None when added or removed."""

    old: Clause | None
    new: Clause | None
    order: tuple[float, float]
    members: list[_Pair] = field(default_factory=list)

    @property
    def kind(self) -> str:
        if self.old is None:
            return "added"
        if self.new is None:
            return "removed"
        return "moved" if self.old.body == self.new.body else "modified"


def diff(old: str, new: str, ignore: Iterable[re.Pattern[str]] = ()) -> list[Change]:
    """Changed clauses between two texts, in document order."""
    patterns = tuple(ignore)
    return diff_clauses(segment(old, patterns), segment(new, patterns))


def diff_clauses(a: Sequence[Clause], b: Sequence[Clause]) -> list[Change]:
    pairs = [p for p in _align(a, b) if _changed(p)]
    pairs.sort(key=lambda p: p.order)
    return [_change(p) for p in _group(pairs)]


def truncation(old_form: str, new_form: str, ratio: float) -> str | None:
    """Why ``new_form`` looks like a truncated capture of ``old_form``, or None.

    Either it is implausibly short, or it is the start of the old text with the
    rest missing (a page that stopped part-way), both in comparison form.
    """
    if len(new_form) < ratio * len(old_form):
        share = 100 * len(new_form) / max(1, len(old_form))
        sizes = f"{len(new_form)} of {len(old_form)} characters"
        return f"text is {share:.0f}% of the last good version ({sizes})"
    if len(new_form) < _PREFIX_SHARE * len(old_form):
        old_lines, new_lines = old_form.splitlines(), new_form.splitlines()
        k = len(new_lines) - 1
        if (
            0 <= k < len(old_lines)
            and new_lines[:k] == old_lines[:k]
            and old_lines[k].startswith(new_lines[k])
        ):
            kept = f"{k + 1} of {len(old_lines)}"
            return f"text stops part-way: it holds only the first {kept} paragraphs"
    return None


# -- alignment ---------------------------------------------------------------------------


def _align(a: Sequence[Clause], b: Sequence[Clause]) -> list[_Pair]:
    pairs: list[_Pair] = []
    gaps: list[tuple[list[int], list[int], float]] = []
    # Anchor first on clauses that kept both number and words, so that repeated wording
    # elsewhere (the same list item in two clauses) cannot pull the alignment astray...
    by_number = SequenceMatcher(
        None, [(c.id, c.body) for c in a], [(c.id, c.body) for c in b], False
    )
    for op, i1, i2, j1, j2 in by_number.get_opcodes():
        if op == "equal":
            pairs.extend(_Pair(a[i], b[j], (j, i)) for i, j in _zip(i1, i2, j1, j2))
            continue
        # ...then, between anchors, on words alone: what matches there was renumbered.
        sub = SequenceMatcher(None, [c.body for c in a[i1:i2]], [c.body for c in b[j1:j2]], False)
        for op2, k1, k2, l1, l2 in sub.get_opcodes():
            i, j = i1 + k1, j1 + l1
            if op2 == "equal":
                pairs.extend(_Pair(a[x], b[y], (y, x)) for x, y in _zip(i, i1 + k2, j, j1 + l2))
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
                pairs.append(_Pair(a[i], b[j], (j, i)))
    for olds, news, start in gaps:
        news = [j for j in news if j not in taken]
        paired = _pair_by_similarity(a, b, olds, news)
        used_old = {i for i, _ in paired}
        used_new = {j for _, j in paired}
        pairs.extend(_Pair(a[i], b[j], (j, i)) for i, j in paired)
        pairs.extend(_Pair(None, b[j], (j, -1)) for j in news if j not in used_new)
        for k, i in enumerate(olds):
            if i not in used_old:  # a removed clause sits where its gap was
                pairs.append(_Pair(a[i], None, (start - 0.5 + k / (len(olds) + 1), i)))
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


def _changed(p: _Pair) -> bool:
    if p.old is None or p.new is None:
        return True
    return p.old.body != p.new.body or p.old.id != p.new.id


# -- grouping ------------------------------------------------------------------------------


def _group(pairs: list[_Pair]) -> list[_Pair]:
    """Fold a clause's descendants into it when they were added, removed or renumbered with it."""
    out: list[_Pair] = []
    open_groups: list[_Pair] = []
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


def _key(p: _Pair) -> tuple[object, ...]:
    clause = p.new or p.old
    return clause.key if clause else ()


def _inside(p: _Pair, g: _Pair) -> bool:
    """Whether ``p`` lies inside group ``g``, in the new text (or the old, for removals)."""
    if g.new is not None and p.new is not None:
        return p.new.within(g.new.key) and p.new.key != g.new.key
    if g.old is not None and p.old is not None:
        return p.old.within(g.old.key) and p.old.key != g.old.key
    return False


def _absorbs(g: _Pair, p: _Pair) -> bool:
    if g.kind != p.kind:
        return False
    if p.kind != "moved":
        return True
    assert g.old and g.new and p.old and p.new
    depth_old, depth_new = len(g.old.key), len(g.new.key)
    return p.old.within(g.old.key) and p.old.key[depth_old:] == p.new.key[depth_new:]


# -- reporting -----------------------------------------------------------------------------


def _change(p: _Pair) -> Change:
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
