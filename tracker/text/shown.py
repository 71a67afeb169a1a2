"""The stored dialect as a reader sees it: pieces of text with their emphasis.

Versions keep ``**bold**``, ``<u>underline</u>``, ``*italic*``, ``[words](url)``
and ``## heading`` lines (:mod:`.dialect`); nobody should ever read those marks.
:func:`pieces` turns a text, or the spans of a diff between two texts, into
:class:`Piece` runs (the marks taken out, each run's emphasis and diff op
kept), and every medium (terminal, Slack, email, Markdown, the report) shows
each piece its own way.  :func:`shortened` cuts long unchanged stretches to
some context around the changes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from .dialect import LINK, PLAIN, Style

CONTEXT = 60  # characters kept on each side of a change inside a long clause

_TOKEN = re.compile(
    r"</?u>"
    r"|\*+"
    r"|\[(?=(?:[^\[\]\n]|\[[^\[\]\n]*\])*\]\([^)\s]*\))"  # a link opens (its end is ahead)
    r"|\]\(([^)\s]*)\)"  # a link closes, with its target
)
_PREFIX = re.compile(r"[ \t]*(#{1,6}[ \t]+|[-+][ \t]+)")


@dataclass(frozen=True)
class Piece:
    """A run of text as shown: its emphasis, and in a diff whether it was deleted or inserted."""

    text: str
    op: str = "equal"  # equal | delete | insert
    style: Style = PLAIN
    heading: bool = False  # part of a heading line (its ``#`` marks taken out)

    @property
    def changed(self) -> bool:
        return self.op != "equal"


def pieces(spans: Iterable[tuple[str, str]]) -> list[Piece]:
    """``(op, text)`` spans of the dialect (a diff, or one ``("equal", text)``) as pieces."""
    spans = list(spans)
    text = "".join(t for _, t in spans)
    ops = [op for op, t in spans for _ in t]
    out: list[_Char] = []
    start = 0
    for line in text.splitlines(keepends=True):
        _read_line(line, start, ops, out)
        start += len(line)
    return _grouped(out)


def text_pieces(text: str) -> list[Piece]:
    """A stored text (no diff) as pieces."""
    return pieces([("equal", text)])


def unmarked(text: str) -> str:
    """A stored text as a reader sees it, line by line: no mark left."""
    return "".join(p.text for p in text_pieces(text))


def shortened(found: Sequence[Piece], context: int = CONTEXT) -> list[Piece]:
    """``found`` with each unchanged stretch longer than ``2 × context`` cut to ``context``
    characters on each side of the changes around it (``…`` where text was left out)."""
    out: list[Piece] = []
    run: list[Piece] = []

    def flush(at_start: bool, at_end: bool) -> None:
        size = sum(len(p.text) for p in run)
        if size <= 2 * context + 1:
            out.extend(run)
        else:
            head = [] if at_start else _take(run, context)
            tail = [] if at_end else _take(run[::-1], context, reverse=True)[::-1]
            out.extend([*head, Piece("…"), *tail])
        run.clear()

    for p in found:
        if p.changed:
            flush(not out, False)
            out.append(p)
        else:
            run.append(p)
    flush(not out, True)
    return out


@dataclass(frozen=True)
class _Char:
    char: str
    op: str
    style: Style
    heading: bool


def _read_line(line: str, start: int, ops: Sequence[str], out: list[_Char]) -> None:
    """One line's characters with their style; marks, ``#`` and link targets left out."""
    style, heading = PLAIN, False
    pos = 0
    if m := _PREFIX.match(line):
        heading = m.group(1).startswith("#")
        pos = m.end() if heading else m.start(1)  # a list item keeps its "- "
    targets = {link.start(): link.group(2) for link in LINK.finditer(line)}

    def emit(end: int) -> None:
        out.extend(_Char(line[i], ops[start + i], style, heading) for i in range(pos, end))

    for tok in _TOKEN.finditer(line, pos):
        emit(tok.start())
        pos = tok.end()
        style = _after(tok, style, targets.get(tok.start()))
    emit(len(line))


def _after(tok: re.Match[str], style: Style, target: str | None) -> Style:
    """The style after one mark (``target``: where a link that opens here leads)."""
    mark = tok.group(0)
    if mark in ("<u>", "</u>"):
        return replace(style, underline=mark == "<u>")
    if mark.startswith("*"):
        bold = style.bold != (len(mark) >= 2)
        italic = style.italic != (len(mark) % 2 == 1)
        return replace(style, bold=bold, italic=italic)
    if mark == "[":
        return replace(style, href=target or "")
    return replace(style, href=None)


def _grouped(chars: Sequence[_Char]) -> list[Piece]:
    out: list[Piece] = []
    for c in chars:
        last = out[-1] if out else None
        if last and (last.op, last.style, last.heading) == (c.op, c.style, c.heading):
            out[-1] = replace(last, text=last.text + c.char)
        else:
            out.append(Piece(c.char, c.op, c.style, c.heading))
    return out


def _take(run: Sequence[Piece], size: int, reverse: bool = False) -> list[Piece]:
    """The first ``size`` characters of ``run`` (of each piece's end, when ``reverse``)."""
    out: list[Piece] = []
    left = size
    for p in run:
        if left <= 0:
            break
        text = p.text[-left:] if reverse else p.text[:left]
        out.append(replace(p, text=text))
        left -= len(text)
    return out


def by_op(found: Sequence[Piece]) -> list[tuple[str, list[Piece]]]:
    """Consecutive pieces of one op together: a deletion marked once, however styled."""
    out: list[tuple[str, list[Piece]]] = []
    for p in found:
        if out and out[-1][0] == p.op:
            out[-1][1].append(p)
        else:
            out.append((p.op, [p]))
    return out


MARKS = {"equal": ("", ""), "delete": ("[-", "-]"), "insert": ("{+", "+}")}


def marked(found: Sequence[Piece]) -> str:
    """Pieces as plain text, changes marked ``[-old-]{+new+}``: readable without colour."""
    out = []
    for op, run in by_op(found):
        opening, closing = MARKS[op]
        out.append(opening + "".join(p.text for p in run) + closing)
    return "".join(out)
