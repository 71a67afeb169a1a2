"""How alike two texts are: the Dice coefficient of their character pairs.

Character pairs suit Chinese as well as English, and take linear time: the measure
the pairing of clauses, the tests of identity and the character diff's "is this a
rewrite?" all share.
"""

from __future__ import annotations

from collections.abc import Set


def dice(x: Set[object], y: Set[object]) -> float:
    """Twice the shared elements over all of them: 1 for equal sets, 0 for disjoint ones."""
    return 2 * len(x & y) / (len(x) + len(y) or 1)


def bigrams(text: str) -> frozenset[str]:
    """The text's character pairs (the text itself when it has one character)."""
    return frozenset(text[k : k + 2] for k in range(max(1, len(text) - 1)))
