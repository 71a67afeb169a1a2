"""The record stage of a check: under the source's lock, apply what :func:`decide` says.

It runs in the record thread.  A refused reading raises its typed error, which
the bookkeeping counts; a change is recorded with its message in one rename, then
told to the listeners.  Each version records the watches' follow state after it
(``follows`` in its meta), so that ``tracker diff`` can start from it later.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Any

from ..compare.incorporated import linked
from ..compare.promises import Promise
from ..compare.stated import backdated, silent_edit, stated
from ..config import Config, Source
from ..errors import SourceError
from ..meaning import Stated
from ..message import Message
from ..model import Event, Following, Origin, Page, Reading, Status
from ..sources import Getter
from ..stamps import isoformat, local_day, today, utcnow
from ..store.base import SourceRecord
from ..store.state import State
from ..store.versions import Version
from .bookkeeping import Bookkeeping
from .decide import Action, Decision, changed_settings, decide
from .incorporation import Citations, Incorporators
from .result import Result
from .upgrade import describe, record_upgrade, reread_for, rereadable, upgrade_meta


class Recorder:
    """Decide and record, for one source (callers hand it what the parse stage read)."""

    def __init__(
        self,
        source: Source,
        config: Config,
        store: SourceRecord,
        books: Bookkeeping,
        getter: Getter,
        citations: Citations | None = None,
    ) -> None:
        self.source = source
        self.config = config
        self.store = store
        self.books = books
        self.getter = getter
        self.citations = citations or Citations(config)  # a run's, shared by its sources

    def process(
        self,
        page: Page,
        body_hash: str | None,
        same_bytes: bool,
        reading: Reading | None,
    ) -> Result:
        """Record what the page's text means against the latest version.

        ``reading`` is what the parse stage made of the page, or None when
        ``same_bytes`` says the page is the one the latest version was read from.
        """
        with self.store.lock():
            result = self._process_locked(page, body_hash, same_bytes, reading)
        # Damaged versions, kept and said (a change's message already carries them).
        result.notes = list(dict.fromkeys([*result.notes, *self.store.versions.set_aside]))
        return result

    def _process_locked(
        self, page: Page, body_hash: str | None, same_bytes: bool, reading: Reading | None
    ) -> Result:
        store = self.store
        state = store.read_state()  # another process may have moved on meanwhile
        try:
            names = store.versions.names()
            if same_bytes and names and (page.not_modified or state.body_hash == body_hash):
                return self.books.succeeded(state, page, body_hash, Status.UNCHANGED)
            if page.not_modified:
                raise SourceError("server said the page is unchanged, but no version is stored")
            latest = store.versions.latest()
            if store.versions.set_aside and latest is not None:
                store.versions.set_aside.append(f"compared with version {latest.name}")
            reading = reading or self.getter.read(page, self.source)  # rare: state moved meanwhile
            if page.rendered:  # found by rendering: render directly from now on
                state.needs_render = True
            notes: list[str] = []
            if latest is not None:
                latest = self._reread_if_settings_changed(latest, state, notes)
            seen = today(self.source.timezone)
            decision = decide(
                latest, reading, self.source, self.config, state, seen, self._elsewhere
            )
            result = self.apply(decision, state, page, body_hash, latest, reading, notes)
            if result.version is not None:  # the run's later changes see what it links now
                self.citations.recorded(self.source, reading.text)
            return result
        except SourceError as exc:
            return self.books.failed(state, exc)

    def _reread_if_settings_changed(
        self, latest: Version, state: State, notes: list[str]
    ) -> Version:
        """A new selector the stored page can serve: that page read again, as an upgrade."""
        keys = changed_settings(latest.meta.get("settings"), self.source.settings)
        if not rereadable(keys, self.source):
            return latest
        again, why = reread_for(latest, self.source, self.getter, keys)
        if again is None:  # the stored page cannot serve it: the fetch will
            notes.append(str(why))
            return latest
        upgraded = record_upgrade(self.store, latest, self.source, keys, again, state.follows)
        notes.append(upgraded_note(keys, upgraded.name, "the stored page read again"))
        return upgraded

    @functools.cached_property
    def _incorporators(self) -> Incorporators:
        """The agreements that incorporate this source: read from their folders once a
        check asks (for their promises, then for who they are), never twice."""
        return self.citations.of(self.source)

    def _elsewhere(self) -> list[tuple[str, Promise]]:
        """The promises of the agreements that incorporate this source (read when asked)."""
        return list(self._incorporators.promised)

    def apply(
        self,
        decision: Decision,
        state: State,
        page: Page,
        body_hash: str | None,
        latest: Version | None,
        reading: Reading,
        notes: list[str],
    ) -> Result:
        """Record what ``decision`` says: a version, the state, and the message to tell."""
        store, source, action = self.store, self.source, decision.action
        if action is Action.REFUSE:
            assert decision.refusal is not None
            if decision.shrink[0] is not None:  # a capture cut short: counted until it persists
                state.shrink_hash, state.shrink_count = decision.shrink
            raise decision.refusal
        key = decision.key
        if action is Action.NOTHING:  # nothing to record: nothing more to read of it
            return self.books.succeeded(
                state, page, body_hash, Status.UNCHANGED, form_hash=key, notes=notes
            )
        meta = {**version_meta(page, body_hash, reading), "follows": decision.follows}
        # The evidence of when a text was published: when this one was first seen, and when
        # the one before was last seen (a state written before last_seen was kept: its check).
        seen_before = state.last_seen or (
            state.last_check if state.last_status is not Status.ERROR else None
        )
        meta["first_seen"] = meta["fetched_at"]
        if latest is not None:
            meta["previous_last_seen"] = seen_before
        before, after = decision.stated
        if action is Action.FIRST:  # decide compared nothing: read its dates here
            after = stated(reading.text)
        # The dates it states, kept as evidence of what the page said when it was seen, and
        # the documents it links (a few strings).  Its promises and the clauses that link
        # are read from its text when asked: segmenting every first version would double
        # a first run.
        meta["stated"] = [s.to_json() for s in after]
        meta["links"] = sorted(linked(reading.text))  # what a run's Citations index reads
        if action is Action.FIRST:
            version = store.record(reading.text, {**meta, "origin": Origin.FETCH}, reading.packed)
            return self.books.succeeded(state, page, body_hash, Status.BASELINE, version.name)
        assert latest is not None and key is not None  # decide compared it with latest
        followed = self.books.following(state)  # before this version: said in earlier alerts
        state.follows = decision.follows
        if action is Action.UPGRADE:
            meta |= upgrade_meta(latest, source, decision.upgrade, Origin.FETCH)
            version = store.record(reading.text, meta, reading.packed)
            notes.append(upgraded_note(decision.upgrade, version.name, "this fetch"))
            return self.books.succeeded(
                state, page, body_hash, Status.UNCHANGED, version.name, key, notes
            )
        meta |= {"origin": Origin.FETCH, "previous": latest.name}
        name = store.next_name()
        if action is Action.QUIET:  # kept: later links compare with these
            store.record(reading.text, {**meta, "relinked": True}, reading.packed, name=name)
            state.version = name
            return self.books.succeeded(state, page, body_hash, Status.UNCHANGED, name, key, notes)
        early = backdated(before, after, local_day(seen_before, source.timezone))
        meta["backdated"] = [b.to_json() for b in early]
        if action is Action.DATED:  # a new date over the same words: kept, never alerted
            store.record(reading.text, {**meta, "date_only": True}, reading.packed, name=name)
            state.version = name
            notes += [dated_note(before, after, f"recorded as {name}, not alerted")]
            notes += map(str, early)
            return self.books.succeeded(state, page, body_hash, Status.UNCHANGED, name, key, notes)
        result = changed(source, decision, name)
        result.incorporated_by = self._incorporators.by  # who else binds their readers to it
        result.first_seen, result.last_seen = meta["first_seen"], seen_before
        result.stated, result.backdated = after, tuple(early)
        result.silent_edit = silent_edit(before, after)
        meta["silent_edit"] = result.silent_edit
        result.following = self.books.following(state)
        result.notes = [*notes, *store.versions.set_aside]
        was = latest.meta.get("charset")
        if was and was != reading.codec:  # compared across codecs: say so
            result.notes.append(f"the page now reads as {reading.codec} (it read as {was})")
        fresh = tuple(f for f in result.following if f not in followed)  # said once, here
        message = change_message(result, latest.name, key, fresh)
        meta["large_removal"] = decision.large_removal
        replaced = decision.replaced
        meta["replaced"] = {"old": replaced[0], "new": replaced[1]} if replaced else None
        store.record(reading.text, meta, reading.packed, message=message, name=name)
        self.books.tell(message)  # the outbox, among others, hears it
        state.version = name
        self.books.succeeded(state, page, body_hash, Status.CHANGED, name, form_hash=key)
        return result


def change_message(
    result: Result, previous: str, key: str, following: tuple[Following, ...] | None = None
) -> Message:
    """The message about a recorded change; ``following``: the watches it says follow a
    renumbered clause (those this change renumbered: earlier alerts said the others).

    The same change has the same id whoever records it, so a repeat can be dropped;
    a real return (A → B → A → B) comes from another previous version: a new id.
    """
    message_id = f"{result.source.id}__{previous}__{key[:16]}"
    severity = result.severity or "info"
    about = result.outcome()
    if following is not None:
        about = dataclasses.replace(about, following=following)
    return Message(message_id, Event.CHANGE, severity, isoformat(utcnow()), about)


def changed(source: Source, decision: Decision, version: str | None) -> Result:
    """The result a decision that found changes comes to (``version``: where it is recorded)."""
    return Result(
        source,
        Status.CHANGED,
        changes=list(decision.changes),
        fired=list(decision.fired),
        version=version,
        large_removal=decision.large_removal,
        replaced=decision.replaced,
    )


def version_meta(page: Page, body_hash: str | None, reading: Reading) -> dict[str, Any]:
    """What a version records of the page it was read from, and how it was read."""
    return {
        "fetched_at": isoformat(utcnow()),
        "url": page.url,
        "status": page.status,
        "etag": page.etag,
        "last_modified": page.last_modified,
        "content_type": page.content_type,
        "charset": reading.codec,
        "title": reading.title,
        "body_hash": body_hash,
        "rendered": page.rendered,
        "settings": dict(reading.settings),
    }


def dated_note(before: tuple[Stated, ...], after: tuple[Stated, ...], done: str) -> str:
    """What a version whose only difference is its stated date is, and what was done."""
    old = "; ".join(f"“{s.wording}”" for s in before if s not in after) or "no date"
    new = "; ".join(f"“{s.wording}”" for s in after if s not in before) or "no date"
    return f"only the stated date changed ({old} → {new}): {done}"


def upgraded_note(keys: tuple[str, ...], name: str, what: str) -> str:
    return (
        f"settings changed ({describe(keys)}): {what} recorded as upgrade {name}, "
        "compared from now on, never alerted"
    )
