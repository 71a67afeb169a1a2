"""A source's own time, apart from its wait for a turn.

A run over many sources queues them: for a fetch slot (``concurrency``,
``per_host``), a browser tab, the pipeline's backlog and its parse and record
threads.  The time a source reports is how long its own work took (a 3 s page
is "3.00s", not the 27 s it spent in the run): each check keeps a
:class:`Tally` in a context variable, and every wait for a turn adds to it.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


@dataclass
class Tally:
    """Seconds one check spent waiting for its turn."""

    seconds: float = 0.0


_CURRENT: ContextVar[Tally | None] = ContextVar("tracker_waiting", default=None)


def start() -> Tally:
    """A new tally for the check running in this task; every wait in it adds to it."""
    tally = Tally()
    _CURRENT.set(tally)
    return tally


def add(seconds: float) -> None:
    if (tally := _CURRENT.get()) is not None:
        tally.seconds += seconds


@contextlib.asynccontextmanager
async def turn(*slots: asyncio.Semaphore | None) -> AsyncIterator[None]:
    """Hold each of ``slots`` (None: no limit), the time it took to get them counted as waiting."""
    started = time.monotonic()
    async with contextlib.AsyncExitStack() as held:
        for slot in slots:
            if slot is not None:
                await held.enter_async_context(slot)
        add(time.monotonic() - started)
        yield


def queued(fn: Callable[P, T]) -> Callable[P, T]:
    """``fn``, to be run by an executor: its time in the executor's queue counted as waiting."""
    tally, submitted = _CURRENT.get(), time.monotonic()

    def run(*args: P.args, **kwargs: P.kwargs) -> T:
        if tally is not None:
            tally.seconds += time.monotonic() - submitted
        return fn(*args, **kwargs)

    return run
