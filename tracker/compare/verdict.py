"""What a newly read text means against the latest version: a pure function of the two.

The answer (:class:`Verdict`) is one of: the same agreement; the same words
with only links moved, none of them a reference (recorded, so the next
comparison starts from the links as served, but never alerted); not a
document at all (a "not found", login or search page: an error, however often
it comes back); a capture cut short (much shorter and made of the old text's
lines: an error until it persists); another document where a baseline says
which one belongs there (an error); or a change, clause by clause, with
severities, the watches that fired, where renumbering took the watched
clauses, and whether the page now holds another document altogether
(``replaced``).  :func:`tracker.pipeline.decide.decide` says what to do about it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum

from ..config import Watch
from ..model import Change, Fired
from ..stamps import sha256
from ..text.normalise import comparable_pairs
from .changes import diff_texts
from .identity import identify, not_a_document, overlap, same_document, short, surely_long
from .references import references, signature
from .segment import segment
from .severity import Follows, assess, follow
from .truncation import shrink


class Verdict(Enum):
    SAME = "same"  # the same words, emphasis and referenced documents
    RELINKED = "relinked"  # only links that name no document changed: record, never alert
    NOT_A_DOCUMENT = "not-a-document"  # a soft 404: little text, saying it is not the page
    TRUNCATED = "truncated"  # much shorter and made of the old text's lines
    OTHER_DOCUMENT = "other-document"  # not the document a baseline says belongs here
    CHANGED = "changed"


@dataclass(frozen=True)
class Compared:
    """What a comparison reads of a text: its comparison form and the documents it references."""

    form: str
    references: str  # :func:`tracker.compare.references.signature` of the text's references

    @property
    def key(self) -> str:
        """Equal keys: nothing a reader could tell apart (stored in the state as ``form_hash``)."""
        return sha256(f"{self.form}\n\x00\n{self.references}")


@dataclass(frozen=True)
class Comparison:
    verdict: Verdict
    key: str  # of the new text
    changes: tuple[Change, ...] = ()
    fired: tuple[Fired, ...] = ()
    large_removal: bool = False  # much shorter, mostly new wording: a revision all the same
    reason: str | None = None  # why the text looks cut short, or is no document
    follows: dict[str, dict[str, str]] = field(default_factory=dict)  # after this change
    kept: tuple[int, int] = (0, 0)  # old clauses with a counterpart in the new text, of all
    names: tuple[str, str] | None = None  # old and new document, when the page holds another
    replaced: bool = False  # the page now holds another (named) document


def compared(text: str, ignore: Iterable[re.Pattern[str]] = ()) -> Compared:
    """What a comparison reads of ``text``."""
    pairs = comparable_pairs(text, ignore)
    form = "\n".join(f for f, _ in pairs)
    return Compared(form, signature(references(line for _, line in pairs)))


def soft_404(text: str, ignore: Sequence[re.Pattern[str]] = ()) -> str | None:
    """Why ``text`` is a "not found", login or search page and no document, or None.

    Only a short text can be one: a text surely long is never normalised to find out,
    nor one whose comparison form is long ever segmented.
    """
    if surely_long(text, ignore):
        return None
    form = compared(text, ignore).form
    return not_a_document(form, segment(text, ignore)) if short(form) else None


def compare(
    old: str,
    new: str,
    *,
    source_id: str,
    ignore: Sequence[re.Pattern[str]] = (),
    watches: Sequence[Watch] = (),
    truncation_ratio: float = 0.5,
    follows: Follows | None = None,
    titles: tuple[str | None, str | None] = (None, None),
    names: Sequence[str] = (),
    strict: bool = False,
) -> Comparison:
    """Compare the latest version's text ``old`` with the newly read ``new``.

    ``titles`` are the pages' titles (old, new), when known; ``names`` are what
    the configuration calls the document.  ``strict`` (a source seeded from a
    baseline) makes another document an error rather than a change.
    """
    follows = follows or {}
    before, after = compared(old, ignore), compared(new, ignore)
    key = after.key
    if before == after:
        return Comparison(Verdict.SAME, key, follows={k: dict(v) for k, v in follows.items()})
    a, b = segment(old, ignore), segment(new, ignore)
    if why := not_a_document(after.form, b):
        return Comparison(Verdict.NOT_A_DOCUMENT, key, reason=why)
    shrunk = None
    if before.form != after.form:
        shrunk = shrink(before.form, after.form, truncation_ratio)
    changes = diff_texts(old, new, ignore, a, b)
    moved = follow(changes, source_id, watches, follows)
    changes, fired = assess(changes, source_id, watches, follows, after=moved)
    if not changes:
        return Comparison(Verdict.RELINKED, key, follows=moved)
    if shrunk and shrunk.truncated:  # the changes, should the same text persist
        return Comparison(
            Verdict.TRUNCATED,
            key,
            tuple(changes),
            tuple(fired),
            large_removal=True,
            reason=shrunk.reason,
            follows=moved,
        )
    kept = overlap(a, b)
    old_id, new_id = identify(old, titles[0]), identify(new, titles[1])
    other = not same_document(*kept, old_id, new_id, names)
    described = (names[0] if names else old_id.described(), new_id.described())
    if other and strict:
        return Comparison(Verdict.OTHER_DOCUMENT, key, kept=kept, names=described)
    replaced = other and old_id.known and new_id.known
    return Comparison(
        Verdict.CHANGED,
        key,
        tuple(changes),
        tuple(fired),
        large_removal=shrunk is not None,
        reason=shrunk.reason if shrunk else None,
        follows=moved,
        kept=kept,
        names=described if replaced else None,
        replaced=replaced,
    )
