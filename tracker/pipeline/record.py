"""The record stage of a check: under the source's lock, compare the text read with the
latest version, and record what the comparison says (see :mod:`tracker.compare.verdict`).

It runs in the record thread.  A refused text (no document, another document,
a capture cut short) raises its typed error, which the bookkeeping counts;
a change is recorded with its alert in one rename, then announced to the
listeners.
"""

from __future__ import annotations

from typing import Any

from ..compare.severity import Follows
from ..compare.verdict import Comparison, Verdict, compare, compared, soft_404
from ..config import Config, Settings, Source
from ..errors import NotADocumentError, NotTheDocumentError, SourceError, TruncatedError
from ..sources import Getter
from ..sources.http import Page
from ..sources.read import Reading, page_meta
from ..store.source import SourceStore, State
from ..store.versions import Version
from .bookkeeping import Bookkeeping
from .events import message
from .result import Result
from .upgrade import (
    changed_settings,
    describe,
    record_upgrade,
    reread_for,
    rereadable,
    upgrade_meta,
)


class Recorder:
    """Compare and record, for one source (callers hand it what the parse stage read)."""

    def __init__(
        self, source: Source, config: Config, store: SourceStore, books: Bookkeeping, getter: Getter
    ) -> None:
        self.source = source
        self.config = config
        self.store = store
        self.books = books
        self.getter = getter

    def process(
        self,
        page: Page,
        body_hash: str | None,
        same_bytes: bool,
        reading: Reading | None,
    ) -> Result:
        """Compare the page's text with the latest version, recording one if the wording changed.

        ``reading`` is what the parse stage made of the page, or None when
        ``same_bytes`` says the page is the one the latest version was read from.
        """
        with self.store.lock():
            result = self._process_locked(page, body_hash, same_bytes, reading)
        # Damaged versions, kept and said (a change's alert already carries them).
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
                return self.books.succeeded(state, page, body_hash, "unchanged")
            if page.not_modified:
                raise SourceError("server said the page is unchanged, but no version is stored")
            latest = store.versions.latest()
            if store.versions.set_aside and latest is not None:
                store.versions.set_aside.append(f"compared with version {latest.name}")
            reading = reading or self.getter.read(page, self.source)  # rare: state moved meanwhile
            if page.rendered:  # found by rendering: render directly from now on
                state.needs_render = True
            meta = page_meta(page, body_hash, reading, self.source)
            if latest is None:
                if why := soft_404(reading.text, self.source.ignore):
                    key = compared(reading.text, self.source.ignore).key
                    raise NotADocumentError(_not_a_document(page, why), key=key)
                meta = {**meta, "origin": "fetch"}
                version = store.record(reading.text, meta, reading.packed)
                return self.books.succeeded(state, page, body_hash, "baseline", version.name)
            return self.compare(state, page, latest, reading, meta, body_hash)
        except SourceError as exc:
            return self.books.failed(state, exc)

    def compare(
        self,
        state: State,
        page: Page,
        latest: Version,
        reading: Reading,
        meta: dict[str, Any],
        body_hash: str | None,
    ) -> Result:
        source = self.source
        text = reading.text
        settled = state.fingerprint == source.fingerprint and state.form_hash is not None
        if settled and compared(text, source.ignore).key == state.form_hash:  # the usual case
            return self.books.succeeded(
                state, page, body_hash, "unchanged", form_hash=state.form_hash
            )
        keys = changed_settings(latest.meta.get("settings"), source)
        notes: list[str] = []
        if rereadable(keys, source):
            again, why = reread_for(latest, source, self.getter, keys)
            if again is None:  # the stored page cannot serve it: the fetch will
                notes.append(str(why))
            else:
                latest = record_upgrade(self.store, latest, source, keys, again)
                notes.append(_upgraded(keys, latest.name, "the stored page read again"))
                keys = ()
        comparison = judge(latest, reading, source, self.config, state.follows)
        if keys and not comparison.replaced:  # read another way: this fetch is the upgrade
            refuse(comparison, state, page, source, self.config.settings, latest)
            meta = {**meta, **upgrade_meta(latest, source, keys, "fetch")}
            version = self.store.record(text, meta, reading.packed)
            state.follows = comparison.follows
            notes.append(_upgraded(keys, version.name, "this fetch"))
            return self.books.succeeded(
                state,
                page,
                body_hash,
                "unchanged",
                version.name,
                form_hash=comparison.key,
                notes=notes,
            )
        if comparison.verdict is Verdict.SAME:
            return self.books.succeeded(
                state, page, body_hash, "unchanged", form_hash=comparison.key, notes=notes
            )
        refuse(comparison, state, page, source, self.config.settings, latest)
        meta = {**meta, "origin": "fetch", "previous": latest.name}
        name = self.store.next_name()
        state.follows = comparison.follows
        if comparison.verdict is Verdict.RELINKED:  # kept: later links compare with these
            self.store.record(text, {**meta, "relinked": True}, reading.packed, name=name)
            state.version = name
            return self.books.succeeded(
                state, page, body_hash, "unchanged", name, form_hash=comparison.key, notes=notes
            )
        result = changed(source, comparison, name)
        result.following = self.books.following(state)
        result.notes = [*notes, *self.store.versions.set_aside]
        was = latest.meta.get("charset")
        if was and was != reading.codec:  # compared across codecs: say so
            result.notes.append(f"the page now reads as {reading.codec} (it read as {was})")
        # The same change has the same id whoever records it, so a repeat can be dropped;
        # a real return (A → B → A → B) comes from another previous version: a new id.
        message_id = f"{source.id}__{latest.name}__{comparison.key[:16]}"
        alert = message(message_id, "change", result.severity or "info", result.to_json())
        meta["large_removal"] = comparison.large_removal
        meta["replaced"] = result.replaced
        self.store.record(text, meta, reading.packed, alert=alert, name=name)
        self.books.tell(alert)  # the outbox, among others, hears it
        state.version = name
        self.books.succeeded(state, page, body_hash, "changed", name, form_hash=comparison.key)
        return result


