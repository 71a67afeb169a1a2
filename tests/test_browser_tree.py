"""Extraction sees the tree a browser builds: checked against a real headless Chromium.

Each page is loaded into Chromium (its own requests refused, so nothing leaves
the machine) and the text of the element the selector picks is compared with
what tracker extracts from the same HTML.  Misnested markup is where parsers
disagree: libxml2, for one, moves ROMEO's whole footer into its terms.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.chromium import BROWSER_TESTS, offline_tab
from tests.pages import SHARED
from tracker.compare.segment import plain
from tracker.text.extract import extract

playwright = pytest.importorskip("playwright.sync_api")
pytestmark = BROWSER_TESTS
SNAPSHOTS = SHARED / "corpus" / "ota-snapshots"

_TEXT = """e => {
  const out = [];
  const walker = document.createTreeWalker(e, NodeFilter.SHOW_TEXT);
  let n;
  while ((n = walker.nextNode())) {
    const parent = n.parentElement;
    if (!parent.closest('script,style,noscript,template,[hidden]')) out.push(n.data);
  }
  return out.join(' ');
}"""


@pytest.fixture(scope="module")
def tab() -> Iterator[object]:
    with offline_tab() as page:
        yield page


def chromium_text(tab, html: str, selector: str) -> str | None:
    tab.set_content(html, wait_until="domcontentloaded")
    el = tab.query_selector(selector)
    return None if el is None else el.evaluate(_TEXT)


def letters(text: str) -> str:
    """Text without any whitespace: parsers agree on words, not on where spaces fall."""
    return "".join(text.split())


MISNESTED = [
    ("div-left-open-in-list-item", "<ul><li>第一条<div>内容</li></ul>"),
    ("paragraph-inside-table", "<table><tr><td>单元格</td></tr><p>段落</p></table>"),
    ("list-inside-paragraph", "<p>前<ul><li>项</li></ul>后</p>"),
    ("bold-across-paragraphs", "<p><b>甲</p><p>乙</b>丙</p>"),
    ("link-inside-link", "<a href='/1'>甲<a href='/2'>乙</a>丙</a>"),
    ("stray-end-tags", "<p>甲</p></p></div><p>乙</p>"),
    ("unclosed-inline-across-blocks", "<span><p>甲</p><p>乙"),
    ("heading-inside-link", "<a href='/x'><h4>标题</h4></a><p>正文</p>"),
    ("form-left-open", "<form><div>甲</form></div><p>乙</p>"),
]


@pytest.mark.parametrize("fragment", [c[1] for c in MISNESTED], ids=[c[0] for c in MISNESTED])
def test_misnested_markup_is_read_as_chromium_reads_it(tab, fragment):
    page = f"<html><body><div id='doc'>{fragment}</div><footer>页脚 ©2026</footer></body></html>"
    ours = "".join(plain(line) for line in extract(page, ("#doc",), min_length=0).splitlines())
    assert letters(ours) == letters(chromium_text(tab, page, "#doc") or "")


# A page read with scripting on, as every real reader's browser reads it (issue 18, item 1):
# <noscript> holds raw text then, so an analytics <iframe> in it swallows nothing.
GTM = (
    '<noscript><iframe src="https://www.googletagmanager.com/ns.html?id=GTM-X" height="0" '
    'width="0" style="display:none;visibility:hidden" /></noscript>'
)
SCRIPTING_ON = [
    (
        "self-closed-iframe-before-main",
        f"<html><body>{GTM}<main><h1>隐私政策</h1><p>1. 条款</p></main></body></html>",
    ),
    (
        "in-head",
        f"<html><head>{GTM}<title>t</title></head><body><main><p>1. 条款</p></main></body></html>",
    ),
    (
        "fallback-text-inside",
        "<html><body><main><noscript><p>请启用 JavaScript</p></noscript><p>1. 条款</p></main></body></html>",
    ),
    (
        "markup-that-would-nest",
        "<html><body><noscript><div><table><tr><td></noscript><main><p>1. 条款</p></main></body></html>",
    ),
    (
        "uppercase-and-attributes",
        '<html><body><NOSCRIPT data-x="1"><img src=x></NoScript ><main><p>1. 条款</p></main></body></html>',
    ),
    (
        "inside-a-script-string",
        '<html><body><script>var s = "<noscript>";</script><main><p>1. 条款</p></main></body></html>',
    ),
]


@pytest.mark.parametrize("page", [c[1] for c in SCRIPTING_ON], ids=[c[0] for c in SCRIPTING_ON])
def test_noscript_is_read_as_a_browser_with_scripting_reads_it(tab, page):
    theirs = chromium_text(tab, page, "main")
    ours = "".join(plain(line) for line in extract(page, ("main",), min_length=0).splitlines())
    assert theirs is not None and letters(ours) == letters(theirs)


def _snapshots() -> list[tuple[str, str]]:
    """The first and last snapshot of every document, with its selector."""
    out = []
    for decl in sorted(SNAPSHOTS.glob("*/*/*/declaration.json")):
        select = json.loads(decl.read_text("utf-8"))["select"]
        selector = ", ".join(select) if isinstance(select, list) else select
        pages = sorted(decl.parent.glob("*.html"))
        out += [(str(p.relative_to(SNAPSHOTS)), selector) for p in (pages[0], pages[-1])]
    return out


def _lexbor_text(html: str, selector: str) -> str | None:
    """The text nodes under the selected element in tracker's parser, as Chromium lists them."""
    from selectolax.lexbor import LexborHTMLParser

    node = LexborHTMLParser(html).css_first(selector)
    if node is None:
        return None
    out: list[str] = []

    def walk(el) -> None:
        child = el.child
        while child is not None:
            if child.tag == "-text":
                out.append(child.text_content or "")
            elif child.tag[0] != "-" and child.tag not in SKIP and "hidden" not in child.attributes:
                walk(child)
            child = child.next

    walk(node)
    return " ".join(out)


SKIP = {"script", "style", "noscript", "template"}


@pytest.mark.corpus
@pytest.mark.skipif(not SNAPSHOTS.is_dir(), reason="../shared/corpus is absent")
@pytest.mark.parametrize(("snapshot", "selector"), _snapshots() if SNAPSHOTS.is_dir() else [])
def test_real_pages_select_what_chromium_selects(tab, snapshot, selector):
    html = (SNAPSHOTS / snapshot).read_text("utf-8", errors="replace")
    theirs = chromium_text(tab, html, selector)
    ours = _lexbor_text(html, selector)
    assert (ours is None) == (theirs is None)
    assert letters(ours or "") == letters(theirs or "")
