"""HTML to agreement text: a pure function of the page and the source's selectors.

The text is a small Markdown dialect, one block per line: ``## heading``,
``- item``, ``**bold**``, ``<u>underline</u>``, ``*italic*`` and
``[text](absolute-url)``.  Emphasis is kept because Chinese agreements mark
their limitation and exemption clauses in bold or underline, and link targets
are kept so that a changed link is a change.  Everything outside the selected
element (navigation, banners, "最近更新时间", footers) never reaches the text.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from urllib.parse import urljoin

import lxml.etree
from lxml.cssselect import CSSSelector
from lxml.etree import _Attrib
from lxml.etree import _Element as Element

from .dialect import _SPACE, PLAIN, Style, canonical_url, render_runs
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
_STYLING = frozenset("b strong u ins i em a".split())  # tags that style their text
# Blocks that, holding only text, make exactly one line of it.
_PLAIN_BLOCK = _BLOCK - {"pre", "li", "td", "th", "ol", *_HEADINGS}
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
_MAX_DEPTH = 400  # below this, nesting is flattened rather than recursed into
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")  # lxml refuses it in a str


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
    doc = _parse(html)
    roots, used = _select(doc, selectors) if doc is not None else ([], "")
    if not roots:
        if doc is not None and _BLOCK_MARKERS.search(_visible_sample(doc)):
            raise BlockedError(_BLOCKED)
        tried = ", ".join(repr(s) for s in selectors)
        raise ExtractError(f"selector {tried} matched nothing (page layout changed?)")
    for root in roots:
        for sel in remove:
            for el in compile_selector(sel)(root):
                if el is not root:
                    _drop(el)
    text = "\n".join(line for root in roots for line in render(root, base_url))
    if len(text) < _SHORT_PAGE and _BLOCK_MARKERS.search(text + " " + _title(doc)):
        raise BlockedError(_BLOCKED)
    if len(text) < min_length:
        raise ExtractError(
            f"no agreement text in {used!r} ({len(text)} characters); "
            "the page may render it with JavaScript"
        )
    return text + "\n"


@functools.lru_cache(maxsize=256)
def compile_selector(selector: str) -> CSSSelector:
    """A CSS selector compiled to XPath once per run (raises cssselect.SelectorError)."""
    return CSSSelector(selector, translator="html")


def _parse(html: str) -> Element | None:
    """libxml2's HTML parser, as BeautifulSoup's "lxml" builder uses, without a soup.

    Plain lxml elements, not ``lxml.html``'s: no Python class lookup per node.
    """
    try:
        return lxml.etree.HTML(_XML_DECLARATION.sub("", html, count=1))
    except (lxml.etree.ParserError, ValueError):  # an unparseable document
        return None


def _drop(el: Element) -> None:
    """Remove an element but keep the text that follows it."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        previous = el.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def _select(doc: Element, selectors: tuple[str, ...]) -> tuple[list[Element], str]:
    for sel in selectors:
        found = compile_selector(sel)(doc)
        if found:
            # Keep only the outermost matches, so no text appears twice.
            chosen = set(found)
            roots = [el for el in found if not any(a in chosen for a in el.iterancestors())]
            return roots, sel
    return [], ""


def _title(doc: Element | None) -> str:
    title = doc.find(".//title") if doc is not None else None
    return " ".join("".join(title.itertext()).split()) if title is not None else ""


def _visible_sample(doc: Element) -> str:
    texts = doc.xpath("//body//text()[not(ancestor::script) and not(ancestor::style)]")
    return _title(doc) + " " + " ".join(" ".join(texts).split())[:_SHORT_PAGE]


def render(root: Element, base_url: str) -> list[str]:
    """Render an element as lines of the Markdown dialect."""
    r = _Renderer(base_url)
    r.walk(root, PLAIN, 0)
    r.flush()
    return r.lines


