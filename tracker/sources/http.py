"""Download pages: polite, bounded and honest about failure.

One :class:`Fetcher` per run shares an httpx client, a global concurrency
limit and a per-host limit.  Transient failures (connect errors, timeouts,
429, 5xx) are retried as :mod:`tracker.retry` says (jittered exponential
backoff that honours ``Retry-After``); everything else fails at once with a
typed error.  ``timeout`` bounds a whole attempt (connecting, headers and
body), so a server that trickles bytes cannot hold a run.  Bodies are
decoded under a size cap (:mod:`tracker.sources.body`), and conditional GET turns an
unchanged page into a 304 that costs almost nothing.
"""

from __future__ import annotations

import asyncio
import time
from urllib.parse import urlsplit

import httpx

from ..config import Settings
from ..errors import BlockedError, FetchError, HTTPError, TooLargeError
from ..model import Page
from ..retry import RetryPolicy, retry_after
from .body import ACCEPT_ENCODING, CappedBody

ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


class Fetcher:
    """An async context manager that fetches pages within the run's limits."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._client: httpx.AsyncClient | None = None
        self._global = asyncio.Semaphore(settings.concurrency)
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self._policy = RetryPolicy(settings.retries, settings.backoff, settings.max_retry_after)

    async def __aenter__(self) -> Fetcher:
        s = self.settings
        self._client = httpx.AsyncClient(
            headers={
                "User-Agent": s.user_agent,
                "Accept": ACCEPT,
                "Accept-Language": s.accept_language,
                "Accept-Encoding": ACCEPT_ENCODING,  # what body.py decodes under the cap
            },
            timeout=httpx.Timeout(s.timeout),
            follow_redirects=True,
            max_redirects=s.max_redirects,
            limits=httpx.Limits(
                max_connections=s.concurrency, max_keepalive_connections=s.concurrency
            ),
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._client is not None:
            await self._client.aclose()

    async def fetch(
        self,
        url: str,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str | None = None,
    ) -> Page:
        """Fetch ``url``, retrying transient failures; raise a SourceError otherwise."""
        headers = {"Accept": accept} if accept else {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        host = urlsplit(url).netloc.lower()
        per_host = self._hosts.setdefault(host, asyncio.Semaphore(self.settings.per_host))

        async def attempt() -> Page:
            async with self._global, per_host:  # released while waiting to retry
                return await self._once(url, headers)

        return await self._policy.run(attempt)

    async def _once(self, url: str, headers: dict[str, str]) -> Page:
        assert self._client is not None, "use Fetcher as an async context manager"
        started = time.monotonic()
        try:
            async with (
                asyncio.timeout(self.settings.timeout),
                self._client.stream("GET", url, headers=headers) as resp,
            ):
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
        except (httpx.TimeoutException, TimeoutError):
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
        body = CappedBody(resp.headers.get("content-encoding"), cap)
        async for chunk in resp.aiter_raw():
            body.feed(chunk)
        return body.decoded()


def _status_error(resp: httpx.Response) -> HTTPError:
    status = resp.status_code
    phrase = resp.reason_phrase or ""
    return HTTPError(
        status, f"HTTP {status} {phrase}".strip(), retry_after(resp.headers.get("retry-after"))
    )


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
