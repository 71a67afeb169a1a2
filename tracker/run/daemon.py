"""``tracker daemon``: the same per-source check as ``tracker check``, on a schedule.

APScheduler (3.x, asyncio) fires each source on its ``interval`` or ``cron``
with random jitter around the nominal times (:mod:`tracker.run.schedule`); first
runs are spread out over the first interval; a source never overlaps itself
(``max_instances=1``) and runs missed during a sleep or pause are coalesced
into one.  The outbox is its own job, run on its schedule and right after
any check that may have queued something, never inside a check: a hung send
delays no check.  A reload keeps each unchanged source's next run.  Nothing stops the
daemon but a signal: SIGTERM or SIGINT cancels the checks in flight and exits
0; SIGHUP, or a change to the configuration file, reloads it (a bad new
configuration is reported and the old one stays in force).

It shares the state folder and its locks with ``tracker check``, so a cron
run beside it can neither tear a snapshot nor send an alert twice.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import filelock
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from .. import config as configuration
from .. import logs
from ..config import Config, Source
from ..errors import ConfigError, describe_os_error
from ..model import Delivered, Status
from ..notify.deliver import Delivery, deliver
from ..notify.queue import open_outbox
from ..pipeline import translations
from ..pipeline.check import check_source
from ..pipeline.events import Listener
from ..pipeline.result import Result
from ..report.site.refresh import Refresher
from ..sources import Context
from ..sources.browser import Browser
from ..stamps import isoformat, utcnow
from ..store import layout
from .clients import Clients
from .schedule import Schedule
from .status_file import StatusFile

log = logging.getLogger("tracker.run.daemon")

UNWIND = 10.0  # seconds a stopping daemon waits for the checks it cancelled to unwind


class Daemon:
    def __init__(
        self,
        config: Config,
        config_path: Path | None,
        reload: Callable[[], Config],
        listeners: Callable[[Config], Sequence[Listener]],
    ) -> None:
        self.config = config
        self.config_path = config_path
        self.load = reload  # the configuration read again
        self.listening = listeners
        self.listeners = listeners(config)  # who hears what the checks find
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self.clients = Clients()  # HTTP clients: the current settings', and older in use
        self.browser = Browser(config.settings)  # started by the first page that needs it
        self.stopping = asyncio.Event()
        self.delivery: asyncio.Task[None] | None = None  # the delivery under way, if any
        self.checking: set[asyncio.Task[Any]] = set()  # the checks under way
        self.config_mtime = _mtime(config_path)
        self.started = isoformat(utcnow())
        self.sources = {s.id: s for s in config.sources}
        self.plan = Schedule(self.scheduler)
        where = str(config_path) if config_path else configuration.BUILTIN
        self.status = StatusFile(config.settings.state_dir, self.started, where)
        self.report = Refresher(lambda: self.config)

    # -- life cycle ------------------------------------------------------------------------

    async def run(self) -> int:
        state_dir = self.config.settings.state_dir
        state_dir.mkdir(parents=True, exist_ok=True)
        lock = filelock.FileLock(layout.daemon_lock(state_dir), timeout=0)
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
            await self.clients.renew(self.config.settings)
            self._schedule(first_run=True)
            self.scheduler.start()
            self._event("started", sources=len(self.config.sources), pid=os.getpid())
            watcher = asyncio.create_task(self._watch_config())
            await self.stopping.wait()
            watcher.cancel()
            self._event("stopping")
            self.scheduler.shutdown(wait=False)  # cancels the checks in flight
            if self.delivery is not None:  # a send cut short is not marked: retried next start
                self.delivery.cancel()
            await asyncio.sleep(0)
            if self.checking:  # let them unwind (locks, pages) before their clients close
                await asyncio.wait(set(self.checking), timeout=UNWIND)
            await self.clients.close()
            await self.browser.close()
            await self.report.close()
            self.status.remove()
            return 0
        finally:
            lock.release()

    # -- scheduling ------------------------------------------------------------------------

    def _schedule(self, first_run: bool) -> None:
        """Give every source a job; on a reload, only the sources whose schedule changed."""
        self.plan.sources(self.config, self._check, first_run)
        if self.config.channels and not self.scheduler.get_job("outbox"):
            self.plan.outbox(self.config.settings.outbox_interval, self._deliver)
        self._write_status(force=True)

    async def _check(self, source_id: str) -> None:
        source = self.sources.get(source_id)
        if source is None:
            return
        task = asyncio.current_task()
        assert task is not None
        self.checking.add(task)
        try:
            async with self.clients.borrow() as fetcher:
                if fetcher is None:
                    return
                ctx = Context(fetcher, self.browser)
                result = await check_source(source, self.config, ctx, self.listeners)
        except asyncio.CancelledError:
            if not self.stopping.is_set():
                raise
            return  # stopping: a check cut short records nothing, and is not an error
        finally:
            self.checking.discard(task)
        self.plan.checked(source_id)
        self._log_check(source, result)
        if any(s.translation_of for s in self.config.sources):  # a translation left behind?
            told = await asyncio.to_thread(translations.tell, self.config, self.listeners, utcnow())
            for m in told:
                self._event("drift", source=m.outcome.id, said=str(m.outcome.drift))
        self._write_status()
        self.report.request()
        if result.status is not Status.UNCHANGED:  # it may have queued a message: send it soon
            self._kick_outbox()

    def _kick_outbox(self) -> None:
        """Run the outbox job now: never inside a check, so a hung send delays no check."""
        job = self.scheduler.get_job("outbox")
        if job is not None:
            job.modify(next_run_time=datetime.now(UTC))

    async def _deliver(self) -> None:
        """The outbox job: start a delivery unless one is under way (it never waits for one)."""
        if self.config.channels and (self.delivery is None or self.delivery.done()):
            self.delivery = asyncio.create_task(self._deliver_now())

    async def _deliver_now(self) -> None:
        outbox = open_outbox(self.config.settings)
        ids = [s.id for s in self.config.sources]
        try:
            for d in await deliver(outbox, self.config.channels, ids, wait=False):
                self._log_delivery(d)
        except OSError as exc:  # the state folder: said, and tried again next time
            self._event("delivery-failed", level=logging.ERROR, error=describe_os_error(exc))

    # -- reloading ---------------------------------------------------------------------------

    async def reload(self, why: str) -> None:
        self.config_mtime = _mtime(self.config_path)  # what this reload reads: not again
        try:
            new = self.load()
        except ConfigError as exc:
            self._event("reload-failed", why=why, error=str(exc), level=logging.ERROR)
            return
        old_ids = set(self.sources)
        self.config, self.sources = new, {s.id: s for s in new.sources}
        self.listeners = self.listening(new)
        await self.clients.renew(new.settings)
        old, self.browser = self.browser, Browser(new.settings)  # the old one closes once idle
        await old.retire()
        for sid in old_ids - set(self.sources):
            self.plan.drop(sid)
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
                try:
                    await self.reload("file changed")
                except Exception:  # the watcher must outlive any one reload
                    log.exception("reload failed")

    # -- reporting -------------------------------------------------------------------------

    def _log_check(self, source: Source, r: Result) -> None:
        fields: dict[str, Any] = {"source": source.id, "status": r.status}
        if r.changes:
            fields.update(changes=len(r.changes), severity=r.severity, version=r.version)
        if r.error:
            fields["error"] = r.error
        fields["duration"] = round(r.elapsed, 3)
        level = logging.WARNING if r.status is Status.ERROR else logging.INFO
        self._event("check", level=level, **fields)

    def _log_delivery(self, d: Delivery) -> None:
        """``delivery source=… channel=… status=sent|pending|failed attempts=N reason=…``."""
        level = logging.INFO if d.status is Delivered.SENT else logging.WARNING
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

    def _event(self, name: str, level: int = logging.INFO, **fields: Any) -> None:
        logs.event(log, level, name, **fields)

    def _write_status(self, force: bool = False) -> None:
        self.status.write(self._next_runs, force)

    def _next_runs(self) -> dict[str, str]:
        return {
            job.name: isoformat(job.next_run_time.astimezone(UTC))
            for job in self.scheduler.get_jobs()
            if job.id.startswith("source:") and job.next_run_time
        }


def _mtime(path: Path | None) -> float | None:
    try:
        return path.stat().st_mtime if path else None
    except OSError:
        return None
