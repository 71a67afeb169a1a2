"""A text much shorter than the last good one: a capture cut short, or a real revision.

A capture cut short (a page that stopped loading part-way, a summary-only
capture) is much shorter than the last good text and made of its lines.  It
is not the agreement's next version: it is held back as an error until it
persists.  A much shorter text that is mostly new wording (a rewritten
imprint, a policy replaced by a shorter one) is a revision, reported at once
and flagged as a large removal.  On real histories the two are far apart:
truncated captures keep 99-100 % of their paragraphs from the old text, real
shorter rewrites at most a fifth.
"""

from __future__ import annotations

from dataclasses import dataclass

_PREFIX_SHARE = 0.9  # a text this much shorter that is the old text's start is cut off
_OLD_LINES = 0.9  # share of old paragraphs at which a much shorter text is a truncation


@dataclass(frozen=True)
class Shrink:
    """How a text shrank against the last good one."""

    reason: str  # one line for the user
    truncated: bool  # made of the old text's lines: a capture cut short, not a revision


def shrink(old_form: str, new_form: str, ratio: float) -> Shrink | None:
    """How ``new_form`` shrank against ``old_form`` (both in comparison form), or None.

    Much shorter means under ``ratio`` of the old length; a text that is the
    old one's start with the rest missing is cut off whatever its length.
    """
    old_lines, new_lines = old_form.splitlines(), new_form.splitlines()
    if len(new_form) < ratio * len(old_form):
        share = _made_of(old_lines, new_lines)
        size = 100 * len(new_form) / max(1, len(old_form))
        reason = (
            f"text is {size:.0f}% of the last good version "
            f"({len(new_form)} of {len(old_form)} characters, "
            f"{100 * share:.0f}% of its paragraphs from it)"
        )
        return Shrink(reason, truncated=share >= _OLD_LINES)
    if len(new_form) < _PREFIX_SHARE * len(old_form):
        k = len(new_lines) - 1
        if (
            0 <= k < len(old_lines)
            and new_lines[:k] == old_lines[:k]
            and old_lines[k].startswith(new_lines[k])
        ):
            kept = f"{k + 1} of {len(old_lines)}"
            return Shrink(f"text stops part-way: it holds only the first {kept} paragraphs", True)
    return None


def _made_of(old_lines: list[str], new_lines: list[str]) -> float:
    """The share of ``new_lines`` found in ``old_lines``; a last line may be cut mid-way."""
    if not new_lines:
        return 1.0
    old = set(old_lines)
    found = sum(line in old for line in new_lines[:-1])
    last = new_lines[-1]
    found += last in old or any(line.startswith(last) for line in old_lines)
    return found / len(new_lines)
