"""Spread a large check over one process per core.

A check is bound by the interpreter lock: fetching, parsing and recording a
thousand pages keep one core busy while the others idle.  Past a few hundred
sources, ``tracker check`` deals them out round-robin to ``processes`` parts:
this process checks the first, and a fresh interpreter (a subprocess: safe beside
threads, and nothing shared) checks each of the others.

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
import os
import pickle
import signal
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

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
    """One part, checked in a child interpreter that sends its results back.

    A plain subprocess (``python -m tracker.run.processes``) reading its part from
    stdin and writing its results to stdout, both pickled: unlike multiprocessing's
    ``spawn``, it starts no resource-tracker process beside it (13 MB for nothing).
    """

    def __init__(self, config: Config, process: subprocess.Popen[bytes]) -> None:
        self.config = config
        self.process = process

    @classmethod
    def start(cls, config: Config, listeners: Sequence[Listener]) -> _Worker:
        level = logging.getLogger().getEffectiveLevel()
        task = pickle.dumps((config, list(listeners), level), pickle.HIGHEST_PROTOCOL)
        here = str(Path(__file__).resolve().parents[2])  # where ``tracker`` is importable
        path = os.pathsep.join(p for p in (here, os.environ.get("PYTHONPATH")) if p)
        # Ctrl-C reaches the whole process group, and the parent alone reports it.  The
        # child starts with it blocked (a signal mask survives exec), then ignores it.
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            process = subprocess.Popen(
                [sys.executable, "-m", __name__, "tracker-part"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                env={**os.environ, "PYTHONPATH": path},
            )
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        assert process.stdin is not None
        with contextlib.suppress(BrokenPipeError):  # it died at once: said by results()
            process.stdin.write(task)
        process.stdin.close()
        return cls(config, process)

    async def results(self) -> list[Result]:
        out = await asyncio.to_thread(self._read)
        try:
            results: list[Result] = pickle.loads(out)
        except (pickle.UnpicklingError, EOFError, ValueError):
            await asyncio.to_thread(self.process.wait)
            problem = f"internal error: worker process exited with status {self.process.returncode}"
            log.error("%s; %d sources not checked", problem, len(self.config.sources))
            return [Result(source, Status.ERROR, error=problem) for source in self.config.sources]
        # The parent's own Source objects, so results compare and print like the others.
        return [replace(r, source=s) for r, s in zip(results, self.config.sources, strict=True)]

    def _read(self) -> bytes:
        assert self.process.stdout is not None
        return self.process.stdout.read()

    def stop(self, finished: bool) -> None:
        """Let a child that sent its results exit; end one an interrupted run leaves behind."""
        try:
            self.process.wait(timeout=5 if finished else 0)
        except subprocess.TimeoutExpired:
            self.process.terminate()  # a killed check leaves whole files: see store/source.py
            self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()


def _part_main() -> None:
    """The child's side: read the part, check it, and send the results back."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    config, listeners, level = pickle.loads(sys.stdin.buffer.read())
    results_out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # whatever else writes to stdout goes to stderr, never into the results
    logs.to_stderr(level)
    results = asyncio.run(check_all(config, listeners))
    with contextlib.suppress(BrokenPipeError), results_out:  # the parent gone: records stand
        results_out.write(pickle.dumps(results, pickle.HIGHEST_PROTOCOL))


if __name__ == "__main__":
    _part_main()
