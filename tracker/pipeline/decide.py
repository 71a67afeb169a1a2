"""What a new reading means for a source: one pure function, :func:`decide`.

The record stage applies its :class:`Decision`, ``check --dry-run`` prints it,
and ``tracker diff FROM TO`` shows it for two stored versions (with the watches'
follow state as it was at FROM).  Nothing else re-derives what a text means.

The answer is an :class:`Action`: record the first version; nothing to do; record
quietly (only links that name no document moved); record an upgrade (the text
was read with other settings: never alerted); record a change (and alert); or
refuse the reading, with the typed error that says why (no document at all,
another document where a baseline says which belongs, a capture cut short).
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ..compare.effective import with_effective
from ..compare.notice import with_notice
from ..compare.promises import Promise, promises
from ..compare.stated import dates_only, stated
from ..compare.verdict import Comparison, Verdict, compare, compared, soft_404
from ..config import Config, Source
from ..errors import NotADocumentError, NotTheDocumentError, RefusedError, TruncatedError
from ..meaning import Stated
from ..model import Change, Fired, Origin, Reading, overall
from ..store.state import State
from ..store.versions import Version


class Action(StrEnum):
    FIRST = "first"  # no version yet: record this one
    NOTHING = "nothing"  # the same agreement as the latest version
    QUIET = "quiet"  # the same words, links that name no document moved: record, never alert
    DATED = "dated"  # the same words under another stated date: record, never alert
    UPGRADE = "upgrade"  # read with other settings than the latest version: record, never alert
    CHANGE = "change"  # record, and tell the listeners
    REFUSE = "refuse"  # record nothing: ``refusal`` says why


@dataclass(frozen=True)
class Decision:
    action: Action
    # The reading's comparison key (``form_hash`` in the state once recorded); None for a
    # first version, which is compared with nothing (the next check reads it if need be).
    key: str | None
    comparison: Comparison | None = None  # None for a first version or the quick "same"
    refusal: RefusedError | None = None
    follows: dict[str, dict[str, str]] = field(default_factory=dict)  # after this reading
    upgrade: tuple[str, ...] = ()  # the settings that changed, for an upgrade
    shrink: tuple[str | None, int] = (None, 0)  # a capture cut short seen so many times
    stated: tuple[tuple[Stated, ...], tuple[Stated, ...]] = ((), ())  # dates, before and after

    @property
    def changes(self) -> tuple[Change, ...]:
        return self.comparison.changes if self.comparison else ()

    @property
    def fired(self) -> tuple[Fired, ...]:
        return self.comparison.fired if self.comparison else ()

    @property
    def replaced(self) -> tuple[str, str] | None:
        """(old, new) names when the page now holds another document."""
        c = self.comparison
        return c.names if c is not None and c.replaced else None

    @property
    def large_removal(self) -> bool:
        return bool(self.comparison and self.comparison.large_removal)

    @property
    def severity(self) -> str | None:
        return overall([c.severity for c in self.changes], self.replaced is not None)


def decide(
    latest: Version | None,
    reading: Reading,
    source: Source,
    config: Config,
    state: State,
    seen: datetime.date | None = None,
    elsewhere: Callable[[], Sequence[tuple[str, Promise]]] = tuple,
) -> Decision:
    """What ``reading`` means after ``latest`` (None: nothing recorded yet); ``seen``: the
    day (the source's) the reading was first seen, whence a period after posting counts;
    ``elsewhere``: the promises of the agreements that incorporate this one, asked only
    when a change takes effect on a known day (it reads their folders).

    ``state`` gives the watches' follow state, the comparison key last recorded
    and how often a capture cut short was seen.  A rereadable settings change
    (a new selector) is the caller's to apply first: it re-reads the stored page.
    """
    if latest is None:  # nothing to compare with: only a soft 404 is refused
        if why := soft_404(reading.text, source.ignore):
            key = compared(reading.text, source.ignore).key  # what tracker accept will match
            error = NotADocumentError(not_a_document(reading.url or source.shown_url, why), key=key)
            return Decision(Action.REFUSE, key, refusal=error)
        return Decision(Action.FIRST, None, follows=_kept(state))
    keys = changed_settings(latest.meta.get("settings"), reading.settings)
    if not keys and reading.text == latest.text:  # word for word: nothing to normalise
        return Decision(Action.NOTHING, None, follows=_kept(state))  # the state's key stands
    key = compared(reading.text, source.ignore).key
    settled = state.fingerprint == source.fingerprint and state.form_hash is not None
    if settled and key == state.form_hash:  # the usual case, answered from the state
        return Decision(Action.NOTHING, key, follows=_kept(state))
    comparison = compare(
        latest.text,
        reading.text,
        source_id=source.id,
        ignore=source.ignore,
        watches=config.watches,
        truncation_ratio=config.settings.truncation_ratio,
        follows=state.follows,
        titles=(latest.meta.get("title"), reading.title),
        names=(source.name,) if source.baseline else (),
        strict=source.baseline is not None,  # the baseline says which document belongs here
    )
    refusal, shrink = _refusal(comparison, latest, reading, source, config, state)
    if refusal is not None:
        return Decision(Action.REFUSE, key, comparison, refusal, shrink=shrink)
    follows = comparison.follows
    if keys and not comparison.replaced:  # read another way: an upgrade, never alerted
        return Decision(Action.UPGRADE, key, comparison, follows=follows, upgrade=keys)
    if comparison.verdict is Verdict.SAME:
        return Decision(Action.NOTHING, key, comparison, follows=follows)
    if comparison.verdict is Verdict.RELINKED:
        return Decision(Action.QUIET, key, comparison, follows=follows)
    dates = (stated(latest.text), stated(reading.text))

    def alike(a: str, b: str) -> bool:
        return compared(a, source.ignore).form == compared(b, source.ignore).form

    if dates_only(latest.text, reading.text, alike):  # metadata, not wording
        return Decision(Action.DATED, key, comparison, follows=follows, stated=dates)
    changes = with_effective(comparison.changes, *dates, seen)  # when each takes effect
    if any(c.effective for c in changes):  # only then: reading the promises costs a parse
        promised = [(source.name, p) for p in promises(latest.text, source.ignore)]
        promised += elsewhere()  # 2.7 of the developer agreement covers what it incorporates
        changes = with_notice(changes, promised, seen)  # against the promises made before
    comparison = dataclasses.replace(comparison, changes=changes)
    return Decision(Action.CHANGE, key, comparison, follows=follows, stated=dates)


def changed_settings(was: Any, now: Mapping[str, object]) -> tuple[str, ...]:
    """The settings a version was read with that differ from how ``now`` was read.

    A version that records none (a baseline, or one recorded before versions kept
    them) counts as read the same way.
    """
    if not isinstance(was, Mapping):
        return ()
    return tuple(key for key, value in now.items() if was.get(key) != value)


def not_a_document(url: str, why: str) -> str:
    return f"the page at {url} is not a document ({why}): a not-found, login or search page?"


def _refusal(
    comparison: Comparison,
    latest: Version,
    reading: Reading,
    source: Source,
    config: Config,
    state: State,
) -> tuple[RefusedError | None, tuple[str | None, int]]:
    """Why the reading is not to be recorded, if it is not; and the shrink count to keep."""
    key, url = comparison.key, reading.url or source.shown_url
    if comparison.verdict is Verdict.NOT_A_DOCUMENT:
        error = NotADocumentError(not_a_document(url, comparison.reason or ""), key=key)
        return error, (None, 0)
    if comparison.verdict is Verdict.OTHER_DOCUMENT:
        kept, of = comparison.kept
        baseline = latest.meta.get("origin") == Origin.BASELINE
        since = "the baseline" if baseline else "its last version"
        reason = (
            f"the page at {url} does not look like 《{source.name}》 "
            f"({kept} of {of} clauses in common with {since}); check the source's url"
        )
        return NotTheDocumentError(reason, key=key), (None, 0)
    if comparison.verdict is Verdict.TRUNCATED:
        seen = state.shrink_count + 1 if state.shrink_hash == key else 1
        needed = config.settings.truncation_confirmations
        if seen < needed:
            reason = (
                f"{comparison.reason}, probably truncated; kept the last good version "
                f"(recorded as a change if it persists: seen {seen} of {needed} times)"
            )
            return TruncatedError(reason, key=key), (key, seen)
    return None, (None, 0)


def _kept(state: State) -> dict[str, dict[str, str]]:
    return {watch: dict(mapping) for watch, mapping in state.follows.items()}
