"""The text dialect tracker stores: a small Markdown, one block per line.

``## heading``, ``- item``, ``**bold**``, ``<u>underline</u>``, ``*italic*`` and
``[text](absolute-url)``.  Both readers (:mod:`tracker.text.extract` for HTML and
:mod:`tracker.text.markdown` for Markdown files) describe a line as styled runs and
leave the writing to :func:`render_runs`, so the same content always comes out
the same way, whichever form it arrived in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

_SPACE = " \t\n\r\f"
_SPACE_RUNS = re.compile(r"[ \t\n\r\f]+")


@dataclass(frozen=True)
class Style:
    underline: bool = False
    bold: bool = False
    italic: bool = False
    href: str | None = None


PLAIN = Style()


def render_runs(runs: list[tuple[str, Style]]) -> str:
    """Join styled runs, opening and closing markers only where the style changes.

    Spaces at the edge of a styled run are moved outside its markers, so
    ``<b> x </b>`` and ``<b>x</b>`` with spaces around give the same line.
    """
    if all(style is PLAIN for _, style in runs):  # most lines: no markers to place
        return _SPACE_RUNS.sub(" ", "".join(text for text, _ in runs)).strip(_SPACE)
    out: list[str] = []
    current = PLAIN
    pending_space = False
    for text, style in runs:
        core = text.strip(_SPACE)
        if not core:
            pending_space = pending_space or bool(out)
            continue
        if text[0] in _SPACE:
            pending_space = bool(out)
        if style != current:
            out.append(_transition(current, style, pending_space))
            pending_space = False
            current = style
        elif pending_space:
            out.append(" ")
            pending_space = False
        out.append(core)
        pending_space = text[-1] in _SPACE
    out.append(_transition(current, PLAIN, False))
    return "".join(out).strip()


def canonical_url(url: str) -> str:
    """One spelling per link target: ``/`` for an empty path, nothing that ends ``(url)``.

    Spaces and parentheses are percent-encoded, so that ``[text](url)`` is never
    ambiguous, whichever reader wrote it.
    """
    url = _UNSAFE.sub(lambda m: f"%{ord(m.group()):02X}", url.strip())
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if parts.scheme in ("http", "https") and parts.netloc and not parts.path:
        return urlunsplit(parts._replace(path="/"))
    return url


_UNSAFE = re.compile(r"[\s()]")
# A link as the dialect writes it: its words (brackets in them at most one level deep, as in
# ``[[PDF]](url)``) and its target.
LINK = re.compile(r"\[((?:[^\[\]\n]|\[[^\[\]\n]*\])*)\]\(([^)\s]*)\)")


def _levels(s: Style) -> list[object]:
    return [s.underline, s.bold, s.italic, s.href]


def _transition(old: Style, new: Style, space: bool) -> str:
    a, b = _levels(old), _levels(new)
    first = next(i for i in range(4) if a[i] != b[i]) if a != b else 4
    closing = [_close(i, a[i]) for i in range(3, first - 1, -1) if a[i]]
    opening = [_open(i) for i in range(first, 4) if b[i]]
    return "".join(closing) + (" " if space else "") + "".join(opening)


def _open(level: int) -> str:
    return ("<u>", "**", "*", "[")[level]


def _close(level: int, value: object) -> str:
    return ("</u>", "**", "*", f"]({value})")[level]
