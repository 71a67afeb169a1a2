"""One pass over the sources: fetch → extract → compare → record.

Both drivers (``tracker check`` and the daemon) call :func:`check_source`;
``run.processes`` spreads a large ``tracker check`` over processes.
A source that cannot be checked yields an ``error`` result and leaves its
versions untouched; the next good fetch is compared with the last good
version.  Results come back in configuration order, whatever order the
fetches finished in.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import Config, Source
from ..errors import LockTimeout, SourceError, StateError, StoreUnavailable, describe_os_error
from ..model import Origin, Status
from ..sources import Context, getter_for, read_page, waiting
from ..sources.browser import Browser
from ..sources.http import Fetcher
from ..stamps import sha256
from ..store.state import State
from ..text.markdown import from_markdown
from .bookkeeping import Bookkeeping
from .events import Listener
from .incorporation import Citations
from .result import Result

if TYPE_CHECKING:
    from .record import Recorder

log = logging.getLogger(__name__)

# Sources in the pipeline at once, per fetch slot: enough to keep the parser busy, few
# enough that pages fetched faster than they are parsed do not pile up in memory.
BACKLOG = 4


Checked = Callable[[int, Result], None]  # told of each source as it is done: (index, result)


async def check_all(
    config: Config,
    listeners: Sequence[Listener],
    ctx: Context | None = None,
    workers: Workers | None = None,
    checked: Checked | None = None,
) -> list[Result]:
    """Check every source concurrently; results in configuration order.

    The run shares one HTTP client and one browser, which starts only if a page
    needs rendering.  ``listeners`` hear what each check found (the outbox, say);
    ``workers`` default to one parse and one record thread (:meth:`Workers.pipelined`);
    ``checked`` hears of each source the moment it is done (a progress line).
    """
    if ctx is None:
        async with Fetcher(config.settings) as fetcher, Browser(config.settings) as browser:
            ctx = Context(fetcher, browser)
            return await check_all(config, listeners, ctx, workers, checked)
    if workers is None:
        with Workers.pipelined(config.settings.concurrency * BACKLOG) as pipelined:
            return await check_all(config, listeners, ctx, pipelined, checked)

    citations = Citations(config)  # read once, the first time a change asks

    async def one(index: int, source: Source) -> Result:
        result = await check_source(source, config, ctx, listeners, workers, citations)
        if checked is not None:
            checked(index, result)
        return result

    return list(await asyncio.gather(*(one(i, s) for i, s in enumerate(config.sources))))


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
    listeners: Sequence[Listener],
    workers: Workers = Workers(),
    citations: Citations | None = None,
) -> Result:
    """Check one source; never raises for a problem of the source itself.

    ``listeners`` hear what happened: a change recorded, the source failing or back.
    ``citations``: the run's, when it checks many (else read afresh if a change asks).
    """
    started, tally = time.monotonic(), waiting.start()
    job = _Job(source, config, listeners, citations)
    try:
        async with waiting.turn(workers.backlog):
            result = await job.run(ctx, workers)
    except SourceError as exc:
        result = await asyncio.to_thread(job.books.failed_unlocked, exc)
    except StoreUnavailable as exc:  # nowhere to note the failure either: said, not kept
        result = Result(source, Status.ERROR, error=exc.reason)
    except OSError as exc:  # its folder: read-only, a file in its place, disk full, …
        unusable = StateError(f"state folder: {describe_os_error(exc)}")
        result = await asyncio.to_thread(job.books.failed_unlocked, unusable)
    except Exception as exc:  # a bug must cost one source, not the whole run
        log.exception("internal error while checking %s", source.id)
        bug = SourceError(f"internal error: {type(exc).__name__}: {exc}")
        result = await asyncio.to_thread(job.books.failed_unlocked, bug)
    result.elapsed = time.monotonic() - started - tally.seconds  # its own time, not its turn
    return result


class _Job:
    """One check of one source.

    The usual check (a 304, or the same bytes as last time) reads the state, lists
    the versions and touches the state file: a few small local calls, made on the
    event loop.  Everything heavier (parsing, comparing, recording) runs in a
    worker thread.
    """

    def __init__(
        self,
        source: Source,
        config: Config,
        listeners: Sequence[Listener],
        citations: Citations | None = None,
    ) -> None:
        self.source = source
        self.config = config
        settings = config.settings
        self.store = settings.opened_store().source(source.id, settings.lock_timeout)
        self.books = Bookkeeping(source, config, self.store, listeners)
        self.getter = getter_for(source)
        self.citations = citations

    @functools.cached_property
    def recorder(self) -> Recorder:
        """Made when a page's bytes changed: a run of 304s never loads the comparison."""
        from .record import Recorder

        books, getter = self.books, self.getter
        return Recorder(self.source, self.config, self.store, books, getter, self.citations)

    async def run(self, ctx: Context, workers: Workers) -> Result:
        """Check the source, once no other process is checking it (a shared store)."""
        deadline = time.monotonic() + self.config.settings.lock_timeout
        while not self.store.try_checking():
            if time.monotonic() >= deadline:
                raise LockTimeout(
                    f"another tracker process is checking it (waited "
                    f"{self.config.settings.lock_timeout:g}s)"
                )
            await asyncio.sleep(0.05)
        try:
            return await self._check(ctx, workers)
        finally:
            self.store.done_checking()

    async def _check(self, ctx: Context, workers: Workers) -> Result:
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
            return Result(source, Status.UNCHANGED, following=self.books.following(state))
        loop = asyncio.get_running_loop()
        # Parse outside the lock: it is the expensive part, and it only reads the page.
        reading = None
        if not same_bytes:
            page, reading = await read_page(getter, page, source, ctx, workers.parse)
        return await loop.run_in_executor(
            workers.record,
            waiting.queued(self.recorder.process),
            page,
            body_hash,
            same_bytes,
            reading,
        )

    def _unprepared(self, state: State, names: list[str]) -> bool:
        """Whether a baseline must be seeded, or a recorded change's message may be unqueued."""
        if not names:
            return self.source.baseline is not None
        return bool(self.books.listeners) and names[-1] != state.version

    def prepare(self) -> None:
        """Seed the baseline, and queue a recorded change's message a killed run never queued."""
        source, store = self.source, self.store
        with store.lock():
            names = store.versions.names()
            if not names and source.baseline is not None:
                text = from_markdown(Path(source.baseline).read_text("utf-8"))
                meta = {
                    "origin": Origin.BASELINE,
                    "url": source.shown_url,
                    "baseline_file": source.baseline.name,
                    "follows": {},
                }
                store.record(text, meta, None)
            message = store.versions.newest_message() if names and self.books.listeners else None
            if message:
                self.books.tell(message)
