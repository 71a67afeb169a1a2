"""Which element of a page holds a line: what a ``remove`` selector can name."""

from __future__ import annotations

from collections.abc import Sequence

from selectolax.lexbor import LexborHTMLParser, LexborNode

from .scripting import scripting_on


def holder_of(html: str, containers: Sequence[str], line: str) -> str | None:
    """A selector for the smallest named element (an id, a class) inside the first of
    ``containers`` the page has whose text holds ``line``.  None when the only such
    element holds much of the container too: removing it would take the agreement."""
    tree = LexborHTMLParser(scripting_on(html))
    root = next((n for sel in containers if (n := tree.css_first(sel)) is not None), None)
    if root is None:
        return None
    wanted = _squeezed(line)
    whole = len(_squeezed(root.text(deep=True) or ""))
    best: tuple[int, str] | None = None
    for el in root.traverse():
        if el.mem_id == root.mem_id or (selector := _named(el)) is None:
            continue
        text = _squeezed(el.text(deep=True) or "")
        if wanted in text and (best is None or len(text) < best[0]):
            best = (len(text), selector)
    return best[1] if best and best[0] < whole / 4 else None


def _named(el: LexborNode) -> str | None:
    """The element's selector by its id or first class; None for an unnamed one."""
    if el.tag is None or el.tag.startswith("-"):
        return None
    attrs = el.attributes
    ident, classes = attrs.get("id"), (attrs.get("class") or "").split()
    if ident:
        return f"#{ident}"
    return f"{el.tag}.{classes[0]}" if classes else None


def _squeezed(text: str) -> str:
    return "".join(text.split())
