"""Spread a large check over one process per core.

A check is bound by the interpreter lock: fetching, parsing and recording a
thousand pages keep one core busy while the others idle.  Past a few hundred
sources, ``tracker check`` deals them out round-robin to ``processes`` shards:
this process checks the first, and a fresh interpreter (``spawn``: safe beside
threads, and the same on every platform) checks each of the others.

Nothing else needs to know.  Each source is still checked under its own lock,
alerts still go through the shared outbox, results still come back in
configuration order, and the run's politeness limits are divided between the
shards, so that all of them together never exceed ``per_host`` or
``concurrency``.  A shard whose process dies turns into an error for each of
its sources; their snapshots stay as they were.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import signal
from collections.abc import Sequence
from dataclasses import replace
from multiprocessing.connection import Connection
from typing import Any

from .. import logs
from ..config import Config
from ..model import Status
from ..pipeline.check import Checked, check_all
from ..pipeline.events import Listener
from ..pipeline.result import Result

log = logging.getLogger(__name__)

# Below this many sources per process, starting an interpreter costs more than it saves.
MIN_SOURCES_PER_PROCESS = 200


def processes_for(config: Config, cores: int | None = None) -> int:
    """How many shards to check ``config`` in: its ``processes`` setting, within the limits.

    No more shards than usable ``cores`` (for ``auto``; by default this machine's),
    than sources, or than ``per_host`` and ``concurrency`` (each shard needs at
    least one of each).
    """
    settings = config.settings
    wanted = settings.processes
    if wanted is None:
        usable = usable_cores() if cores is None else cores
        wanted = min(usable, len(config.sources) // MIN_SOURCES_PER_PROCESS)
    return max(1, min(wanted, len(config.sources), settings.per_host, settings.concurrency))


def usable_cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def split(config: Config, shards: int) -> list[Config]:
    """Deal the sources out round-robin, and divide the run's limits between the shards."""
    s = config.settings
    parts = []
    for k in range(shards):
        limits = replace(
            s,
            per_host=_share(s.per_host, shards, k),
            concurrency=_share(s.concurrency, shards, k),
            processes=1,
        )
        parts.append(replace(config.part(config.sources[k::shards]), settings=limits))
    return parts


def _share(total: int, shards: int, k: int) -> int:
    """Shard ``k``'s part of ``total``: the parts differ by at most one and add up to it."""
    return total // shards + (1 if k < total % shards else 0)


async def check(
    config: Config, listeners: Sequence[Listener], checked: Checked | None = None
) -> list[Result]:
    """Check every source, in as many processes as :func:`processes_for` says.

    Each process hears with its own copy of ``listeners`` (they are sent to it);
    ``checked`` hears of each source as it is done (another shard's, when it ends).
    """
    shards = processes_for(config)
    if shards == 1:
        return await check_all(config, listeners, checked=checked)
    parts = split(config, shards)
    workers: list[_Worker] = []
    try:
        workers += (_Worker.start(part, listeners) for part in parts[1:])
    except OSError as exc:  # out of processes or memory: one process still does the job
        log.warning("could not start a worker process (%s); checking in this one", exc)
        for worker in workers:
            worker.stop(finished=False)
        return await check_all(config, listeners, checked=checked)
    finished = False

    def told(shard: int) -> Checked | None:  # a shard's index, as the whole run counts
        if checked is None:
            return None
        return lambda i, result: checked(i * shards + shard, result)

    async def heard(shard: int, worker: _Worker) -> list[Result]:
        results = await worker.results()
        if (tell := told(shard)) is not None:
            for i, result in enumerate(results):
                tell(i, result)
        return results

    try:
        mine = await check_all(parts[0], listeners, checked=told(0))
        theirs = await asyncio.gather(*(heard(k, w) for k, w in enumerate(workers, 1)))
        finished = True
    finally:
        for worker in workers:
            worker.stop(finished)
    by_shard = [mine, *theirs]
    return [by_shard[i % shards][i // shards] for i in range(len(config.sources))]


class _Worker:
    """One shard, checked in a child interpreter that sends its results back."""

    def __init__(self, config: Config, process: Any, conn: Connection) -> None:
        self.config = config
        self.process = process
        self.conn = conn

    @classmethod
    def start(cls, config: Config, listeners: Sequence[Listener]) -> _Worker:
        context = multiprocessing.get_context("spawn")
        receive, send = context.Pipe(duplex=False)
        level = logging.getLogger().getEffectiveLevel()
        process = context.Process(
            target=_shard_main,
            args=(config, list(listeners), send, level),
            name="tracker-shard",
            daemon=True,
        )
        # Ctrl-C reaches the whole process group, and the parent alone reports it.  The
        # child starts with it blocked (a signal mask survives exec), then ignores it.
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            process.start()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        send.close()  # the child holds the only writing end: its death means end of file
        return cls(config, process, receive)

    async def results(self) -> list[Result]:
        try:
            results: list[Result] = await asyncio.to_thread(self.conn.recv)
        except (EOFError, OSError):
            await asyncio.to_thread(self.process.join)
            problem = f"internal error: worker process exited with status {self.process.exitcode}"
            log.error("%s; %d sources not checked", problem, len(self.config.sources))
            return [Result(source, Status.ERROR, error=problem) for source in self.config.sources]
        # The parent's own Source objects, so results compare and print like the others.
        return [replace(r, source=s) for r, s in zip(results, self.config.sources, strict=True)]

    def stop(self, finished: bool) -> None:
        """Let a child that sent its results exit; end one an interrupted run leaves behind."""
        self.conn.close()
        self.process.join(timeout=5 if finished else 0)
        if self.process.is_alive():
            self.process.terminate()  # a killed check leaves whole files: see store/source.py
            self.process.join()


def _shard_main(
    config: Config, listeners: Sequence[Listener], conn: Connection, level: int
) -> None:
    """The child's side: check the shard and send the results back."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    logs.to_stderr(level)
    results = asyncio.run(check_all(config, listeners))
    with contextlib.suppress(BrokenPipeError):  # the parent is gone; the records stand
        conn.send(results)
    conn.close()
