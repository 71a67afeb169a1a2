"""A much shorter text: a capture cut short (held back) or a real revision (reported at once)."""

from __future__ import annotations

import pytest

from tracker.compare.truncation import shrink
from tracker.text.normalise import comparable


def paragraphs(numbers, word: str = "内容") -> str:
    return "\n".join(f"第{i}段{word}。" for i in numbers)


FULL = paragraphs(range(100))

CASES = [
    # (old, new, what it is: "truncated", "revision" or None for no shrink at all)
    ("first-tenth-of-the-text", FULL, paragraphs(range(10)), "truncated"),
    ("summary-capture", FULL, paragraphs(range(0, 100, 10)), "truncated"),
    ("stops-mid-paragraph", FULL, paragraphs(range(30)) + "\n第30段", "truncated"),
    ("stops-part-way", FULL, paragraphs(range(80)) + "\n第80段", "truncated"),
    ("shorter-rewrite", FULL, paragraphs(range(10), "新的条款"), "revision"),
    (
        "mostly-new-some-old",
        FULL,
        paragraphs(range(3)) + "\n" + paragraphs(range(7), "新的条款"),
        "revision",
    ),
    (
        "nine-in-ten-old",
        FULL,
        paragraphs(range(18)) + "\n" + paragraphs(range(2), "新的条款"),
        "truncated",
    ),
    (
        "eight-in-ten-old",
        FULL,
        paragraphs(range(16)) + "\n" + paragraphs(range(4), "新的条款"),
        "revision",
    ),
    ("last-paragraphs-removed", FULL, paragraphs(range(95)), None),
    ("start-removed", FULL, paragraphs(range(20, 100)), None),
    ("longer", "a\nb", "a\nb\nc", None),
]


@pytest.mark.parametrize(("old", "new", "what"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_shrink(old, new, what):
    found = shrink(comparable(old), comparable(new), 0.5)
    assert (None if found is None else "truncated" if found.truncated else "revision") == what


def test_the_reason_says_how_much_is_left_and_how_much_of_it_is_old():
    found = shrink(comparable(FULL), comparable(paragraphs(range(10))), 0.5)
    assert found is not None
    assert found.reason.startswith("text is 9% of the last good version (69 of 789 characters")
    assert found.reason.endswith(", 100% of its paragraphs from it)")
