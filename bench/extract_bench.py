"""Benchmark: which HTML parser builds the tree a browser builds, and how fast.

    pip install -e '.[bench]'          # lxml, beautifulsoup4 and html5lib
    pip install playwright             # optional: check the expectations in a real Chromium
    python bench/extract_bench.py [--pages 200] [--repeat 3] [--browser /usr/bin/chromium]

Candidates, each asked for the text of the element a source's selector picks:

* selectolax (lexbor), tracker's parser: HTML5, C;
* lxml (libxml2's HTML parser, the engine of BeautifulSoup's "lxml" builder): HTML4;
* BeautifulSoup with html.parser, with lxml and with html5lib;
* html5lib building an lxml tree (HTML5, pure Python).

Correctness comes first.  Misnested markup that real pages carry (a ``<div>``
left open in a list item pulls ROMEO's whole footer into its terms under
libxml2) is parsed by every candidate and compared with what Chromium puts in
the selected element.  Then every candidate reads the same pages (generated
agreement pages of 20-60 KB, and the real snapshots under
``../shared/corpus/ota-snapshots`` when present), and their texts are compared
with Chromium's (when a browser is given) or with lexbor's.  Timing is parse +
select + text, the median of --repeat passes, per page and per 40 KB; the last
line times tracker's whole extraction (``tracker.text.extract.extract``).
It prints tables; it is not a test.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from scale_bench import agreement, page  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "ota-snapshots"
_SKIP = {"script", "style", "noscript", "template"}

# Misnested markup, and what Chromium 150 puts in `.c` (checked again with --browser).
CASES: dict[str, tuple[str, str]] = {
    "div left open in a list item": (
        "<div class=c><ul><li>a<div>b</li></ul></div><footer>F</footer>",
        "a b",
    ),
    "paragraph inside a table": (
        "<div class=c><table><tr><td>a</td></tr><p>b</p></table></div><footer>F</footer>",
        "b a",
    ),
    "list inside a paragraph": (
        "<div class=c><p>a<ul><li>b</li></ul>c</p></div><footer>F</footer>",
        "a b c",
    ),
    "bold across paragraphs": (
        "<div class=c><p><b>a</p><p>b</b>c</p></div><footer>F</footer>",
        "a b c",
    ),
    "end of div inside a paragraph": (
        "<div class=c><p>a</div>b</p><footer>F</footer>",
        "a",
    ),
    "link inside a link": (
        "<div class=c><a href=1>a<a href=2>b</a>c</a></div><footer>F</footer>",
        "a b c",
    ),
    "div never closed": (
        "<div class=c><div>a</div><footer>F</footer>",
        "a F",
    ),
}

_CHROMIUM_TEXT = """e => {
  const out = [];
  const walker = document.createTreeWalker(e, NodeFilter.SHOW_TEXT);
  let n;
  while ((n = walker.nextNode())) {
    if (!n.parentElement.closest('script,style,noscript,template')) out.push(n.data);
  }
  return out.join(' ');
}"""


def squash(text: str) -> str:
    return " ".join(text.split())


# -- candidates: html, selector -> the selected element's text ----------------------------


def with_lexbor(html: str, selector: str) -> str | None:
    from selectolax.lexbor import LexborHTMLParser

    node = LexborHTMLParser(html).css_first(selector)
    if node is None:
        return None
    out: list[str] = []

    def walk(el) -> None:  # type: ignore[no-untyped-def]
        child = el.child
        while child is not None:
            if child.tag == "-text":
                out.append(child.text_content or "")
            elif child.tag not in _SKIP and child.tag[0] != "-":
                walk(child)
            child = child.next

    walk(node)
    return squash(" ".join(out))


def with_lxml(html: str, selector: str) -> str | None:
    import lxml.etree
    from lxml.cssselect import CSSSelector

    found = CSSSelector(selector, translator="html")(lxml.etree.HTML(html))
    if not found:
        return None
    return _lxml_text(found[0])


def _lxml_text(el) -> str:  # type: ignore[no-untyped-def]
    out: list[str] = []

    def walk(e) -> None:  # type: ignore[no-untyped-def]
        if e.text:
            out.append(e.text)
        for child in e:
            if isinstance(child.tag, str) and child.tag not in _SKIP:
                walk(child)
            if child.tail:
                out.append(child.tail)

    walk(el)
    return squash(" ".join(out))


def soup_with(builder: str) -> Callable[[str, str], str | None]:
    def parse(html: str, selector: str) -> str | None:
        from bs4 import BeautifulSoup

        node = BeautifulSoup(html, builder).select_one(selector)
        if node is None:
            return None
        for tag in node.find_all(list(_SKIP)):
            tag.extract()
        return squash(node.get_text(" "))

    return parse


def with_html5lib(html: str, selector: str) -> str | None:
    import html5lib
    from lxml.cssselect import CSSSelector

    tree = html5lib.parse(html, treebuilder="lxml", namespaceHTMLElements=False)
    found = CSSSelector(selector, translator="html")(tree)
    return _lxml_text(found[0]) if found else None


CANDIDATES: dict[str, Callable[[str, str], str | None]] = {
    "selectolax (lexbor)": with_lexbor,
    "lxml (libxml2)": with_lxml,
    "BeautifulSoup + html.parser": soup_with("html.parser"),
    "BeautifulSoup + lxml": soup_with("lxml"),
    "BeautifulSoup + html5lib": soup_with("html5lib"),
    "html5lib (lxml tree)": with_html5lib,
}


# -- pages --------------------------------------------------------------------------------


def generated_pages(n: int) -> list[tuple[str, str, str]]:
    rng = random.Random(7)
    return [(f"generated/{i}", page(agreement(i, rng), rng).decode(), "#docArticleContent")
            for i in range(n)]  # fmt: skip


def corpus_pages() -> list[tuple[str, str, str]]:
    """The real snapshots (one in three, to keep the run short), with their selectors."""
    out = []
    for folder in sorted(p.parent for p in CORPUS.glob("*/*/*/declaration.json")):
        select = json.loads((folder / "declaration.json").read_text("utf-8"))["select"]
        selector = ", ".join(select) if isinstance(select, list) else select
        for snap in sorted(folder.glob("*.html"))[::3]:
            name = f"{folder.parent.name}/{folder.name}/{snap.name}"
            out.append((name, snap.read_text("utf-8", errors="replace"), selector))
    return out


# -- Chromium -----------------------------------------------------------------------------


def chromium_texts(browser: str, docs: list[tuple[str, str, str]]) -> list[str | None]:
    from playwright.sync_api import sync_playwright

    flags = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
    texts: list[str | None] = []
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=browser, args=flags)
        tab = chromium.new_page()
        tab.route("**/*", lambda route: route.abort())  # the page's own scripts and images
        for _, html, selector in docs:
            tab.set_content(html, wait_until="domcontentloaded")
            el = tab.query_selector(selector)
            texts.append(squash(el.evaluate(_CHROMIUM_TEXT)) if el else None)
        chromium.close()
    return texts


# -- report -------------------------------------------------------------------------------


def time_one(fn: Callable[[str, str], object], docs: list[tuple[str, str, str]], repeat: int):
    per_page = []
    for _, html, selector in docs:
        best = min(_elapsed(fn, html, selector) for _ in range(repeat))
        per_page.append(best)
    size = sum(len(html.encode()) for _, html, _ in docs)
    return statistics.median(per_page), sum(per_page) / size * 40 * 1024


def _elapsed(fn: Callable[[str, str], object], html: str, selector: str) -> float:
    started = time.perf_counter()
    fn(html, selector)
    return time.perf_counter() - started


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--pages", type=int, default=200, help="generated pages (default 200)")
    ap.add_argument("--repeat", type=int, default=3, help="passes per page; the fastest counts")
    ap.add_argument("--browser", help="a Chromium to check expectations in (needs playwright)")
    args = ap.parse_args()

    cases = [(name, html, ".c") for name, (html, _) in CASES.items()]
    expected = [want for _, want in CASES.values()]
    if args.browser:
        seen = chromium_texts(args.browser, cases)
        for (name, _, _), want, got in zip(cases, expected, seen, strict=True):
            if got != want:
                print(f"note: Chromium gives {got!r} for {name!r}, recorded {want!r}")
        expected = [s or "" for s in seen]

    docs = generated_pages(args.pages)
    real = corpus_pages() if CORPUS.is_dir() else []
    reference = "Chromium" if args.browser else "lexbor"
    truth_real = (
        chromium_texts(args.browser, real) if args.browser else [with_lexbor(*d[1:]) for d in real]
    )
    truth_generated = [with_lexbor(html, sel) for _, html, sel in docs]

    print(f"{len(docs)} generated pages, {len(real)} real snapshots; texts compared with "
          f"{reference}'s\n")  # fmt: skip
    head = ("parser", "misnesting like Chromium", "generated agree", "real agree",
            "median ms/page", "ms per 40 KB")  # fmt: skip
    rows = [head]
    for name, fn in CANDIDATES.items():
        like = sum(fn(h, s) == want for (_, h, s), want in zip(cases, expected, strict=True))
        gen = sum(fn(h, s) == t for (_, h, s), t in zip(docs, truth_generated, strict=True))
        agree = [fn(h, s) == t for (_, h, s), t in zip(real, truth_real, strict=True)]
        median, per40 = time_one(fn, docs + real, args.repeat)
        rows.append((name, f"{like}/{len(cases)}", f"{gen}/{len(docs)}",
                     f"{sum(agree)}/{len(real)}" if real else "-",
                     f"{median * 1000:.2f}", f"{per40 * 1000:.2f}"))  # fmt: skip
        missed = [d[0] for d, ok in zip(real, agree, strict=True) if not ok]
        if missed:
            print(f"{name}: differs on {', '.join(missed[:4])}{' …' if len(missed) > 4 else ''}")
    print()
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))

    from tracker.errors import SourceError
    from tracker.text.extract import extract

    def whole(html: str, selector: str) -> str | None:
        try:
            return extract(html, (selector,), (), "https://example.com/", min_length=0)
        except SourceError:  # the snapshots whose selector matches nothing
            return None

    print()
    for label, pages in (("generated pages", docs), ("real snapshots", real)):
        if pages:
            median, per40 = time_one(whole, pages, args.repeat)
            print(
                f"tracker.text.extract (lexbor + the dialect renderer), {label}: "
                f"{median * 1000:.2f} ms median per page, {per40 * 1000:.2f} ms per 40 KB"
            )


if __name__ == "__main__":
    warnings.simplefilter("ignore")  # html5lib's notes on coercing xml:lang
    main()