def judge(
    latest: Version, reading: Reading, source: Source, config: Config, follows: Follows
) -> Comparison:
    """The latest version against the text just read, as every check compares them."""
    return compare(
        latest.text,
        reading.text,
        source_id=source.id,
        ignore=source.ignore,
        watches=config.watches,
        truncation_ratio=config.settings.truncation_ratio,
        follows=follows,
        titles=(latest.meta.get("title"), reading.title),
        names=(source.name,) if source.baseline else (),
        strict=source.baseline is not None,  # the baseline says which document belongs here
    )


def refuse(
    comparison: Comparison,
    state: State,
    page: Page,
    source: Source,
    settings: Settings,
    latest: Version,
) -> None:
    """Raise why the text read is not to be recorded, if it is not (see compare.Verdict).

    A capture cut short is counted in ``state``: it is recorded once it persists.
    """
    key = comparison.key
    if comparison.verdict is Verdict.NOT_A_DOCUMENT:
        raise NotADocumentError(_not_a_document(page, comparison.reason or ""), key=key)
    if comparison.verdict is Verdict.OTHER_DOCUMENT:
        kept, of = comparison.kept
        baseline = latest.meta.get("origin") == "baseline"
        since = "the baseline" if baseline else "its last version"
        raise NotTheDocumentError(
            f"the page at {page.url} does not look like 《{source.name}》 "
            f"({kept} of {of} clauses in common with {since}); check the source's url",
            key=key,
        )
    if comparison.verdict is Verdict.TRUNCATED:
        seen = state.shrink_count + 1 if state.shrink_hash == key else 1
        needed = settings.truncation_confirmations
        if seen < needed:
            state.shrink_hash, state.shrink_count = key, seen
            raise TruncatedError(
                f"{comparison.reason}, probably truncated; kept the last good version "
                f"(recorded as a change if it persists: seen {seen} of {needed} times)",
                key=key,
            )


def changed(source: Source, comparison: Comparison, version: str | None) -> Result:
    """The result a comparison that found changes comes to (``version``: where it is recorded)."""
    return Result(
        source,
        "changed",
        changes=list(comparison.changes),
        alerts=list(comparison.alerts),
        version=version,
        large_removal=comparison.large_removal,
        replaced=_named(comparison.names) if comparison.replaced else None,
    )


def _upgraded(keys: tuple[str, ...], name: str, what: str) -> str:
    return (
        f"settings changed ({describe(keys)}): {what} recorded as upgrade {name}, "
        "compared from now on, never alerted"
    )


def _not_a_document(page: Page, why: str) -> str:
    return f"the page at {page.url} is not a document ({why}): a not-found, login or search page?"


def _named(names: tuple[str, str] | None) -> dict[str, str] | None:
    return {"old": names[0], "new": names[1]} if names else None