class _Renderer:
    """A depth-first walk over lxml's tree; text arrives as element text and tails.

    Most of an agreement is paragraphs of plain text, so the walk keeps their
    path short: no attribute work for elements without attributes, and a
    childless paragraph is rendered without walking into it.
    """

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.lines: list[str] = []
        self.line = _Line(runs=[])
        self.in_pre = 0
        self.items: dict[int, int] = {}  # id of an <ol> being walked -> items seen so far

    def walk(self, el: Element, style: Style, depth: int) -> None:
        text = el.text
        if text:
            self.text(text, style)
        for child in el:
            tag = child.tag
            if isinstance(tag, str):  # comments and processing instructions are not
                if depth < _MAX_DEPTH:
                    self.element(child, tag, style, depth + 1)
                else:  # pathological nesting: keep the words, not the structure
                    self.text(" ".join(child.itertext()), style)
            tail = child.tail
            if tail:
                self.text(tail, style)

    def element(self, el: Element, name: str, style: Style, depth: int) -> None:
        if name in _DROP:
            return
        attrib = el.attrib
        if attrib:
            if _hidden(attrib):
                return
            style = _styled(name, attrib, style, self.base_url)
        elif name in _STYLING:
            style = _styled(name, attrib, style, self.base_url)
        if name == "br":
            self.flush()
            return
        if name in _PLAIN_BLOCK and not len(el):  # a paragraph of text alone: the usual case
            self.flush()
            text = el.text
            if text:
                self.text(text, style)
                self.flush()
            return
        if name in ("td", "th"):
            previous = el.getprevious()
            if self.line.runs and previous is not None and previous.tag in ("td", "th"):
                self.line.runs.append((" | ", PLAIN))
            self.walk(el, style, depth)
            return
        if name not in _BLOCK:
            self.walk(el, style, depth)
            return
        self.flush()
        if name in _HEADINGS:
            self.line.prefix = "#" * _HEADINGS[name] + " "
        elif name == "li":
            parent = el.getparent()
            if parent is not None and parent.tag == "ol":
                index = self.items.get(id(parent), 0)
                self.items[id(parent)] = index + 1
                self.line.auto_number = f"{_int(parent.get('start'), 1) + index}. "
            else:
                self.line.prefix = "- "
        elif name == "ol":
            self.items[id(el)] = 0  # ids are reused once an element is freed: start afresh
        if name == "pre":
            self.in_pre += 1
        self.walk(el, style, depth)
        if name == "pre":
            self.in_pre -= 1
        self.flush()

    def text(self, text: str, style: Style) -> None:
        runs = self.line.runs
        assert runs is not None
        if not runs and text.isspace():
            return  # layout whitespace between blocks: a line never starts with a space
        if self.in_pre:
            first, *rest = text.split("\n")
            self._append(first, style)
            for part in rest:
                self.flush()
                self._append(part, style)
            return
        text = _WS.sub(" ", text)
        if text:
            runs.append((text, style))

    def _append(self, text: str, style: Style) -> None:
        if text:
            assert self.line.runs is not None
            self.line.runs.append((text, style))

    def flush(self) -> None:
        line = self.line
        runs = line.runs
        if not runs:
            return  # nothing since the last break: keep the pending prefix
        if len(runs) == 1 and runs[0][1] is PLAIN and not self.in_pre:
            body = runs[0][0].strip(_SPACE)  # already collapsed by text()
        else:
            body = render_runs(runs)
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


def _hidden(attrib: _Attrib) -> bool:
    if attrib.get("hidden") is not None or attrib.get("aria-hidden") == "true":
        return True
    style = attrib.get("style")
    return bool(style and _HIDDEN_STYLE.search(str(style)))


def _styled(name: str, attrib: _Attrib, style: Style, base_url: str) -> Style:
    bold, underline, italic, href = style.bold, style.underline, style.italic, style.href
    if name in ("b", "strong"):
        bold = True
    elif name in ("u", "ins"):
        underline = True
    elif name in ("i", "em"):
        italic = True
    elif name == "a":
        href = _link(attrib.get("href"), base_url) or href
    css = attrib.get("style")
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
