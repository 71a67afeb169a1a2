"""What a newly read text means against the latest version: a pure function of the two.

The answer is one of four (:class:`Verdict`): the same agreement; the same
words with only links moved, none of them a reference (recorded, so the next
comparison starts from the links as served, but never alerted); a capture cut
short (much shorter and made of the old text's lines: an error until it
persists); or a change, clause by clause, with severities, the watches that
fired and where renumbering took the watched clauses.  ``check.py`` records
what the verdict says.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum

from .config import Watch
from .diff import Change, diff
from .normalise import comparable_pairs
from .references import references, signature
from .store import sha256
from .truncation import shrink
from .watch import Alert, Follows, assess, follow


class Verdict(Enum):
    SAME = "same"  # the same words, emphasis and referenced documents
    RELINKED = "relinked"  # only links that name no document changed: record, never alert
    TRUNCATED = "truncated"  # much shorter and made of the old text's lines
    CHANGED = "changed"


@dataclass(frozen=True)
class Compared:
    """What a comparison reads of a text: its comparison form and the documents it references."""

    form: str
    references: str  # :func:`tracker.references.signature` of the text's references

    @property
    def key(self) -> str:
        """Equal keys: nothing a reader could tell apart (stored in the state as ``form_hash``)."""
        return sha256(f"{self.form}\n\x00\n{self.references}")


@dataclass(frozen=True)
class Comparison:
    verdict: Verdict
    key: str  # of the new text
    changes: tuple[Change, ...] = ()
    alerts: tuple[Alert, ...] = ()
    large_removal: bool = False  # much shorter, mostly new wording: a revision all the same
    reason: str | None = None  # why the text looks cut short
    follows: dict[str, dict[str, str]] = field(default_factory=dict)  # after this change


def compared(text: str, ignore: Iterable[re.Pattern[str]] = ()) -> Compared:
    """What a comparison reads of ``text``."""
    pairs = comparable_pairs(text, ignore)
    form = "\n".join(f for f, _ in pairs)
    return Compared(form, signature(references(line for _, line in pairs)))


def compare(
    old: str,
    new: str,
    *,
    source_id: str,
    ignore: Sequence[re.Pattern[str]] = (),
    watches: Sequence[Watch] = (),
    truncation_ratio: float = 0.5,
    follows: Follows | None = None,
) -> Comparison:
    """Compare the latest version's text ``old`` with the newly read ``new``."""
    follows = follows or {}
    before, after = compared(old, ignore), compared(new, ignore)
    key = after.key
    if before == after:
        return Comparison(Verdict.SAME, key, follows={k: dict(v) for k, v in follows.items()})
    shrunk = None
    if before.form != after.form:
        shrunk = shrink(before.form, after.form, truncation_ratio)
    changes = diff(old, new, ignore)
    moved = follow(changes, source_id, watches, follows)
    changes, alerts = assess(changes, source_id, watches, follows, after=moved)
    if not changes:
        return Comparison(Verdict.RELINKED, key, follows=moved)
    verdict = Verdict.TRUNCATED if shrunk and shrunk.truncated else Verdict.CHANGED
    return Comparison(
        verdict,
        key,
        tuple(changes),
        tuple(alerts),
        large_removal=shrunk is not None,
        reason=shrunk.reason if shrunk else None,
        follows=moved,
    )
