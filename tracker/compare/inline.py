"""Which characters changed inside one modified clause: a character diff, bounded by size.

diff-match-patch (with semantic cleanup, which suits Chinese) marks an edit to the
character, but its cost grows with the product of the two sides' lengths when they
differ much: two unrelated 800-character clauses take a third of a second, and a
rewrite of every clause of a long agreement would take minutes.  So the cheap
questions come first:

* sides that share few character pairs (a clause rewritten, not edited) are shown
  whole, old against new: marks inside a rewrite are noise, and cost the most;
* sides whose lengths multiply past :data:`BUDGET` are first diffed by phrase (each
  run up to a ，。；… is one symbol), then character by character inside each
  changed run of phrases, each run again under the same rules (when no phrase is
  left as it was, each is diffed with the one in its place).

Every diff-match-patch call is then bounded by :data:`BUDGET`, never by its timeout.
"""

from __future__ import annotations

import itertools
import re

from diff_match_patch import diff_match_patch

try:
    import fast_diff_match_patch as _fast
except ImportError:  # no wheel for this platform: the pure-Python diff does the same
    _fast = None

from ..model import Span
from ..text.dialect import LINK
from .similarity import bigrams, dice

# Symbol pairs (old length × new length) one character diff may weigh: about 6 ms at
# worst.  Longer sides are split at phrases first.
BUDGET = 10_000
# Character-pair similarity under which two sides are a rewrite, shown whole.
ALIKE = 0.4

_OPS = {-1: "delete", 0: "equal", 1: "insert"}
_FAST_OPS = {"-": -1, "=": 0, "+": 1}
_INVISIBLE = re.compile(r"[\u00a0\u3000\u200b\u200c\u200d\u2060\ufeff]")
_SPACES = re.compile(r"[ \t]+")
_WORD = re.compile(r"[A-Za-z0-9_'’-]+|\s+|.", re.S)
_STOPS = frozenset("，。；：、！？,.;:!?\n")  # where a phrase ends
_BASE = 0x100

Diffs = list[tuple[int, str]]


def inline_diff(old: str, new: str) -> tuple[Span, ...]:
    """Character spans from ``old`` to ``new``, cleaned up to read as words and figures.

    Latin words are diffed whole (each becomes one symbol for diff-match-patch);
    CJK text is diffed character by character, where each character is a word.
    """
    symbols = _Symbols()
    a, b = symbols.encode(_display(old)), symbols.encode(_display(new))
    dmp = diff_match_patch()
    dmp.Diff_Timeout = 0  # no clock: the size rules above bound every call
    diffs = _diff(dmp, a, b, symbols.stops)
    dmp.diff_cleanupSemantic(diffs)
    spans = [Span(_OPS[op], symbols.decode(text)) for op, text in diffs]
    return tuple(s for s in spans if s.text)


class _Symbols:
    """Tokens (or phrases) as one character each, so that diff-match-patch compares words,
    not letters (or phrases, not words)."""

    def __init__(self) -> None:
        self.codes: dict[str, str] = {}
        self.tokens: dict[int, str] = {}  # a symbol's code point -> its token (str.translate)
        self.stops: set[str] = set()

    def encode(self, text: str) -> str:
        tokens = _WORD.findall(text)
        codes = self.codes
        new = [t for t in dict.fromkeys(tokens) if t not in codes]  # numbered as first seen
        if new:
            start = len(codes)
            for k, token in enumerate(new, start):
                code = _symbol(k)
                codes[token], self.tokens[ord(code)] = code, token
            self.stops.update(codes[t] for t in _STOPS.intersection(new))
        return "".join([codes[t] for t in tokens])

    def code(self, token: str) -> str:
        """The token's symbol: the next one free, the first time it is seen."""
        code = self.codes.get(token)
        if code is None:
            code = _symbol(len(self.codes))
            self.codes[token], self.tokens[ord(code)] = code, token
            if token in _STOPS:
                self.stops.add(code)
        return code

    def decode(self, symbols: str) -> str:
        return symbols.translate(self.tokens)


def _diff(dmp: diff_match_patch, a: str, b: str, stops: set[str]) -> Diffs:
    """A diff of two symbol strings, within the rules of this module, which weigh only
    what lies between their common beginning and end (an edit of a long clause is short)."""
    head = dmp.diff_commonPrefix(a, b)
    tail = dmp.diff_commonSuffix(a[head:], b[head:])
    out: Diffs = [(0, a[:head])] if head else []
    out += _middle(dmp, a[head : len(a) - tail], b[head : len(b) - tail], stops)
    return out + ([(0, a[len(a) - tail :])] if tail else [])


def _middle(dmp: diff_match_patch, a: str, b: str, stops: set[str]) -> Diffs:
    """What changed between two sides that begin and end differently."""
    if not a or not b:
        return [(-1, a)] if a else [(1, b)] if b else []
    if dice(bigrams(a), bigrams(b)) < ALIKE:
        return [(-1, a), (1, b)]
    if len(a) * len(b) <= BUDGET:
        return _main(dmp, a, b)
    pa, pb = _phrases(a, stops), _phrases(b, stops)
    if len(pa) * len(pb) > BUDGET or (len(pa) == 1 and len(pb) == 1):
        return [(-1, a), (1, b)]  # too long to split usefully: shown whole
    coarse = _by_phrase(dmp, pa, pb)
    out: Diffs = []
    if not any(op == 0 for op, _ in coarse):  # every phrase reworded: each with its fellow
        for x, y in itertools.zip_longest(pa, pb, fillvalue=""):
            out += _diff(dmp, x, y, stops)
        return out
    for equal, run in itertools.groupby(coarse, key=lambda d: d[0] == 0):
        parts = list(run)
        if equal:
            out += parts
            continue
        old = "".join(t for op, t in parts if op < 0)
        new = "".join(t for op, t in parts if op > 0)
        out += _diff(dmp, old, new, stops)  # shorter than a and b: it ends
    return out


def _by_phrase(dmp: diff_match_patch, pa: list[str], pb: list[str]) -> Diffs:
    """The diff of two phrase lists, each phrase one symbol (as diff-match-patch's line mode)."""
    phrases = _Symbols()
    x, y = "".join(map(phrases.code, pa)), "".join(map(phrases.code, pb))
    return [(op, phrases.decode(text)) for op, text in _main(dmp, x, y)]


def _symbol(k: int) -> str:
    """The ``k``-th symbol: one character each, past ASCII, never a surrogate."""
    n = _BASE + k
    return chr(n + 0x800 if n >= 0xD800 else n)


def _main(dmp: diff_match_patch, a: str, b: str) -> Diffs:
    """diff-match-patch's diff of ``a`` and ``b``: the C++ one when installed (the same
    result, five times sooner), else the pure-Python one."""
    if _fast is not None:
        found = _fast.diff(a, b, timelimit=0, checklines=False, cleanup="No", counts_only=False)
        return [(_FAST_OPS[op], text) for op, text in found]
    return [(int(op), str(text)) for op, text in dmp.diff_main(a, b, False)]


def _phrases(symbols: str, stops: set[str]) -> list[str]:
    """``symbols`` cut after each phrase-ending symbol."""
    out, start = [], 0
    for i, ch in enumerate(symbols):
        if ch in stops:
            out.append(symbols[start : i + 1])
            start = i + 1
    if start < len(symbols):
        out.append(symbols[start:])
    return out


def _display(text: str) -> str:
    """A clause as a reader sees it, for marking: link targets go (``references`` has them)."""
    if "](" in text:
        text = LINK.sub(r"\1", text)
    return _SPACES.sub(" ", _INVISIBLE.sub(" ", text))
