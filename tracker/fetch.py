"""Download pages: polite, bounded and honest about failure.

One :class:`Fetcher` per run shares an httpx client, a global concurrency
limit and a per-host limit.  Transient failures (connect errors, timeouts,
429, 5xx) are retried with jittered exponential backoff that honours
``Retry-After``; everything else fails at once with a typed error.  Bodies are
streamed under a size cap, and conditional GET turns an unchanged page into a
304 that costs almost nothing.
"""

from __future__ import annotations

import asyncio
import email.utils
import random
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from .config import Settings
from .errors import BlockedError, FetchError, HTTPError, SourceError, TooLargeError

ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
_MAX_BACKOFF = 60.0


@dataclass(frozen=True)
class Page:
    """What the server sent.  ``status`` 304 means "same as your ETag", with no body."""

    url: str
    status: int
    body: bytes
    content_type: str | None
    etag: str | None
    last_modified: str | None
    elapsed: float

    @property
    def not_modified(self) -> bool:
        return self.status == 304


class Fetcher:
    """An async context manager that fetches pages within the run's limits."""

    def __init__(self, settings: Settings, transport: httpx.AsyncBaseTransport | None = None):
        self.settings = settings
        self._transport = transport
        self._client: httpx.AsyncClient | None = None
        self._global = asyncio.Semaphore(settings.concurrency)
        self._hosts: dict[str, asyncio.Semaphore] = {}

    async def __aenter__(self) -> Fetcher:
        s = self.settings
        self._client = httpx.AsyncClient(
            headers={
                "User-Agent": s.user_agent,
                "Accept": ACCEPT,
                "Accept-Language": s.accept_language,
            },
            timeout=httpx.Timeout(s.timeout),
            follow_redirects=True,
            max_redirects=s.max_redirects,
            limits=httpx.Limits(
                max_connections=s.concurrency, max_keepalive_connections=s.concurrency
            ),
            transport=self._transport,
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._client is not None:
            await self._client.aclose()

    async def fetch(
        self, url: str, etag: str | None = None, last_modified: str | None = None
    ) -> Page:
        """Fetch ``url``, retrying transient failures; raise a SourceError otherwise."""
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        host = urlsplit(url).netloc.lower()
        per_host = self._hosts.setdefault(host, asyncio.Semaphore(self.settings.per_host))
        attempt = 0
        while True:
            try:
                async with self._global, per_host:
                    return await self._once(url, headers)
            except SourceError as exc:
                delay = self._retry_delay(exc, attempt)
                if delay is None:
                    raise
            attempt += 1
            await asyncio.sleep(delay)

    def _retry_delay(self, exc: SourceError, attempt: int) -> float | None:
        """Seconds to wait before the next attempt, or None to give up now."""
        s = self.settings
        if not exc.transient or attempt >= s.retries:
            return None
        delay = min(_MAX_BACKOFF, s.backoff * 2**attempt) * random.uniform(0.5, 1.0)
        retry_after = getattr(exc, "retry_after", None)
        if retry_after is not None:
            if retry_after > s.max_retry_after:
                return None  # the server asks for longer than a run should wait
            delay = max(delay, retry_after)
        return delay

    async def _once(self, url: str, headers: dict[str, str]) -> Page:
        assert self._client is not None, "use Fetcher as an async context manager"
        started = time.monotonic()
        try:
            async with self._client.stream("GET", url, headers=headers) as resp:
                if resp.status_code >= 400:
                    raise _status_error(resp)
                if resp.headers.get("cf-mitigated", "").lower() == "challenge":
                    raise BlockedError("the site answered with an anti-bot challenge")
                body = await self._read(resp)  # a 304's empty body too: the connection is reused
                return Page(
                    url=str(resp.url),
                    status=resp.status_code,
                    body=body,
                    content_type=resp.headers.get("content-type"),
                    etag=resp.headers.get("etag"),
                    last_modified=resp.headers.get("last-modified"),
                    elapsed=time.monotonic() - started,
                )
        except httpx.TimeoutException:
            raise FetchError(f"timed out after {self.settings.timeout:g}s") from None
        except httpx.TooManyRedirects:
            reason = f"more than {self.settings.max_redirects} redirects"
            raise FetchError(reason, transient=False) from None
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
            raise FetchError(f"invalid URL: {exc}", transient=False) from None
        except httpx.ConnectError as exc:
            raise FetchError(f"connection failed: {_first_line(exc)}") from None
        except (httpx.RemoteProtocolError, httpx.ReadError) as exc:
            raise FetchError(f"connection broke off mid-page: {_first_line(exc)}") from None
        except httpx.HTTPError as exc:
            raise FetchError(f"{type(exc).__name__}: {_first_line(exc)}") from None

    async def _read(self, resp: httpx.Response) -> bytes:
        cap = self.settings.max_bytes
        declared = resp.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            raise TooLargeError(f"page is {int(declared)} bytes, over the {cap}-byte cap")
        chunks: list[bytes] = []
        size = 0
        async for chunk in resp.aiter_bytes():
            size += len(chunk)
            if size > cap:
                raise TooLargeError(f"page is over the {cap}-byte cap")
            chunks.append(chunk)
        return b"".join(chunks)


def _status_error(resp: httpx.Response) -> HTTPError:
    status = resp.status_code
    phrase = resp.reason_phrase or ""
    return HTTPError(status, f"HTTP {status} {phrase}".strip(), _retry_after(resp))


def _retry_after(resp: httpx.Response) -> float | None:
    value = resp.headers.get("retry-after")
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
