"""One retry policy for everything tracker retries: fetching a page, delivering an alert.

A failure is retried when its error says it is ``transient`` (a connection
error, a timeout, 429, 5xx), after a jittered exponential delay capped at a
minute, and never sooner than the server's ``Retry-After``.  A server that
asks for longer than ``max_retry_after`` is not waited for in this run.  The
loop itself is tenacity's; this module only says when and how long.
"""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

import tenacity

T = TypeVar("T")
_CAP = 60.0  # seconds: the longest delay between two attempts


@dataclass(frozen=True)
class RetryPolicy:
    retries: int  # attempts after the first
    backoff: float  # seconds before the first retry; doubles each time
    max_retry_after: float  # a longer Retry-After gives up for this run

    def worth_retrying(self, exc: BaseException) -> bool:
        if not getattr(exc, "transient", False):
            return False
        after = getattr(exc, "retry_after", None)
        return after is None or after <= self.max_retry_after

    def delay(self, attempt: int, exc: BaseException | None) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1 for the first)."""
        delay = min(_CAP, self.backoff * 2.0 ** (attempt - 1)) * random.uniform(0.5, 1.0)
        after = getattr(exc, "retry_after", None)
        return max(delay, float(after)) if after is not None else delay

    async def run(self, fn: Callable[[], Awaitable[T]]) -> T:
        """``await fn()``, retried as the policy says; the last error is raised as it was."""
        retrying = tenacity.AsyncRetrying(
            stop=tenacity.stop_after_attempt(self.retries + 1),
            wait=self._wait,
            retry=tenacity.retry_if_exception(self.worth_retrying),
            reraise=True,  # the caller sees the last error itself, typed as it was
        )
        return await retrying(fn)

    def _wait(self, state: tenacity.RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        return self.delay(state.attempt_number, exc)


def retry_after(value: str | None) -> float | None:
    """Seconds a ``Retry-After`` header asks for (a number or an HTTP date); None: none asked."""
    value = (value or "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
