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
from .outbox import Outbox, message
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
            "failures": self.failures,
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
    job = _Job(source, config)
    state = job.store.read_state()
    have_versions = bool(job.store.version_names())
    # Validators are only worth sending if they describe a version we still have.
    usable = state.fingerprint == source.fingerprint and have_versions
    try:
        await asyncio.to_thread(job.prepare, have_versions)
        page = await fetcher.fetch(
            source.url,
            etag=state.etag if usable else None,
            last_modified=state.last_modified if usable else None,
        )
        result = await asyncio.to_thread(job.process, page)
    except SourceError as exc:
        result = await asyncio.to_thread(job.record_failure, exc)
    except Exception as exc:  # a bug must cost one source, not the whole run
        log.exception("internal error while checking %s", source.id)
        err = SourceError(f"internal error: {type(exc).__name__}: {exc}")
        result = await asyncio.to_thread(job.record_failure, err)
    result.elapsed = time.monotonic() - started
    return result


class _Job:
    """One check of one source: the blocking part, run in a worker thread."""

    def __init__(self, source: Source, config: Config) -> None:
        self.source = source
        self.config = config
        settings = config.settings
        self.store = SourceStore(settings.state_dir, source.id, settings.lock_timeout)
        self.outbox = Outbox(settings.state_dir, settings)

    def prepare(self, have_versions: bool) -> None:
        """Seed the baseline, and queue a recorded change whose alert a killed run never queued."""
        source, store = self.source, self.store
        seed = not have_versions and source.baseline is not None
        latest = store.latest() if have_versions and self.config.channels else None
        alert = latest.alert if latest else None
        if not seed and not (alert and not self.outbox.known(alert["id"])):
            return  # the usual case: nothing to do, and no lock taken
        with store.lock():
            if seed and not store.version_names():
                assert source.baseline is not None
                text = from_markdown(Path(source.baseline).read_text("utf-8"))
                meta = {
                    "origin": "baseline",
                    "url": source.url,
                    "baseline_file": source.baseline.name,
                }
                store.record(text, meta, None)
            if alert:
                self.outbox.enqueue(alert, self.config.channels)

    def process(self, page: Page) -> Result:
        """Turn a fetched page into a result, recording a version if the wording changed."""
        source, store = self.source, self.store
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
                    return self.finish(state, page, body_hash, "unchanged")
                if text is None:
                    raise SourceError("server said the page is unchanged, but no version is stored")
                meta = _meta(page, body_hash, codec)
                if latest is None:
                    version = store.record(text, {**meta, "origin": "fetch"}, page.body)
                    return self.finish(state, page, body_hash, "baseline", version.name)
                return self.compare(state, page, latest, text, meta, body_hash)
            except SourceError as exc:
                return self.fail(state, exc)

    def compare(
        self,
        state: State,
        page: Page,
        latest: Version,
        text: str,
        meta: dict[str, Any],
        body_hash: str | None,
    ) -> Result:
        source, settings = self.source, self.config.settings
        old_form = comparable(latest.text, source.ignore)
        new_form = comparable(text, source.ignore)
        if old_form == new_form:
            return self.finish(state, page, body_hash, "unchanged")
        large_removal = False
        if reason := truncation(old_form, new_form, settings.truncation_ratio):
            new_hash = sha256(new_form)
            seen = state.shrink_count + 1 if state.shrink_hash == new_hash else 1
            needed = settings.truncation_confirmations
            if seen < needed:
                state.shrink_hash, state.shrink_count = new_hash, seen
                raise TruncatedError(
                    f"{reason}, probably truncated; kept the last good version "
                    f"(recorded as a change if it persists: seen {seen} of {needed} times)"
                )
            large_removal = True
        changes, alerts = assess(
            diff(latest.text, text, source.ignore), source.id, self.config.watches
        )
        name = self.store.next_name()
        result = Result(source, "changed", changes=changes, alerts=alerts, version=name)
        result.large_removal = large_removal
        alert = message(
            f"{source.id}__{name}", "change", result.severity or "info", result.to_json()
        )
        meta = {**meta, "origin": "fetch", "previous": latest.name, "large_removal": large_removal}
        self.store.record(text, meta, page.body, alert=alert, name=name)
        if self.config.channels:
            self.outbox.enqueue(alert, self.config.channels)
        self.finish(state, page, body_hash, "changed", name)
        return result

    def finish(
        self,
        state: State,
        page: Page,
        body_hash: str | None,
        status: str,
        version: str | None = None,
    ) -> Result:
        """Record a successful check: the page's validators now describe the last good text."""
        now = isoformat(utcnow())
        last_error = state.last_error
        if not page.not_modified:
            state.etag, state.last_modified = page.etag, page.last_modified
            state.body_hash = body_hash
        state.fingerprint = self.source.fingerprint
        state.last_check, state.last_status, state.last_error = now, status, None
        state.shrink_hash, state.shrink_count = None, 0
        if status == "changed":
            state.last_change = now
        if state.failure_alerted:
            recovered = Result(self.source, status, error=last_error)
            self._failure_message("recovered", state, recovered)
        state.failures, state.failing_since, state.failure_alerted = 0, None, False
        self.store.write_state(state)
        return Result(self.source, status, version=version)

    def record_failure(self, exc: SourceError) -> Result:
        """Count a failure that happened before the lock was taken."""
        if isinstance(exc, LockTimeout):  # waiting again would only double the delay
            return Result(self.source, "error", error=exc.reason)
        try:
            with self.store.lock():
                return self.fail(self.store.read_state(), exc)
        except SourceError:  # the lock is held elsewhere; report the original error
            return Result(self.source, "error", error=exc.reason, blocked=exc.blocked)

    def fail(self, state: State, exc: SourceError) -> Result:
        """Count the failure, alerting once when it persists; versions stay as they were."""
        now = isoformat(utcnow())
        state.last_check, state.last_status, state.last_error = now, "error", exc.reason
        state.failures += 1
        state.failing_since = state.failing_since or now
        result = Result(
            self.source, "error", error=exc.reason, blocked=exc.blocked, failures=state.failures
        )
        if state.failures >= self.config.settings.failure_alert_after and not state.failure_alerted:
            self._failure_message("failing", state, result)
            state.failure_alerted = True
        self.store.write_state(state)
        return result

    def _failure_message(self, event: str, state: State, result: Result) -> None:
        if not self.config.channels:
            return
        since = (state.failing_since or "").replace("-", "").replace(":", "")
        msg = message(f"{self.source.id}__{event}__{since}", event, "warning", result.to_json())
        self.outbox.enqueue(msg, self.config.channels)


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
