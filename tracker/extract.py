"""HTML to agreement text: a pure function of the page and the source's selectors.

The text is a small Markdown dialect, one block per line: ``## heading``,
``- item``, ``**bold**``, ``<u>underline</u>``, ``*italic*`` and
``[text](absolute-url)``.  Emphasis is kept because Chinese agreements mark
their limitation and exemption clauses in bold or underline, and link targets
are kept so that a changed link is a change.  Everything outside the selected
element (navigation, banners, "最近更新时间", footers) never reaches the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import PreformattedString

from .dialect import PLAIN, Style, canonical_url, render_runs
from .errors import BlockedError, ExtractError

_DROP = frozenset(
    "script style noscript template iframe object embed svg canvas head title meta link "
    "button input select textarea option audio video img picture source map area".split()
)
_BLOCK = frozenset(
    "address article aside blockquote body dd details dialog div dl dt fieldset figcaption "
    "figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr li main nav ol p pre section "
    "table tbody thead tfoot tr ul summary caption center".split()
)
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_BOLD_STYLE = re.compile(r"font-weight\s*:\s*(bold|bolder|[6-9]00)", re.I)
_UNBOLD_STYLE = re.compile(r"font-weight\s*:\s*(normal|lighter|[1-4]00)", re.I)
_UNDERLINE_STYLE = re.compile(r"text-decoration(-line)?\s*:[^;]*underline", re.I)
_ITALIC_STYLE = re.compile(r"font-style\s*:\s*(italic|oblique)", re.I)
_WS = re.compile(r"[ \t\n\r\f]+")  # HTML whitespace only: NBSP and U+3000 are text here
_ENUMERATED = re.compile(r"^\s*(?:\(?[（(]?\s*[0-9０-９一二三四五六七八九十]+\s*[)）.、．]|[①-⑳])")

# Phrases of anti-bot and verification pages.  Only looked for when the page holds
# no plausible agreement text, because agreements themselves may mention 验证码.
_BLOCK_MARKERS = re.compile(
    r"验证码|安全验证|人机验证|访问验证|滑动验证|拼图验证|请完成验证|访问过于频繁|请求过于频繁|"
    r"访问受限|禁止访问|captcha|just a moment|attention required|access denied|"
    r"are you a robot|verify you are (a )?human|checking your browser|unusual traffic|"
    r"请求被拦截|waf",
    re.I,
)
_BLOCKED = "a verification or anti-bot page was served instead of the agreement"
_SHORT_PAGE = 2000  # characters under which a page is checked for block markers


@dataclass
class _Line:
    prefix: str = ""
    auto_number: str = ""  # "3. " for an <ol> item, dropped if the text numbers itself
    runs: list[tuple[str, Style]] | None = None


def extract(
    html: str,
    selectors: tuple[str, ...] = ("body",),
    remove: tuple[str, ...] = (),
    base_url: str = "",
    min_length: int = 100,
) -> str:
    """Return the agreement text of ``html``, or raise why there is none."""
    soup = BeautifulSoup(html, "lxml")
    roots, used = _select(soup, selectors)
    if not roots:
        if _BLOCK_MARKERS.search(_visible_sample(soup)):
            raise BlockedError(_BLOCKED)
        tried = ", ".join(repr(s) for s in selectors)
        raise ExtractError(f"selector {tried} matched nothing (page layout changed?)")
    for root in roots:
        for sel in remove:
            for el in root.select(sel):
                el.decompose()
    text = "\n".join(line for root in roots for line in render(root, base_url))
    if len(text) < _SHORT_PAGE and _BLOCK_MARKERS.search(text + " " + _title(soup)):
        raise BlockedError(_BLOCKED)
    if len(text) < min_length:
        raise ExtractError(
            f"no agreement text in {used!r} ({len(text)} characters); "
            "the page may render it with JavaScript"
        )
    return text + "\n"


def _select(soup: BeautifulSoup, selectors: tuple[str, ...]) -> tuple[list[Tag], str]:
    for sel in selectors:
        found = soup.select(sel)
        if found:
            # Drop matches nested in an earlier match, so no text appears twice.
            roots: list[Tag] = []
            for el in found:
                if not any(el in r.descendants for r in roots):
                    roots.append(el)
            return roots, sel
    return [], ""


def _title(soup: BeautifulSoup) -> str:
    return soup.title.get_text(" ", strip=True) if soup.title else ""


def _visible_sample(soup: BeautifulSoup) -> str:
    body = soup.body or soup
    return _title(soup) + " " + " ".join(render(body, ""))[:_SHORT_PAGE]


def render(root: Tag, base_url: str) -> list[str]:
    """Render an element as lines of the Markdown dialect."""
    r = _Renderer(base_url)
    r.walk(root, PLAIN)
    r.flush()
    return r.lines


class _Renderer:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.lines: list[str] = []
        self.line = _Line(runs=[])
        self.in_pre = 0

    # -- tree walk ---------------------------------------------------------------

    def walk(self, el: Tag, style: Style) -> None:
        for node in el.children:
            if isinstance(node, NavigableString):
                if not isinstance(node, PreformattedString):  # comments, CDATA, doctype
                    self.text(str(node), style)
            elif isinstance(node, Tag):
                self.element(node, style)

    def element(self, el: Tag, style: Style) -> None:
        name = el.name
        if name in _DROP or _hidden(el):
            return
        if name == "br":
            self.flush()
            return
        style = _styled(el, style, self.base_url)
        if name in ("td", "th"):
            if self.line.runs and el.find_previous_sibling(("td", "th")) is not None:
                self.line.runs.append((" | ", PLAIN))
            self.walk(el, style)
            return
        if name not in _BLOCK:
            self.walk(el, style)
            return
        self.flush()
        if name in _HEADINGS:
            self.line.prefix = "#" * _HEADINGS[name] + " "
        elif name == "li":
            parent = el.parent
            if parent is not None and parent.name == "ol":
                start = _int(parent.get("start"), 1)
                index = len(el.find_previous_siblings("li"))
                self.line.auto_number = f"{start + index}. "
            else:
                self.line.prefix = "- "
        if name == "pre":
            self.in_pre += 1
        self.walk(el, style)
        if name == "pre":
            self.in_pre -= 1
        self.flush()

    def text(self, text: str, style: Style) -> None:
        if self.in_pre:
            first, *rest = text.split("\n")
            self._append(first, style)
            for part in rest:
                self.flush()
                self._append(part, style)
            return
        self._append(_WS.sub(" ", text), style)

    def _append(self, text: str, style: Style) -> None:
        if text:
            assert self.line.runs is not None
            self.line.runs.append((text, style))

    def flush(self) -> None:
        line = self.line
        body = render_runs(line.runs or [])
        if body:
            prefix = line.prefix
            if line.auto_number and not _ENUMERATED.match(_strip_markup(body)):
                prefix += line.auto_number
            self.lines.append(prefix + body)
            # A <br> inside a list item continues the item without a second bullet.
            self.line = _Line(runs=[])
        else:
            self.line = _Line(prefix=line.prefix, auto_number=line.auto_number, runs=[])


def _strip_markup(text: str) -> str:
    return re.sub(r"</?u>|\*+|\[", "", text)


def _hidden(el: Tag) -> bool:
    if el.has_attr("hidden") or el.get("aria-hidden") == "true":
        return True
    style = el.get("style")
    return bool(style and _HIDDEN_STYLE.search(str(style)))


def _styled(el: Tag, style: Style, base_url: str) -> Style:
    name = el.name
    bold, underline, italic, href = style.bold, style.underline, style.italic, style.href
    if name in ("b", "strong"):
        bold = True
    elif name in ("u", "ins"):
        underline = True
    elif name in ("i", "em"):
        italic = True
    elif name == "a":
        href = _link(el.get("href"), base_url) or href
    css = el.get("style")
    if css:
        css = str(css)
        if _BOLD_STYLE.search(css):
            bold = True
        elif _UNBOLD_STYLE.search(css):
            bold = False
        if _UNDERLINE_STYLE.search(css):
            underline = True
        if _ITALIC_STYLE.search(css):
            italic = True
    if (bold, underline, italic, href) == (style.bold, style.underline, style.italic, style.href):
        return style
    return Style(underline, bold, italic, href)


def _link(href: object, base_url: str) -> str | None:
    if not isinstance(href, str):
        return None
    href = href.strip()
    if not href or href.startswith("#") or href.lower().startswith("javascript:"):
        return None
    return canonical_url(urljoin(base_url, href) if base_url else href)


def _int(value: object, default: int) -> int:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return default
