"""One pass over the sources: fetch → extract → compare → record.

Both drivers (``tracker check`` and the daemon) call :func:`check_source`.
A source that cannot be checked yields an ``error`` result and leaves its
versions untouched; the next good fetch is compared with the last good
version.  Results come back in configuration order, whatever order the
fetches finished in.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import Config, Source
from .decode import decode
from .diff import Change, diff, truncation
from .errors import LockTimeout, SourceError, TruncatedError
from .extract import extract
from .fetch import Fetcher, Page
from .markdown import from_markdown
from .normalise import comparable
from .store import SourceStore, State, Version, isoformat, sha256, utcnow
from .watch import Alert, assess, highest

log = logging.getLogger(__name__)

STATUSES = ("baseline", "unchanged", "changed", "error")


@dataclass
class Result:
    """The outcome of checking one source."""

    source: Source
    status: str  # one of STATUSES
    error: str | None = None
    blocked: bool = False
    changes: list[Change] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    version: str | None = None  # the version recorded by this check, if any
    large_removal: bool = False
    failures: int = 0  # consecutive failed checks, this one included
    elapsed: float = 0.0

    @property
    def severity(self) -> str | None:
        """The highest severity among the changes, None if nothing changed."""
        return highest([c.severity for c in self.changes]) if self.changes else None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.source.id,
            "name": self.source.name,
            "url": self.source.url,
            "status": self.status,
            "error": self.error,
            "severity": self.severity,
            "changes": [c.to_json() for c in self.changes],
            "alerts": [a.to_json() for a in self.alerts],
            "version": self.version,
            "large_removal": self.large_removal,
        }


async def check_all(config: Config, fetcher: Fetcher | None = None) -> list[Result]:
    """Check every source concurrently; results in configuration order."""
    if fetcher is None:
        async with Fetcher(config.settings) as own:
            return await check_all(config, own)
    tasks = [check_source(src, config, fetcher) for src in config.sources]
    return list(await asyncio.gather(*tasks))


async def check_source(source: Source, config: Config, fetcher: Fetcher) -> Result:
    """Check one source; never raises for a problem of the source itself."""
    started = time.monotonic()
    settings = config.settings
    store = SourceStore(settings.state_dir, source.id, settings.lock_timeout)
    state = store.read_state()
    have_versions = bool(store.version_names())
    # Validators are only worth sending if they describe a version we still have.
    usable = state.fingerprint == source.fingerprint and have_versions
    try:
        if not have_versions and source.baseline is not None:
            await asyncio.to_thread(_seed, source, store)
        page = await fetcher.fetch(
            source.url,
            etag=state.etag if usable else None,
            last_modified=state.last_modified if usable else None,
        )
        result = await asyncio.to_thread(_process, source, config, store, page)
    except SourceError as exc:
        result = await asyncio.to_thread(_record_failure, source, store, exc)
    except Exception as exc:  # a bug must cost one source, not the whole run
        log.exception("internal error while checking %s", source.id)
        err = SourceError(f"internal error: {type(exc).__name__}: {exc}")
        result = await asyncio.to_thread(_record_failure, source, store, err)
    result.elapsed = time.monotonic() - started
    return result


def _process(source: Source, config: Config, store: SourceStore, page: Page) -> Result:
    """Turn a fetched page into a result, recording a version if the wording changed."""
    body_hash = sha256(page.body) if not page.not_modified else None
    state = store.read_state()
    same_bytes = page.not_modified or (
        body_hash == state.body_hash and state.fingerprint == source.fingerprint
    )
    # Parse outside the lock: it is the expensive part, and it only reads the page.
    text = codec = None
    if not same_bytes:
        html, codec = decode(page.body, page.content_type)
        text = extract(html, source.selectors, source.remove, page.url, source.min_length)
    with store.lock():
        state = store.read_state()  # another process may have moved on meanwhile
        try:
            latest = store.latest()
            if same_bytes and latest is not None:
                return _finish(source, store, state, page, body_hash, "unchanged")
            if text is None:
                raise SourceError("server reported the page unchanged, but no version is stored")
            meta = _meta(page, body_hash, codec)
            if latest is None:
                version = store.record(text, {**meta, "origin": "fetch"}, page.body)
                return _finish(source, store, state, page, body_hash, "baseline", version=version)
            return _compare(source, config, store, state, page, latest, text, meta, body_hash)
        except SourceError as exc:
            return _fail(source, store, state, exc)


def _compare(
    source: Source,
    config: Config,
    store: SourceStore,
    state: State,
    page: Page,
    latest: Version,
    text: str,
    meta: dict[str, Any],
    body_hash: str | None,
) -> Result:
    old_form = comparable(latest.text, source.ignore)
    new_form = comparable(text, source.ignore)
    if old_form == new_form:
        return _finish(source, store, state, page, body_hash, "unchanged")
    large_removal = False
    if reason := truncation(old_form, new_form, config.settings.truncation_ratio):
        new_hash = sha256(new_form)
        seen = state.shrink_count + 1 if state.shrink_hash == new_hash else 1
        needed = config.settings.truncation_confirmations
        if seen < needed:
            state.shrink_hash, state.shrink_count = new_hash, seen
            raise TruncatedError(
                f"{reason}, probably truncated; kept the last good version "
                f"(recorded as a change if it persists: seen {seen} of {needed} times)"
            )
        large_removal = True
    changes, alerts = assess(diff(latest.text, text, source.ignore), source.id, config.watches)
    meta = {**meta, "origin": "fetch", "previous": latest.name, "large_removal": large_removal}
    version = store.record(text, meta, page.body, changes=[c.to_json() for c in changes])
    result = _finish(source, store, state, page, body_hash, "changed", version=version)
    result.changes, result.alerts = changes, alerts
    result.large_removal = large_removal
    return result


def _finish(
    source: Source,
    store: SourceStore,
    state: State,
    page: Page,
    body_hash: str | None,
    status: str,
    version: Version | None = None,
) -> Result:
    """Record a successful check: the page's validators now describe the last good text."""
    now = isoformat(utcnow())
    if not page.not_modified:
        state.etag, state.last_modified, state.body_hash = page.etag, page.last_modified, body_hash
    state.fingerprint = source.fingerprint
    state.last_check, state.last_status, state.last_error = now, status, None
    state.failures = 0
    state.shrink_hash, state.shrink_count = None, 0
    if status == "changed":
        state.last_change = now
    store.write_state(state)
    return Result(source, status, version=version.name if version else None)


