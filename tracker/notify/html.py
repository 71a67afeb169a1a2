"""Pieces of page text as HTML, for the email and the report: emphasis as emphasis, changes
struck and inserted, and readable without colour.

A struck ``10`` beside a green ``3`` reads "103" once colour and strike-through are
gone (a forwarded mail, a screen reader, a copy): each change also carries the
``[-…-]``/``{+…+}`` marks of the text part, small and grey.  Page text is escaped
(and its control characters made visible) here; nothing else builds inline HTML.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

from ..text.controls import neutral
from ..text.shown import MARKS, Piece, by_op

DELETE = "background:#ffe0e0;color:#a00000;text-decoration:line-through"
INSERT = "background:#dcf5dc;color:#006000;text-decoration:none"
_MARK = "color:#888;font-size:.8em;text-decoration:none"


def esc(text: object) -> Markup:
    """Page text as HTML shows it: escaped, its control characters made visible."""
    return escape(neutral(str(text)))


def pieces_html(found: Sequence[Piece], marks: bool = True, styled: bool = True) -> Markup:
    """Pieces as inline HTML; ``marks``: changes carry ``[-…-]``/``{+…+}`` too; ``styled``:
    colours inline (an email), else left to the page's style sheet (the report)."""
    out = []
    for op, run in by_op(found):
        inner = Markup("").join(_piece(p) for p in run)
        if op == "equal":
            out.append(inner)
            continue
        tag, style = ("del", DELETE) if op == "delete" else ("ins", INSERT)
        opening, closing = MARKS[op]
        if marks:
            inner = _mark(opening) + inner + _mark(closing)
        attrs = f' style="{style}"' if styled else ""
        out.append(Markup(f"<{tag}{attrs}>") + inner + Markup(f"</{tag}>"))
    return Markup("").join(out)


def _mark(text: str) -> Markup:
    return Markup(f'<span style="{_MARK}">') + esc(text) + Markup("</span>")


def _piece(p: Piece) -> Markup:
    html = esc(p.text).replace("\n", Markup("<br>\n"))
    s = p.style
    for on, tag in ((s.italic, "em"), (s.underline, "u"), (s.bold or p.heading, "strong")):
        if on:
            html = Markup(f"<{tag}>") + html + Markup(f"</{tag}>")
    if s.href and s.href.startswith(("http://", "https://")):
        html = Markup('<a href="') + esc(s.href) + Markup('">') + html + Markup("</a>")
    return html
