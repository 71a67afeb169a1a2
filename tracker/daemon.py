"""``tracker daemon``: the same per-source check as ``tracker check``, on a schedule.

APScheduler (3.x, asyncio) fires each source on its ``interval`` or ``cron``
with random jitter; first runs are spread out over the first interval; a
source never overlaps itself (``max_instances=1``) and runs missed during a
sleep or pause are coalesced into one.  The outbox is retried on its own
schedule and after every check that queued something.  Nothing stops the
daemon but a signal: SIGTERM or SIGINT cancels the checks in flight and exits
0; SIGHUP, or a change to the configuration file, reloads it (a bad new
configuration is reported and the old one stays in force).

It shares the state folder and its locks with ``tracker check``, so a cron
run beside it can neither tear a snapshot nor send an alert twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import random
import signal
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import filelock
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from . import config as configuration
from .check import check_source
from .config import Config, Source
from .errors import ConfigError
from .fetch import Fetcher
from .files import atomic_write
from .outbox import Delivery, Outbox
from .result import Result
from .store import isoformat, utcnow

log = logging.getLogger("tracker.daemon")

MAX_JITTER = 300.0  # seconds; jitter is a tenth of the interval, at most this
MAX_SPREAD = 600.0  # first runs are spread over the first interval, at most this
STATUS_FILE = "daemon.json"


class Daemon:
    def __init__(self, config: Config, config_path: Path | None, log_format: str = "text") -> None:
        self.config = config
        self.config_path = config_path
        self.log_format = log_format
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self.fetchers: dict[Fetcher, int] = {}  # each open client: checks using it now
        self.fetcher: Fetcher | None = None  # the one new checks take
        self.stopping = asyncio.Event()
        self.delivering = asyncio.Lock()
        self.config_mtime = _mtime(config_path)
        self.started = isoformat(utcnow())

    # -- life cycle ------------------------------------------------------------------------

    async def run(self) -> int:
        state_dir = self.config.settings.state_dir
        state_dir.mkdir(parents=True, exist_ok=True)
        lock = filelock.FileLock(state_dir / "daemon.lock", timeout=0)
        try:
            lock.acquire()
        except filelock.Timeout:
            log.error("another tracker daemon is running on %s", state_dir)
            return 2
        try:
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(sig, self.stopping.set)
            loop.add_signal_handler(
                signal.SIGHUP, lambda: asyncio.ensure_future(self.reload("SIGHUP"))
            )
            await self._open_fetcher()
            self._schedule(first_run=True)
            self.scheduler.start()
            self._event("started", sources=len(self.config.sources), pid=os.getpid())
            watcher = asyncio.create_task(self._watch_config())
            await self.stopping.wait()
            watcher.cancel()
            self._event("stopping")
            self.scheduler.shutdown(wait=False)  # cancels the checks in flight
            await asyncio.sleep(0)
            for fetcher in list(self.fetchers):
                with contextlib.suppress(Exception):
                    await fetcher.__aexit__(None, None, None)
            with contextlib.suppress(FileNotFoundError):
                (state_dir / STATUS_FILE).unlink()
            return 0
        finally:
            lock.release()

    async def _open_fetcher(self) -> None:
        """Open a client for the current settings; the ones before close once idle."""
        fetcher = Fetcher(self.config.settings)
        await fetcher.__aenter__()
        self.fetchers[fetcher] = 0
        self.fetcher = fetcher  # in-flight checks keep the one they started with
        await self._close_idle_fetchers()

    async def _close_idle_fetchers(self) -> None:
        for old, users in list(self.fetchers.items()):
            if old is not self.fetcher and users == 0:
                del self.fetchers[old]
                with contextlib.suppress(Exception):
                    await old.__aexit__(None, None, None)

    # -- scheduling ------------------------------------------------------------------------

    def _schedule(self, first_run: bool) -> None:
        settings = self.config.settings
        now = datetime.now(UTC)
        for source in self.config.sources:
            interval = source.interval or settings.interval
            jitter = min(MAX_JITTER, interval / 10)
            if source.cron:
                trigger: Any = CronTrigger.from_crontab(source.cron, timezone=UTC)
                trigger.jitter = int(jitter) or None
                start = None
            else:
                spread = random.uniform(0, min(interval, MAX_SPREAD)) if first_run else interval
                trigger = IntervalTrigger(seconds=interval, jitter=jitter or None)
                start = now + timedelta(seconds=spread)
            self.scheduler.add_job(
                self._check,
                trigger,
                args=[source.id],
                id=f"source:{source.id}",
                name=source.id,
                next_run_time=start if start else trigger.get_next_fire_time(None, now),
                max_instances=1,
                coalesce=True,
                misfire_grace_time=None,
                replace_existing=True,
            )
        if self.config.channels:
            self.scheduler.add_job(
                self._deliver,
                IntervalTrigger(seconds=settings.outbox_interval),
                id="outbox",
                next_run_time=now,
                max_instances=1,
                coalesce=True,
                misfire_grace_time=None,
                replace_existing=True,
            )
        self._write_status()

    async def _check(self, source_id: str) -> None:
        source = next((s for s in self.config.sources if s.id == source_id), None)
        fetcher = self.fetcher
        if source is None or fetcher is None:
            return
        self.fetchers[fetcher] += 1
        try:
            result = await check_source(source, self.config, fetcher)
        finally:
            self.fetchers[fetcher] -= 1
            await self._close_idle_fetchers()
        self._log_check(source, result)
        self._write_status()
        if (
            self.config.channels
            and Outbox(self.config.settings.state_dir, self.config.settings).pending()
        ):
            await self._deliver()

    async def _deliver(self) -> None:
        if not self.config.channels:
            return
        async with self.delivering:
            outbox = Outbox(self.config.settings.state_dir, self.config.settings)
            ids = [s.id for s in self.config.sources]
            for d in await outbox.deliver(self.config.channels, ids, wait=False):
                self._log_delivery(d)

    # -- reloading ---------------------------------------------------------------------------

    async def reload(self, why: str) -> None:
        try:
            new = configuration.load(self.config_path)
        except ConfigError as exc:
            self._event("reload-failed", why=why, error=str(exc), level=logging.ERROR)
            return
        old_ids = {s.id for s in self.config.sources}
        self.config = new
        await self._open_fetcher()
        for job in self.scheduler.get_jobs():
            if job.id.startswith("source:") and job.id[len("source:") :] not in {
                s.id for s in new.sources
            }:
                job.remove()
        if not new.channels and self.scheduler.get_job("outbox"):
            self.scheduler.remove_job("outbox")
        self._schedule(first_run=False)
        added = sorted({s.id for s in new.sources} - old_ids)
        self._event("reloaded", why=why, sources=len(new.sources), added=",".join(added) or None)

    async def _watch_config(self) -> None:
        """Reload when the configuration file changes (checked once a second: a stat)."""
        while True:
            await asyncio.sleep(1.0)
            mtime = _mtime(self.config_path)
            if mtime != self.config_mtime:
                self.config_mtime = mtime
                await self.reload("file changed")

    # -- reporting -------------------------------------------------------------------------

    def _log_check(self, source: Source, r: Result) -> None:
        fields: dict[str, Any] = {"source": source.id, "status": r.status}
        if r.changes:
            fields.update(changes=len(r.changes), severity=r.severity, version=r.version)
        if r.error:
            fields["error"] = r.error
        fields["duration"] = round(r.elapsed, 3)
        level = logging.WARNING if r.status == "error" else logging.INFO
        self._event("check", level=level, **fields)

    def _log_delivery(self, d: Delivery) -> None:
        """``delivery source=… channel=… status=sent|pending|failed attempts=N reason=…``."""
        level = logging.INFO if d.status == "sent" else logging.WARNING
        self._event(
            "delivery",
            level=level,
            source=d.source,
            channel=d.channel,
            status=d.status,
            attempts=d.attempts,
            reason=d.error,
            message=d.message,
            alert=d.event,
        )

    def _event(self, event: str, level: int = logging.INFO, **fields: Any) -> None:
        fields = {k: v for k, v in fields.items() if v is not None}
        if self.log_format == "json":
            line = json.dumps(
                {"time": isoformat(utcnow()), "event": event, **fields}, ensure_ascii=False
            )
        else:
            line = " ".join([event, *(f"{k}={_logfmt(v)}" for k, v in fields.items())])
        log.log(level, line)

    def _write_status(self) -> None:
        """What ``tracker status`` shows about the daemon: its pid and each source's next run."""
        next_runs = {}
        for job in self.scheduler.get_jobs():
            if job.id.startswith("source:") and job.next_run_time:
                next_runs[job.name] = isoformat(job.next_run_time.astimezone(UTC))
        status = {
            "pid": os.getpid(),
            "started": self.started,
            "config": str(self.config_path) if self.config_path else configuration.BUILTIN,
            "updated": isoformat(utcnow()),
            "next_runs": next_runs,
        }
        data = (json.dumps(status, ensure_ascii=False, indent=2) + "\n").encode()
        with contextlib.suppress(OSError):
            atomic_write(self.config.settings.state_dir / STATUS_FILE, data)


def _logfmt(value: Any) -> str:
    text = str(value)
    return (
        json.dumps(text, ensure_ascii=False) if (" " in text or '"' in text or not text) else text
    )


def _mtime(path: Path | None) -> float | None:
    try:
        return path.stat().st_mtime if path else None
    except OSError:
        return None


def read_status(state_dir: Path) -> dict[str, Any] | None:
    """The running daemon's status, or None if no daemon is running on ``state_dir``."""
    try:
        status = json.loads((state_dir / STATUS_FILE).read_text("utf-8"))
        os.kill(int(status["pid"]), 0)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return status


def configure_logging(log_format: str, verbose: bool) -> None:
    """One line per event on stderr, fit for journald (which adds its own timestamps)."""
    handler = logging.StreamHandler()
    handler.setFormatter(
        logging.Formatter("%(message)s" if log_format == "json" else "%(levelname)s %(message)s")
    )
    root = logging.getLogger("tracker")
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    root.propagate = False
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    time.tzset()
