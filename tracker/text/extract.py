"""HTML to agreement text: a pure function of the page and the source's selectors.

The text is a small Markdown dialect, one block per line (see
:mod:`tracker.text.dialect`; :mod:`tracker.text.html_text` writes it).  Emphasis is kept
because Chinese agreements mark their limitation and exemption clauses in bold
or underline; link targets are kept as extracted, and the comparison decides
which of them matter.  Everything outside the selected element (navigation,
banners, "最近更新时间", footers) never reaches the text.

Pages are parsed by lexbor, an HTML5 parser, so the selected element holds
what it holds in a browser (``bench/extract_bench.py`` compares the candidates).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser, LexborNode, SelectolaxError

from ..errors import BlockedError, ExtractError, UnreadableError
from .html_text import render
from .scripting import scripting_on

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
# Nesting: lexbor's time grows with the square of the depth, whatever the element (10,000
# levels: 0.06 s; 50,000: 5 s; 120,000: 110 s).  Browsers flatten past 512; no real page comes
# near this.  Every element counts but those that never hold others (void ones) and those a
# next sibling closes by itself (<p>, <li>, <td>…); scripts, styles and comments are skipped.
_MAX_NESTING = 10_000
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)([^>]*)>")
_OPAQUE = re.compile(r"<(script|style|textarea|title)\b.*?</\1\s*>|<!--.*?-->", re.I | re.S)
_FLAT = frozenset(
    "area base br col embed hr img input link meta param source track wbr "  # void
    "p li dt dd tr td th option optgroup rt rp rb rtc thead tbody tfoot colgroup caption "
    "html head body".split()
)


class InvalidSelector(ValueError):
    """A CSS selector lexbor cannot parse."""


@dataclass(frozen=True)
class Extracted:
    """What a page holds: the agreement text, and the page's title (which names it)."""

    text: str
    title: str | None


def extract(
    html: str,
    selectors: tuple[str, ...] = ("body",),
    remove: tuple[str, ...] = (),
    base_url: str = "",
    min_length: int = 100,
) -> str:
    """Return the agreement text of ``html``, or raise why there is none."""
    return extract_page(html, selectors, remove, base_url, min_length).text


def extract_page(
    html: str,
    selectors: tuple[str, ...] = ("body",),
    remove: tuple[str, ...] = (),
    base_url: str = "",
    min_length: int = 100,
) -> Extracted:
    """The agreement text of ``html`` and the page's title, or raise why there is no text."""
    if (depth := _nesting(html)) > _MAX_NESTING:
        raise UnreadableError(
            f"the page nests its elements {depth} deep, past the {_MAX_NESTING} tracker reads "
            "(browsers flatten past 512): a broken or hostile page, not an agreement"
        )
    doc = LexborHTMLParser(scripting_on(html))
    roots, used = _select(doc, selectors)
    if not roots:
        if _BLOCK_MARKERS.search(_visible_sample(doc)):
            raise BlockedError(_BLOCKED)
        tried = ", ".join(repr(s) for s in selectors)
        raise ExtractError(f"selector {tried} matched nothing (page layout changed?)")
    for root in roots:
        for sel in remove:
            for el in root.css(sel):
                if el.mem_id != root.mem_id:
                    el.decompose()
    text = "\n".join(line for root in roots for line in render(root, base_url))
    title = _title(doc)
    if len(text) < _SHORT_PAGE and _BLOCK_MARKERS.search(text + " " + title):
        raise BlockedError(_BLOCKED)
    if len(text) < min_length:
        raise ExtractError(
            f"no agreement text in {used!r} ({len(text)} characters); "
            "the page may render it with JavaScript"
        )
    return Extracted(text + "\n", title or None)


@functools.lru_cache(maxsize=256)
def check_selector(selector: str) -> str:
    """``selector`` if lexbor can use it; raise :class:`InvalidSelector` otherwise."""
    try:
        _EMPTY.css(selector)
    except SelectolaxError as exc:
        raise InvalidSelector(str(exc).rstrip(".")) from None
    return selector


_EMPTY = LexborHTMLParser("<html></html>")


def _select(doc: LexborHTMLParser, selectors: tuple[str, ...]) -> tuple[list[LexborNode], str]:
    for sel in selectors:
        found = doc.css(sel)
        if found:
            # Keep only the outermost matches, so no text appears twice.
            chosen = {el.mem_id for el in found}
            roots = [el for el in found if not _has_ancestor_in(el, chosen)]
            return roots, sel
    return [], ""


def _nesting(html: str) -> int:
    """How deep the page nests its elements, roughly; 0 for pages too small to matter."""
    if html.count("<") < _MAX_NESTING:  # the usual page: not worth a scan
        return 0
    depth = deepest = 0
    for m in _TAG.finditer(_OPAQUE.sub("", html)):
        closing, name, rest = m.groups()
        if name.lower() in _FLAT or rest.endswith("/"):
            continue
        depth = max(0, depth - 1) if closing else depth + 1
        deepest = max(deepest, depth)
    return deepest


def _has_ancestor_in(el: LexborNode, ids: set[int]) -> bool:
    parent = el.parent
    while parent is not None:
        if parent.mem_id in ids:
            return True
        parent = parent.parent
    return False


def _title(doc: LexborHTMLParser) -> str:
    title = doc.css_first("title")
    return " ".join(title.text().split()) if title is not None else ""


def _visible_sample(doc: LexborHTMLParser) -> str:
    """The page's title and the start of its visible text, to recognise a block page.

    Only called once extraction has failed, so it may strip the page's scripts in place.
    """
    body = doc.body
    if body is None:
        return _title(doc)
    body.strip_tags(["script", "style", "noscript", "template"])
    words = " ".join(body.text(deep=True, separator=" ").split())
    return _title(doc) + " " + words[:_SHORT_PAGE]
