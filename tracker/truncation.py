"""A capture cut short: a text that cannot be the agreement's next version."""

from __future__ import annotations

_PREFIX_SHARE = 0.9  # a text this much shorter that is the old text's start is cut off


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
