"""What channels send with: one HTTP client per delivery run, and a way to run blocking sends.

An answer is judged by its status line; at most a few KB of an error's body are
read, so a receiver that streams without end costs nothing.  One client serves
every message of a run (a client per message costs a TLS
context and a connection each: 40 ms of CPU against 2).  A POST counts as
delivered only on a 2xx answer; a redirect is not followed (a POST would
turn into a GET, or be replayed somewhere else) and is reported for what it
is.  Blocking sends (SMTP) run in a daemon thread, so that stopping the
daemon never waits for a hung mail server: a send cut short is not marked
sent, and is tried again on the next start.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import httpx

from .. import __version__
from ..config import Secret
from ..retry import retry_after
from .channel import DeliveryError

T = TypeVar("T")
ANSWER_CAP = 4096  # bytes of an error answer read, at most: never the whole of it


class Courier:
    """An async context manager holding the run's HTTP client."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._client: httpx.AsyncClient | None = None

    async def __aenter__(self) -> Courier:
        self._client = httpx.AsyncClient(
            headers={"User-Agent": f"tracker/{__version__}"},
            timeout=httpx.Timeout(self.timeout),
            follow_redirects=False,
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._client is not None:
            await self._client.aclose()

    async def post_json(self, who: str, url: Secret, data: Any, *, detail: bool = False) -> None:
        """POST ``data`` as JSON, or raise a DeliveryError that names ``who`` but never the URL.

        429 and 5xx are transient (with the server's Retry-After); 3xx and other
        4xx are permanent for this message.  ``detail`` adds the start of a 4xx
        answer (Slack says what it disliked).
        """
        body = json.dumps(data, ensure_ascii=False).encode("utf-8")
        await self.post(who, url, body, {"Content-Type": "application/json"}, detail=detail)

    async def post(
        self,
        who: str,
        url: Secret,
        body: bytes,
        headers: dict[str, str],
        *,
        detail: bool = False,
    ) -> None:
        """POST ``body`` as it is (what a signature was computed over), judged as above."""
        assert self._client is not None, "use Courier as an async context manager"
        delivered = False
        try:
            async with (
                asyncio.timeout(self.timeout),
                self._client.stream("POST", url.value, content=body, headers=headers) as resp,
            ):
                status = resp.status_code
                delivered = 200 <= status < 300  # decided by the status line
                # A short answer is read to its end, so the connection serves the next post.
                answer = await _start_of(resp)
        except (httpx.HTTPError, TimeoutError) as exc:
            if delivered:  # an answer cut off after a 2xx is still a delivery
                return
            raise DeliveryError(f"{who}: {type(exc).__name__}") from None
        if delivered:
            return
        answer = answer if detail and 400 <= status < 500 else ""
        if 300 <= status < 400:
            raise DeliveryError(
                f"{who}: HTTP {status}, a redirect (not followed for a POST): check the URL",
                transient=False,
            )
        reason = f"{who}: HTTP {status} {answer[:80]}".strip()
        transient = status == 429 or status >= 500
        raise DeliveryError(
            reason, transient=transient, retry_after=retry_after(resp.headers.get("retry-after"))
        )

    async def blocking(self, fn: Callable[[], T]) -> T:
        """Run ``fn`` in a daemon thread: cancelling the await never waits for it."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future[T] = loop.create_future()

        def work() -> None:
            try:
                result = fn()
            except BaseException as exc:  # handed to the awaiting task, typed as it was
                loop.call_soon_threadsafe(_settle, done, None, exc)
            else:
                loop.call_soon_threadsafe(_settle, done, result, None)

        threading.Thread(target=work, name="tracker-send", daemon=True).start()
        return await done


async def _start_of(resp: httpx.Response) -> str:
    """The first few KB of an answer, decoded: what a service says it disliked, at most."""
    held = b""
    async for chunk in resp.aiter_bytes():
        held += chunk
        if len(held) >= ANSWER_CAP:
            break
    return held[:ANSWER_CAP].decode(resp.encoding or "utf-8", errors="replace").strip()


def _settle(done: asyncio.Future[Any], result: Any, exc: BaseException | None) -> None:
    if done.cancelled():
        return
    if exc is not None:
        done.set_exception(exc)
    else:
        done.set_result(result)