def _record_failure(source: Source, store: SourceStore, exc: SourceError) -> Result:
    """Count a failure that happened before the lock was taken."""
    if isinstance(exc, LockTimeout):  # waiting again would only double the delay
        return Result(source, "error", error=exc.reason)
    try:
        with store.lock():
            return _fail(source, store, store.read_state(), exc)
    except SourceError:  # the lock is held elsewhere; report the original error
        return Result(source, "error", error=exc.reason, blocked=exc.blocked)


def _fail(source: Source, store: SourceStore, state: State, exc: SourceError) -> Result:
    """Count the failure in the state; versions and validators stay as they were."""
    state.last_check, state.last_status = isoformat(utcnow()), "error"
    state.last_error = exc.reason
    state.failures += 1
    store.write_state(state)
    return Result(source, "error", error=exc.reason, blocked=exc.blocked, failures=state.failures)


def _seed(source: Source, store: SourceStore) -> None:
    """Record the configured baseline text as the first version, so the first fetch
    is compared with the text the user agreed to rather than becoming the baseline."""
    assert source.baseline is not None
    with store.lock():
        if store.version_names():
            return  # another process seeded it first
        text = from_markdown(Path(source.baseline).read_text("utf-8"))
        meta = {"origin": "baseline", "url": source.url, "baseline_file": source.baseline.name}
        store.record(text, meta, None)


def _meta(page: Page, body_hash: str | None, codec: str | None) -> dict[str, Any]:
    return {
        "fetched_at": isoformat(utcnow()),
        "url": page.url,
        "status": page.status,
        "etag": page.etag,
        "last_modified": page.last_modified,
        "content_type": page.content_type,
        "charset": codec,
        "body_hash": body_hash,
    }
