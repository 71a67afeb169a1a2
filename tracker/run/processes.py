"""Spread a large check over one process per core.

A check is bound by the interpreter lock: fetching, parsing and recording a
thousand pages keep one core busy while the others idle.  Past a few hundred
sources, ``tracker check`` deals them out round-robin to ``processes`` parts:
this process checks the first, and a fresh interpreter (``spawn``: safe beside
threads, and the same on every platform) checks each of the others.

Nothing else needs to know.  Each source is still checked under its own lock,
alerts still go through the shared outbox, results still come back in
configuration order, and the run's politeness limits are divided between the
parts, so that all of them together never exceed ``per_host`` or
``concurrency``.  A part whose process dies turns into an error for each of
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
    """How many parts to check ``config`` in: its ``processes`` setting, within the limits.

    No more parts than usable ``cores`` (for ``auto``; by default this machine's),
    than sources, or than ``per_host`` and ``concurrency`` (each part needs at
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


def split(config: Config, count: int) -> list[Config]:
    """Deal the sources out round-robin, and divide the run's limits between the parts.

    (Not ``--shard``, which splits the sources between machines: :mod:`tracker.run.shards`.)
    """
    s = config.settings
    parts = []
    for k in range(count):
        limits = replace(
            s,
            per_host=_share(s.per_host, count, k),
            concurrency=_share(s.concurrency, count, k),
            processes=1,
        )
        parts.append(replace(config.part(config.sources[k::count]), settings=limits))
    return parts


def _share(total: int, count: int, k: int) -> int:
    """Part ``k``'s share of ``total``: the shares differ by at most one and add up to it."""
    return total // count + (1 if k < total % count else 0)


async def check(
    config: Config, listeners: Sequence[Listener], checked: Checked | None = None
) -> list[Result]:
    """Check every source, in as many processes as :func:`processes_for` says.

    Each process hears with its own copy of ``listeners`` (they are sent to it);
    ``checked`` hears of each source as it is done (another part's, when it ends).
    """
    count = processes_for(config)
    if count == 1:
        return await check_all(config, listeners, checked=checked)
    parts = split(config, count)
    workers: list[_Worker] = []
    try:
        workers += (_Worker.start(part, listeners) for part in parts[1:])
    except OSError as exc:  # out of processes or memory: one process still does the job
        log.warning("could not start a worker process (%s); checking in this one", exc)
        for worker in workers:
            worker.stop(finished=False)
        return await check_all(config, listeners, checked=checked)
    finished = False

    def told(part: int) -> Checked | None:  # a part's index, as the whole run counts
        if checked is None:
            return None
        return lambda i, result: checked(i * count + part, result)

    async def heard(part: int, worker: _Worker) -> list[Result]:
        results = await worker.results()
        if (tell := told(part)) is not None:
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
    by_part = [mine, *theirs]
    return [by_part[i % count][i // count] for i in range(len(config.sources))]


class _Worker:
    """One part, checked in a child interpreter that sends its results back."""

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
            target=_part_main,
            args=(config, list(listeners), send, level),
            name="tracker-part",
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


def _part_main(config: Config, listeners: Sequence[Listener], conn: Connection, level: int) -> None:
    """The child's side: check the part and send the results back."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    logs.to_stderr(level)
    results = asyncio.run(check_all(config, listeners))
    with contextlib.suppress(BrokenPipeError):  # the parent is gone; the records stand
        conn.send(results)
    conn.close()
