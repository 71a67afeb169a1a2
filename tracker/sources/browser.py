"""A real Chromium, driven by Playwright, for pages that build their agreement with JavaScript.

One browser per run (or per daemon), started on the first page that needs
it, never for a static page; at most ``render_concurrency`` pages at once.
Images, media and fonts are never loaded.  A page is ready when an element
the selector picks holds ``min_length`` characters of text, within
``timeout``; its DOM is what the version keeps.  Memory stays bounded: the
browser closes when idle and restarts after ``render_restart_after`` pages.
A crashed browser fails the pages it was rendering, and the next page starts
a new one.

The browser is ``[tracker] browser`` if set, else ``chromium``,
``chromium-browser`` or ``google-chrome`` on ``PATH``, else one Playwright
installed itself (``python -m playwright install chromium``).
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import os
import shutil
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ExtractError, HTTPError, RenderError, SourceError
from ..model import Page
from ..text.links import masked
from . import waiting
from .guard import Guard, PrivateAddressError

if TYPE_CHECKING:
    from ..config import Settings, Source

IDLE = 60.0  # seconds without a page before the browser is closed
CLOSE_WAIT = 5.0  # seconds a context or the browser gets to close before it is given up
_BLOCKED = frozenset({"image", "media", "font"})
# Chromium as a well-behaved guest: no sandbox (tracker may run as root in a container),
# no GPU, and none of the background traffic a closed network refuses.
_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
_FILLED = """([selectors, n]) => selectors.some((s) => {
  const el = document.querySelector(s);
  return el !== null && el.innerText.trim().length >= n;
})"""

# True once the document has not changed for ``quiet`` ms (watched from the first call).
_QUIET = """(quiet) => {
  const key = "__trackerQuiet";
  if (!window[key]) {
    window[key] = {last: performance.now()};
    new MutationObserver(() => { window[key].last = performance.now(); }).observe(
      document, {subtree: true, childList: true, characterData: true});
  }
  return performance.now() - window[key].last >= quiet;
}"""
QUIET = 1.0  # seconds without network or DOM changes after which a rendered page is settled
LAYOUT = " (page layout changed?)"


def find_browser(configured: Path | None) -> str | None:
    """A Chromium on this machine, or None (then Playwright's own, if it installed one)."""
    if configured is not None:
        return str(configured)
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if path := shutil.which(name):
            return path
    return None


def _playwright_has_chromium() -> bool:
    """Whether ``python -m playwright install chromium`` has put one where Playwright looks."""
    base = os.environ.get("PLAYWRIGHT_BROWSERS_PATH")
    return any(Path(base or Path.home() / ".cache" / "ms-playwright").glob("chromium*"))


def how_to_get_a_browser() -> str:
    return (
        "rendering it needs Chromium: apt-get install chromium, or "
        "python -m playwright install chromium (with pip install 'tracker[browser]')"
    )


class Browser:
    """Render pages in one shared Chromium; an async context manager for the run."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._slots = asyncio.Semaphore(settings.render_concurrency)
        self._launching = asyncio.Lock()
        self._playwright: Any = None
        self._browser: Any = None
        self._active = 0
        self._pages = 0  # rendered by the running browser
        self._idle: asyncio.TimerHandle | None = None

    async def __aenter__(self) -> Browser:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def available(self) -> bool:
        """Whether rendering can be tried: Playwright, and a Chromium for it to drive."""
        if importlib.util.find_spec("playwright") is None:
            return False
        return find_browser(self.settings.browser) is not None or _playwright_has_chromium()

    async def render(self, source: Source, after_static: str | None = None) -> Page:
        """The page as a browser shows it, once its agreement text is there.

        ``after_static`` is why the static page was not enough (render = "auto"):
        a rendered page that never fills is then the usual "matched nothing".
        """
        async with waiting.turn(self._slots):
            self._active += 1
            if self._idle is not None:
                self._idle.cancel()
                self._idle = None
            try:
                browser = await self._ensure()
                return await self._render(browser, source, after_static)
            finally:
                self._active -= 1
                self._pages += 1
                if self._active == 0:
                    await self._rest()

    async def look(self, url: str) -> tuple[str, list[tuple[str, str]]]:
        """A page's rendered DOM once its network is quiet, and the JSON bodies it loaded.

        For ``tracker inspect``: no selector is known yet, so it waits for the page
        to stop loading (within ``timeout``) rather than for the agreement text.
        """
        from playwright.async_api import Error

        async with self._slots:
            browser = await self._ensure()
            responses: list[Any] = []
            context: Any = None
            try:
                context = await browser.new_context(user_agent=self.settings.user_agent)
                tab = await context.new_page()
                await tab.route("**/*", _only_what_a_reader_needs)
                tab.on("response", lambda response: responses.append(response))
                with contextlib.suppress(Error, TimeoutError):
                    async with asyncio.timeout(self.settings.timeout):
                        await tab.goto(url, wait_until="networkidle")
                async with asyncio.timeout(self.settings.timeout):
                    html = await tab.content()
                    loaded = []
                    for response in responses:
                        if "json" in (response.headers.get("content-type") or ""):
                            with contextlib.suppress(Error):
                                loaded.append((response.url, await response.text()))
                return html, loaded
            except TimeoutError:
                raise RenderError(
                    f"the page did not answer within {self.settings.timeout:g}s: "
                    "its scripts keep it busy",
                    transient=False,
                ) from None
            except Error as exc:
                first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
                raise RenderError(f"the browser failed while rendering the page: {first}") from None
            finally:
                await self._release(context)

    async def retire(self) -> None:
        """Close now if no page is being rendered, else once the last one is done."""
        if self._active == 0:
            await self.close()
        else:
            self._pages = self.settings.render_restart_after  # its last pages close it

    async def close(self) -> None:
        if self._idle is not None:
            self._idle.cancel()
            self._idle = None
        browser, playwright, self._browser, self._playwright = (
            self._browser, self._playwright, None, None
        )  # fmt: skip
        # Each step bounded: a browser that does not answer is left to its driver, whose
        # end (Playwright stopped) ends it too.
        with contextlib.suppress(Exception):
            if browser is not None:
                async with asyncio.timeout(CLOSE_WAIT):
                    await browser.close()
        with contextlib.suppress(Exception):
            if playwright is not None:
                async with asyncio.timeout(CLOSE_WAIT):
                    await playwright.stop()

    # -- inside -------------------------------------------------------------------------

    async def _ensure(self) -> Any:
        async with self._launching:
            if self._browser is not None and self._browser.is_connected():
                return self._browser
            await self.close()  # a crashed one: start afresh
            from playwright.async_api import Error, async_playwright

            self._playwright = await async_playwright().start()
            path = find_browser(self.settings.browser)
            try:
                self._browser = await self._playwright.chromium.launch(
                    executable_path=path, args=_FLAGS
                )
            except Error as exc:
                await self.close()
                first = (str(exc).strip().splitlines() or ["no browser"])[0]
                reason = f"cannot start a browser ({first}); {how_to_get_a_browser()}"
                raise RenderError(reason) from None
            self._pages = 0
            return self._browser

    async def _render(self, browser: Any, source: Source, after_static: str | None) -> Page:
        """One page, every step of it (content and closing included) within ``timeout``.

        A page whose scripts block its main thread answers nothing, not even a request
        for its content: it fails, alone, and the browser is restarted if it stops
        answering too.
        """
        from playwright.async_api import Error
        from playwright.async_api import TimeoutError as PlaywrightTimeout

        s = self.settings
        started = time.monotonic()
        context: Any = None
        tab: Any = None
        gate: _Gate | None = None
        try:
            async with asyncio.timeout(s.timeout):
                context = await browser.new_context(
                    user_agent=s.user_agent,
                    extra_http_headers={"Accept-Language": s.accept_language},
                )
                tab = await context.new_page()
                gate = _Gate(Guard(source.url, s.allow_private))
                await tab.route("**/*", gate.route)
                response = await tab.goto(source.url, wait_until="domcontentloaded")
                if response is not None and response.status >= 400:
                    raise HTTPError(response.status, f"HTTP {response.status}")
                if not await _filled_or_settled(tab, source):
                    raise _NotThere
                html = await tab.content()
            if gate.refused is not None:  # it led somewhere it may not: nothing it showed counts
                raise gate.refused
            return Page(
                url=masked(tab.url),  # kept and shown: never its credentials
                status=response.status if response is not None else 200,
                body=html.encode("utf-8"),
                content_type="text/html; charset=utf-8",
                etag=None,
                last_modified=None,
                elapsed=time.monotonic() - started,
                rendered=True,
            )
        except (TimeoutError, PlaywrightTimeout):
            if gate is not None and gate.refused is not None:
                raise gate.refused from None
            if tab is not None and not await _answers(tab):
                raise RenderError(
                    f"the page did not answer within {s.timeout:g}s: its scripts keep it busy",
                    transient=False,
                ) from None
            raise _no_text(source, after_static, f"within {s.timeout:g}s") from None
        except _NotThere:  # it settled without the text: no use waiting out the timeout
            if gate is not None and gate.refused is not None:
                raise gate.refused from None
            raise _no_text(source, after_static, "once it settled") from None
        except Error as exc:  # the browser crashed or closed under the page
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise RenderError(f"the browser failed while rendering the page: {first}") from None
        finally:
            await self._release(context)

    async def _release(self, context: Any) -> None:
        """Close a page's context; a browser that does not answer that is restarted."""
        if context is None:
            return
        try:
            async with asyncio.timeout(CLOSE_WAIT):
                await context.close()
        except Exception:
            await self.close()  # the next page starts a new browser

    async def _rest(self) -> None:
        """Between pages: restart after enough of them, else close once idle for a while."""
        if self._pages >= self.settings.render_restart_after:
            await self.close()  # memory: the next page starts a new browser
            return
        loop = asyncio.get_running_loop()
        self._idle = loop.call_later(IDLE, lambda: asyncio.ensure_future(self._close_if_idle()))

    async def _close_if_idle(self) -> None:
        if self._active == 0:
            await self.close()


class _NotThere(Exception):
    """The rendered page settled, and the agreement text is not in it."""


def _no_text(source: Source, after_static: str | None, when: str) -> SourceError:
    """The error of a rendered page without the agreement text; the layout asked about once."""
    if after_static:
        static = after_static.removesuffix(LAYOUT)
        return ExtractError(f"{static}, nor in the page rendered by a browser {when}{LAYOUT}")
    return RenderError(
        f"the rendered page held no agreement text in {list(source.selectors)} {when}{LAYOUT}",
        transient=False,
    )


async def _filled_or_settled(tab: Any, source: Source) -> bool:
    """Wait until the agreement text is there (True), or the page has settled without it
    (False): its network idle and its document unchanged for ``QUIET`` s.  A mistyped
    selector so answers in seconds, not after the whole ``timeout``; a page still loading
    or changing is waited for, up to the timeout."""
    arg = [list(source.selectors), source.min_length]
    filled = asyncio.ensure_future(tab.wait_for_function(_FILLED, arg=arg, polling=100))
    settled = asyncio.ensure_future(_settled(tab))
    try:
        await asyncio.wait({filled, settled}, return_when=asyncio.FIRST_COMPLETED)
        if filled.done():
            filled.result()  # its error, if it failed
            return True
        settled.result()
        return bool(await tab.evaluate(_FILLED, arg))  # filled in the very last moment?
    finally:
        waits = {t for t in (filled, settled) if not t.done()}
        for task in waits:
            task.cancel()
        if waits:
            await asyncio.wait(waits)  # an outer cancellation still reaches us here
        for task in (filled, settled):
            if not task.cancelled():
                task.exception()  # retrieved: a wait given up on is not an error


async def _settled(tab: Any) -> None:
    await tab.wait_for_load_state("networkidle")
    await tab.wait_for_function(_QUIET, arg=QUIET * 1000, polling=100)


async def _answers(tab: Any) -> bool:
    """Whether a page's main thread still answers (one whose scripts loop never does)."""
    try:
        async with asyncio.timeout(1.0):
            await tab.evaluate("1")
    except Exception:
        return False
    return True


async def _only_what_a_reader_needs(route: Any) -> None:
    if route.request.resource_type in _BLOCKED:
        await route.abort()
    else:
        await route.continue_()


class _Gate:
    """What a rendered page may load: what a reader needs, and nothing in private networks."""

    def __init__(self, guard: Guard) -> None:
        self.guard = guard
        self.refused: PrivateAddressError | None = None

    async def route(self, route: Any) -> None:
        try:
            await self.guard.check(route.request.url)
        except PrivateAddressError as exc:
            if route.request.is_navigation_request():
                self.refused = PrivateAddressError(exc.reason.replace("redirected", "led"))
            await route.abort()
            return
        await _only_what_a_reader_needs(route)
