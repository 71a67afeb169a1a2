"""An HTML element's text as lines of the stored dialect (see :mod:`tracker.text.dialect`).

The tree is the one a browser builds: lexbor (through selectolax) is an HTML5
parser, so misnested or unclosed markup nests as it does in Chromium, and a
footer the page never closed off does not end up inside the agreement.

What a reader sees is kept: block structure (one block per line), headings,
list items and their numbers, bold, underline, italics and link targets.  What
a reader never sees is not: scripts, styles, hidden elements, form controls,
comments.  Cloudflare's obfuscated e-mail addresses are decoded, as the page's
own script would do in a browser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin

from selectolax.lexbor import LexborNode

from .dialect import _SPACE, PLAIN, Style, canonical_url, render_runs
from .links import cloudflare_email, cloudflare_href

_DROP = frozenset(
    "script style noscript template iframe object embed svg math canvas head title meta link "
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
_MAX_DEPTH = 400  # below this, nesting is flattened rather than recursed into

Attributes = dict[str, str | None]


@dataclass
class _Line:
    prefix: str = ""
    auto_number: str = ""  # "3. " for an <ol> item, dropped if the text numbers itself
    runs: list[tuple[str, Style]] | None = None


def render(root: LexborNode, base_url: str) -> list[str]:
    """Render an element as lines of the Markdown dialect."""
    r = _Renderer(base_url)
    r.walk(root, PLAIN, 0)
    r.flush()
    return r.lines


class _Renderer:
    """A depth-first walk over the DOM, text nodes included.

    Most of an agreement is paragraphs of plain text, so the walk keeps their
    path short: no attribute work for elements without attributes, and a
    paragraph holding one text node is rendered without walking into it.
    """

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.lines: list[str] = []
        self.line = _Line(runs=[])
        self.in_pre = 0
        self.items: dict[int, int] = {}  # node of an <ol> being walked -> items seen so far

    def walk(self, el: LexborNode, style: Style, depth: int) -> None:
        child = el.child
        while child is not None:
            tag = child.tag
            if tag == "-text":
                text = child.text_content
                if text:
                    self.text(text, style)
            elif tag is not None and tag[0] != "-":  # not a comment or a doctype
                if depth < _MAX_DEPTH:
                    self.element(child, tag, style, depth + 1)
                else:  # pathological nesting: keep the words, not the structure
                    self.text(child.text(deep=True, separator=" "), style)
            child = child.next

    def element(self, el: LexborNode, name: str, style: Style, depth: int) -> None:
        if name in _DROP:
            return
        attrib = el.attributes
        if attrib:
            if _hidden(attrib):
                return
            encoded = attrib.get("data-cfemail")
            if encoded is not None:  # Cloudflare's script puts the address here, as text
                self.text(cloudflare_email(encoded) or "", style)
                return
            style = _styled(name, attrib, style, self.base_url)
        elif name in _STYLING:
            style = _styled(name, attrib, style, self.base_url)
        if name == "br":
            self.flush()
            return
        if name in _PLAIN_BLOCK:
            only = el.child
            if only is None or (only.next is None and only.tag == "-text"):
                self.flush()  # a paragraph of text alone: the usual case
                if only is not None and (text := only.text_content):
                    self.text(text, style)
                    self.flush()
                return
        if name in ("td", "th"):
            previous = el.prev
            while previous is not None and previous.tag == "-text":
                previous = previous.prev
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
            parent = el.parent
            if parent is not None and parent.tag == "ol":
                key = parent.mem_id
                index = self.items.get(key, 0)
                self.items[key] = index + 1
                start = parent.attributes.get("start")
                self.line.auto_number = f"{_int(start, 1) + index}. "
            else:
                self.line.prefix = "- "
        elif name == "ol":
            self.items[el.mem_id] = 0  # node addresses are reused once freed: start afresh
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


def _hidden(attrib: Attributes) -> bool:
    if "hidden" in attrib or attrib.get("aria-hidden") == "true":
        return True
    style = attrib.get("style")
    return bool(style and _HIDDEN_STYLE.search(style))


def _styled(name: str, attrib: Attributes, style: Style, base_url: str) -> Style:
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


def _link(href: str | None, base_url: str) -> str | None:
    """The absolute target of a link, or None if it leads nowhere a reader can follow."""
    if not href:
        return None
    href = href.strip()
    if not href or href.startswith("#") or href.lower().startswith("javascript:"):
        return None
    email = cloudflare_href(href)
    if email is not None:
        return email or None
    return canonical_url(urljoin(base_url, href) if base_url else href)


def _int(value: str | None, default: int) -> int:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return default
