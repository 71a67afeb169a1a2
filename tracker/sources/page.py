"""``kind = "page"``: a web page, fetched over HTTP, and rendered in a browser when it must be.

``render = "auto"`` (the default) reads the static page first and starts no
browser when the selector finds the agreement there.  When it finds nothing,
or less than ``min_length``, the page is rendered once; if the rendered page
has the text, the source remembers (``needs_render`` in its state) and later
checks render directly.  ``"always"`` always renders, ``"never"`` never does.
A rendered page's text comes from what its scripts load, so neither a 304 nor
the same static bytes say anything about it: each check renders.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..config import Options, setting
from ..config.values import choice
from ..errors import ExtractError
from ..model import Reading
from .base import Context, Getter, register
from .browser import how_to_get_a_browser
from .read import read_html

if TYPE_CHECKING:
    from ..config import Source
    from ..model import Page
    from ..store.state import State
    from .browser import Browser


@dataclass(frozen=True)
class PageOptions(Options):
    """A page source's own key: whether its page is rendered in a browser."""

    render: str = setting("auto", read=choice("auto", "never", "always"))


def render_mode(source: Source) -> str:
    options = source.options
    return options.render if isinstance(options, PageOptions) else "never"


def renders(source: Source, state: State) -> bool:
    """Whether this check renders the page directly."""
    mode = render_mode(source)
    return mode == "always" or (mode == "auto" and state.needs_render)


@register
class PageGetter(Getter):
    kind = "page"
    options = PageOptions

    def conditional(self, source: Source, state: State) -> bool:
        return not renders(source, state)

    async def fetch(
        self, source: Source, state: State, ctx: Context, etag: str | None, modified: str | None
    ) -> Page:
        if renders(source, state):
            return await _browser(ctx, source).render(source)
        return await ctx.fetcher.fetch(source.url, etag=etag, last_modified=modified)

    def read(self, page: Page, source: Source) -> Reading:
        try:
            return read_html(page, source)
        except ExtractError as exc:
            if page.rendered:
                raise ExtractError(f"{exc.reason}, in the page rendered by a browser") from None
            if render_mode(source) == "never":
                raise ExtractError(
                    f"{exc.reason}; the page probably builds its text with JavaScript: "
                    'set render = "auto" for this source'
                ) from None
            raise

    async def fallback(
        self, page: Page, source: Source, ctx: Context, error: ExtractError
    ) -> Page | None:
        if page.rendered or render_mode(source) != "auto":
            return None
        if ctx.browser is None or not ctx.browser.available():
            raise ExtractError(f"{error.reason}; {how_to_get_a_browser()}")
        return await ctx.browser.render(source, after_static=error.reason)


def _browser(ctx: Context, source: Source) -> Browser:
    if ctx.browser is None or not ctx.browser.available():
        raise ExtractError(f"{source.shown_url} needs a browser; {how_to_get_a_browser()}")
    return ctx.browser
