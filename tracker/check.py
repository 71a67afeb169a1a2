"""One pass over the sources: fetch → extract → compare → record.

Both drivers (``tracker check`` and the daemon) call :func:`check_source`;
``shards.py`` spreads a large ``tracker check`` over processes.
A source that cannot be checked yields an ``error`` result and leaves its
versions untouched; the next good fetch is compared with the last good
version.  Results come back in configuration order, whatever order the
fetches finished in.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .bookkeeping import Bookkeeping
from .compare import Comparison, Verdict, compare, compared, soft_404
from .config import Config, Source
from .errors import (
    ExtractError,
    NotADocumentError,
    NotTheDocumentError,
    SourceError,
    StateError,
    TruncatedError,
    describe_os_error,
)
from .events import Listener, message
from .fetch import Fetcher, Page
from .markdown import from_markdown
from .outbox import listeners_for
from .read import Reading, page_meta
from .result import Result
from .sources import Context, getter_for
from .sources.browser import Browser
from .store import SourceStore, State, Version, sha256

log = logging.getLogger(__name__)

# Sources in the pipeline at once, per fetch slot: enough to keep the parser busy, few
# enough that pages fetched faster than they are parsed do not pile up in memory.
BACKLOG = 4


async def check_all(config: Config, ctx: Context | None = None) -> list[Result]:
    """Check every source concurrently; results in configuration order.

    The run shares one HTTP client and one browser, which starts only if a page
    needs rendering.
    """
    if ctx is None:
        async with Fetcher(config.settings) as fetcher, Browser(config.settings) as browser:
            return await check_all(config, Context(fetcher, browser))
    listeners = listeners_for(config)
    with Workers.pipelined(config.settings.concurrency * BACKLOG) as workers:
        tasks = [check_source(src, config, ctx, workers, listeners) for src in config.sources]
        return list(await asyncio.gather(*tasks))


@dataclass(frozen=True)
class Workers:
    """Where the blocking stages run; None is the event loop's default executor.

    A run over many sources pipelines them: while the event loop fetches, one
    thread parses and another records, each overlapping the others' waits.  More
    threads were measured slower: parsing holds the GIL, and recording's many
    small file-system calls go no faster side by side.  ``backlog`` bounds the
    sources in the pipeline: when parsing or the disk falls behind, pages are not
    fetched faster than they are recorded, to pile up in memory.
    """

    parse: Executor | None = None
    record: Executor | None = None
    backlog: asyncio.Semaphore | None = None  # sources between fetch and record, at most

    @classmethod
    @contextlib.contextmanager
    def pipelined(cls, backlog: int) -> Iterator[Workers]:
        with (
            ThreadPoolExecutor(1, thread_name_prefix="tracker-parse") as parse,
            ThreadPoolExecutor(1, thread_name_prefix="tracker-record") as record,
        ):
            yield cls(parse, record, asyncio.Semaphore(backlog))


async def check_source(
    source: Source,
    config: Config,
    ctx: Context,
    workers: Workers = Workers(),
    listeners: Sequence[Listener] | None = None,
) -> Result:
    """Check one source; never raises for a problem of the source itself.

    ``listeners`` hear what happened (by default the outbox, if there are channels).
    """
    started = time.monotonic()
    job = _Job(source, config, listeners_for(config) if listeners is None else listeners)
    try:
        async with workers.backlog or contextlib.nullcontext():
            result = await job.run(ctx, workers)
    except SourceError as exc:
        result = await asyncio.to_thread(job.books.failed_unlocked, exc)
    except OSError as exc:  # its folder: read-only, a file in its place, disk full, …
        err = StateError(f"state folder: {describe_os_error(exc)}")
        result = await asyncio.to_thread(job.books.failed_unlocked, err)
    except Exception as exc:  # a bug must cost one source, not the whole run
        log.exception("internal error while checking %s", source.id)
        err = SourceError(f"internal error: {type(exc).__name__}: {exc}")
        result = await asyncio.to_thread(job.books.failed_unlocked, err)
    result.elapsed = time.monotonic() - started
    return result


class _Job:
    """One check of one source.

    The usual check (a 304, or the same bytes as last time) reads the state, lists
    the versions and touches the state file: a few small local calls, made on the
    event loop.  Everything heavier (parsing, comparing, recording) runs in a
    worker thread.
    """

    def __init__(self, source: Source, config: Config, listeners: Sequence[Listener]) -> None:
        self.source = source
        self.config = config
        settings = config.settings
        self.store = SourceStore(settings.state_dir, source.id, settings.lock_timeout)
        self.books = Bookkeeping(source, config, self.store, listeners)
        self.getter = getter_for(source)

    async def run(self, ctx: Context, workers: Workers) -> Result:
        source, store, getter = self.source, self.store, self.getter
        state = store.read_state()
        names = store.versions.names()
        if self._unprepared(state, names):
            await asyncio.to_thread(self.prepare)
            names = store.versions.names()
        # Validators are only worth sending if they describe a version we still have, and
        # only say something when the text comes from the bytes (not from a page's scripts).
        conditional = getter.conditional(source, state)
        usable = conditional and bool(names) and state.fingerprint == source.fingerprint
        page = await getter.fetch(
            source,
            state,
            ctx,
            state.etag if usable else None,
            state.last_modified if usable else None,
        )
        body_hash = None if page.not_modified else sha256(page.body)
        same_bytes = conditional and (
            page.not_modified
            or (body_hash == state.body_hash and state.fingerprint == source.fingerprint)
        )
        validators = (page.etag, page.last_modified) == (state.etag, state.last_modified)
        if same_bytes and (page.not_modified or validators) and self.books.settled(state, names):
            store.touch_state()  # nothing to decide, so no lock to take
            return Result(source, "unchanged", following=self.books.following(state))
        loop = asyncio.get_running_loop()
        # Parse outside the lock: it is the expensive part, and it only reads the page.
        reading = None
        if not same_bytes:
            page, reading = await self._read(page, ctx, workers)
        return await loop.run_in_executor(
            workers.record, self.process, page, body_hash, same_bytes, reading
        )

    async def _read(self, page: Page, ctx: Context, workers: Workers) -> tuple[Page, Reading]:
        """Read the page in the parse thread; with no text in it, the getter's other way, once."""
        loop, source = asyncio.get_running_loop(), self.source
        try:
            return page, await loop.run_in_executor(workers.parse, self.getter.read, page, source)
        except ExtractError as exc:
            other = await self.getter.fallback(page, source, ctx, exc)
            if other is None:
                raise
        return other, await loop.run_in_executor(workers.parse, self.getter.read, other, source)

    def _unprepared(self, state: State, names: list[str]) -> bool:
        """Whether a baseline must be seeded, or a recorded change's alert may be unqueued."""
        if not names:
            return self.source.baseline is not None
        return bool(self.books.listeners) and names[-1] != state.version

    def prepare(self) -> None:
        """Seed the baseline, and queue a recorded change whose alert a killed run never queued."""
        source, store = self.source, self.store
        with store.lock():
            names = store.versions.names()
            if not names and source.baseline is not None:
                text = from_markdown(Path(source.baseline).read_text("utf-8"))
                meta = {
                    "origin": "baseline",
                    "url": source.url,
                    "baseline_file": source.baseline.name,
                }
                store.record(text, meta, None)
            alert = store.versions.newest_alert() if names and self.books.listeners else None
            if alert:
                self.books.tell(alert)

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
            if page.rendered and self.source.render == "auto":
                state.needs_render = True  # found only by rendering: render directly from now on
            meta = page_meta(page, body_hash, reading)
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
        source, settings = self.source, self.config.settings
        text = reading.text
        settled = state.fingerprint == source.fingerprint and state.form_hash is not None
        if settled and compared(text, source.ignore).key == state.form_hash:  # the usual case
            return self.books.succeeded(
                state, page, body_hash, "unchanged", form_hash=state.form_hash
            )
        comparison = compare(
            latest.text,
            text,
            source_id=source.id,
            ignore=source.ignore,
            watches=self.config.watches,
            truncation_ratio=settings.truncation_ratio,
            follows=state.follows,
            titles=(latest.meta.get("title"), reading.title),
            names=(source.name,) if source.baseline else (),
            strict=source.baseline is not None,  # the baseline says which document belongs here
        )
        if comparison.verdict is Verdict.SAME:
            return self.books.succeeded(
                state, page, body_hash, "unchanged", form_hash=comparison.key
            )
        self._refuse(comparison, state, page, latest)
        meta = {**meta, "origin": "fetch", "previous": latest.name}
        name = self.store.next_name()
        state.follows = comparison.follows
        if comparison.verdict is Verdict.RELINKED:  # kept: later links compare with these
            self.store.record(text, {**meta, "relinked": True}, reading.packed, name=name)
            state.version = name
            return self.books.succeeded(
                state, page, body_hash, "unchanged", name, form_hash=comparison.key
            )
        result = Result(
            source,
            "changed",
            changes=list(comparison.changes),
            alerts=list(comparison.alerts),
            version=name,
            large_removal=comparison.large_removal,
            replaced=_named(comparison.names) if comparison.replaced else None,
        )
        result.following = self.books.following(state)
        result.notes = list(self.store.versions.set_aside)
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

    def _refuse(self, comparison: Comparison, state: State, page: Page, latest: Version) -> None:
        """Raise why the text read is not to be recorded, if it is not (see compare.Verdict)."""
        key, settings = comparison.key, self.config.settings
        if comparison.verdict is Verdict.NOT_A_DOCUMENT:
            raise NotADocumentError(_not_a_document(page, comparison.reason or ""), key=key)
        if comparison.verdict is Verdict.OTHER_DOCUMENT:
            kept, of = comparison.kept
            since = (
                "the baseline" if latest.meta.get("origin") == "baseline" else "its last version"
            )
            raise NotTheDocumentError(
                f"the page at {page.url} does not look like 《{self.source.name}》 "
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


def _not_a_document(page: Page, why: str) -> str:
    return f"the page at {page.url} is not a document ({why}): a not-found, login or search page?"


def _named(names: tuple[str, str] | None) -> dict[str, str] | None:
    return {"old": names[0], "new": names[1]} if names else None
