"""``tracker inspect URL``: what a page holds, static and rendered, and a source block for it.

Onboarding an agreement should not take guesswork.  The page is fetched as
a check would fetch it and, where a browser is available, rendered; each
likely container (the default Tencent selectors among them) is asked how much
text it holds in each; a JSON response the rendered page loaded that holds
the agreement is named with its dotted field path.  Nothing is recorded.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from ..compare.volatile import Remedy, changing_lines, remedy
from ..config import Settings
from ..errors import SourceError
from ..text.decode import decode
from ..text.extract import extract_page
from ..text.normalise import comparable
from .browser import Browser
from .http import Fetcher

CANDIDATES = (
    "#docArticleContent",
    "#doc-slate-root",
    ".J-markdown-box",
    ".J-mainDetail",
    ".rule-content",
    ".rule-detail",
    "article",
    "main",
    "[role=main]",
    ".entry-content",
    ".markdown-body",
    ".content",
    "#content",
    "#app",
    "body",
)
_ENOUGH = 200  # characters a container must hold to be the agreement's


@dataclass
class Container:
    selector: str
    static: int
    rendered: int | None  # None: not rendered


@dataclass
class JsonField:
    url: str
    path: str
    format: str  # html | markdown | text
    characters: int


@dataclass
class Inspection:
    url: str
    title: str | None
    containers: list[Container]
    rendered: bool  # whether a browser rendered the page
    fields: list[JsonField] = field(default_factory=list)
    volatile: Remedy = field(default_factory=Remedy)

    @property
    def best(self) -> Container | None:
        """The most specific container holding the agreement: the fullest one before ``body``."""

        def chars(c: Container) -> int:
            return max(c.static, c.rendered or 0)

        found = [c for c in self.containers if c.selector != "body" and chars(c) >= _ENOUGH]
        most = max(map(chars, found), default=0)
        return next((c for c in found if chars(c) >= 0.9 * most), None)

    @property
    def needs_javascript(self) -> bool | None:
        """Whether only the rendered page holds the text; None if it was not rendered."""
        if not self.rendered:
            return None
        best = self.best
        return best is not None and best.static < _ENOUGH <= (best.rendered or 0)

    def source_block(self) -> str:
        best = self.best
        lines = ["[[source]]", f'id = "{suggest_id(self.url)}"']
        if self.title:
            lines.append(f"name = {json.dumps(self.title, ensure_ascii=False)}")
        lines += [
            f"url = {json.dumps(self.url)}",
            f'selector = "{best.selector if best else "body"}"',
        ]
        if self.needs_javascript:
            lines.append('render = "auto"  # the text is built by JavaScript: rendered in Chromium')
        if cure := self.volatile.settings():
            lines += [f"{line}  # changes from one load to the next" for line in cure.splitlines()]
        return "\n".join(lines) + "\n"

    def json_block(self) -> str | None:
        if not self.fields:
            return None
        best = max(self.fields, key=lambda f: f.characters)
        return "\n".join([
            "[[source]]",
            f'id = "{suggest_id(best.url)}"',
            'kind = "json"',
            f"url = {json.dumps(best.url)}",
            f'field = "{best.path}"',
            f'format = "{best.format}"',
        ]) + "\n"  # fmt: skip


async def inspect(url: str, settings: Settings) -> Inspection:
    """What a page holds, loaded twice (twice rendered too, if the text needs it): what
    differs between the loads is no agreement, and the source block leaves it out."""
    async with Fetcher(settings) as fetcher:
        page = await fetcher.fetch(url)
        again = await fetcher.fetch(url)
    html, _ = decode(page.body, page.content_type)
    second, _ = decode(again.body, again.content_type)
    static = {sel: _chars(html, sel, page.url) for sel in CANDIDATES}
    title = extract_title(html)
    async with Browser(settings) as browser:
        if not browser.available():
            containers = [Container(sel, static[sel], None) for sel in CANDIDATES]
            found = Inspection(page.url, title, containers, rendered=False)
            found.volatile = _volatility(found, html, second)
            return found
        rendered_html, loaded = await browser.look(url)  # as given: the page's is masked
        containers = [
            Container(s, static[s], _chars(rendered_html, s, page.url)) for s in CANDIDATES
        ]
        found = Inspection(page.url, title, containers, rendered=True)
        if found.needs_javascript:  # the text is in the rendered page: load that twice
            html, (second, _) = rendered_html, await browser.look(url)
    found.volatile = _volatility(found, html, second)
    best = found.best
    if best is not None:
        target = comparable(_text(rendered_html, best.selector, page.url))
        found.fields = [f for body_url, body in loaded for f in _fields(body_url, body, target)]
    return found


def _volatility(found: Inspection, first: str, second: str) -> Remedy:
    """The lines of the chosen container that differ between two loads, and their remedy."""
    best = found.best
    if best is None:
        return Remedy()
    texts = (_text(html, best.selector, found.url) for html in (first, second))
    return remedy(changing_lines(*texts), (best.selector,), (first, second))


def suggest_id(url: str) -> str:
    """A source id from a URL: its host and last path part, as ``[a-z0-9-]``."""
    parts = urlsplit(url)
    host = (parts.hostname or "source").removeprefix("www.")
    last = parts.path.rstrip("/").rsplit("/", 1)[-1]
    raw = f"{host}-{last}" if last else host
    slug = re.sub(r"[^a-z0-9]+", "-", raw.lower()).strip("-")
    return slug[:64].strip("-") or "source"


def extract_title(html: str) -> str | None:
    try:
        return extract_page(html, ("body",), min_length=0).title
    except SourceError:
        return None


def _text(html: str, selector: str, url: str) -> str:
    try:
        return extract_page(html, (selector,), (), url, min_length=0).text
    except SourceError:
        return ""


def _chars(html: str, selector: str, url: str) -> int:
    return len(comparable(_text(html, selector, url)))


def _fields(url: str, body: str, target: str) -> list[JsonField]:
    """The string fields of a JSON body that hold the agreement text (``target``)."""
    try:
        data = json.loads(body)
    except ValueError:
        return []
    out = []
    for path, value in _leaves(data, ""):
        if not isinstance(value, str) or len(value) < _ENOUGH:
            continue
        fmt = "html" if re.search(r"<(p|div|h[1-6]|li|br)\b", value, re.I) else "markdown"
        text = comparable(_text(value, "body", url) if fmt == "html" else value)
        if text and len(text) >= 0.5 * len(target) and (text[:60] in target or target[:60] in text):
            out.append(JsonField(url, path, fmt, len(text)))
    return out


def _leaves(data: Any, path: str) -> list[tuple[str, Any]]:
    if isinstance(data, dict):
        return [
            leaf for k, v in data.items() for leaf in _leaves(v, f"{path}.{k}" if path else str(k))
        ]
    if isinstance(data, list):
        return [
            leaf
            for i, v in enumerate(data)
            for leaf in _leaves(v, f"{path}.{i}" if path else str(i))
        ]
    return [(path, data)]
