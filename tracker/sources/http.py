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
import contextlib
import time
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import httpx

from ..config import Settings
from ..errors import BlockedError, FetchError, HTTPError, TooLargeError
from ..model import Page
from ..retry import RetryPolicy, retry_after
from ..text.links import masked
from . import waiting
from .body import ACCEPT_ENCODING, CappedBody
from .guard import Guard

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
            follow_redirects=False,  # followed one by one, each checked (see _followed)
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

        guard = Guard(url, self.settings.allow_private)

        async def attempt() -> Page:
            async with waiting.turn(self._global, per_host):  # released while waiting to retry
                return await self._once(url, headers, guard)

        return await self._policy.run(attempt)

    async def _once(self, url: str, headers: dict[str, str], guard: Guard) -> Page:
        assert self._client is not None, "use Fetcher as an async context manager"
        started = time.monotonic()
        try:
            async with (
                asyncio.timeout(self.settings.timeout),
                self._followed(url, headers, guard) as resp,
            ):
                if resp.status_code >= 400:
                    raise _status_error(resp)
                if resp.headers.get("cf-mitigated", "").lower() == "challenge":
                    raise BlockedError("the site answered with an anti-bot challenge")
                body = await self._read(resp)  # a 304's empty body too: the connection is reused
                return Page(
                    url=masked(str(resp.url)),  # kept and shown: never its credentials
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
        except httpx.LocalProtocolError as exc:
            raise FetchError(f"invalid request: {_first_line(exc)}", transient=False) from None
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
            raise FetchError(f"invalid URL: {exc}", transient=False) from None
        except httpx.ConnectError as exc:
            raise FetchError(f"connection failed: {_first_line(exc)}") from None
        except (httpx.RemoteProtocolError, httpx.ReadError) as exc:
            raise FetchError(f"connection broke off mid-page: {_first_line(exc)}") from None
        except httpx.HTTPError as exc:
            raise FetchError(f"{type(exc).__name__}: {_first_line(exc)}") from None

    @contextlib.asynccontextmanager
    async def _followed(
        self, url: str, headers: dict[str, str], guard: Guard
    ) -> AsyncIterator[httpx.Response]:
        """The response at the end of ``url``'s redirects, each checked by ``guard`` first."""
        assert self._client is not None
        request = self._client.build_request("GET", url, headers=headers)
        for _ in range(self.settings.max_redirects + 1):
            resp = await self._client.send(request, stream=True)
            following = resp.next_request if resp.is_redirect else None
            if following is None:
                try:
                    yield resp
                finally:
                    await resp.aclose()
                return
            await resp.aclose()
            await guard.check(str(following.url))
            request = following
        raise httpx.TooManyRedirects("too many redirects", request=request)

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
