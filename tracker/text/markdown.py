"""Markdown files into the stored dialect (see :mod:`tracker.text.dialect`).

Baselines are Markdown written by hand, and version histories such as Open
Terms Archive's are Markdown written by an HTML converter.  Both must compare
equal to what :func:`tracker.text.extract.extract` makes of the same page, so this
reader follows the page's structure rather than the file's spelling:

* emphasis may span the lines of one paragraph and ends at a blank line;
* an escaped ``\\*\\*`` toggles bold: converters write the markers of bold runs
  they could not place that way, and agreements never contain a literal ``**``;
* ``_text_`` is italic, other backslash escapes are the character itself;
* setext underlines (``----``) go, ``*``/``-``/``+`` bullets become ``- ``;
* link targets are canonical (no spaces, ``/`` for an empty path).
"""

from __future__ import annotations

import re

from .dialect import PLAIN, Style, canonical_url, render_runs

_TOKEN = re.compile(
    r"\\?\*\\?\*"  # bold, plain or escaped
    r"|</?u>"  # underline
    r"|(?<![\w\\])_(?=\S)|(?<=\S)(?<!\\)_(?!\w)"  # italic
    r"|\\([!-/:-@\[-`{-~])"  # any other escape: the character itself
    r"|\[(?=[^\]\n]*\]\(\s*([^)\s]+)\s*\))"  # a link opens (target in the lookahead)
    r"|\]\(\s*[^)\s]+\s*\)"  # a link closes
)
_PREFIX = re.compile(r"^\s{0,3}(#{1,6}\s+|[-+*]\s+)")
_SETEXT = re.compile(r"^\s{0,3}(-{3,}|={3,})\s*$")
_WS = re.compile(r"[ \t\r\f\v]+")


def from_markdown(text: str) -> str:
    """Read Markdown into the stored dialect, one block per line."""
    lines: list[str] = []
    style = PLAIN
    for raw in text.splitlines():
        if not raw.strip():
            style = PLAIN  # a blank line ends the paragraph, and any emphasis in it
            continue
        if _SETEXT.match(raw):
            continue
        m = _PREFIX.match(raw)
        prefix = ""
        if m:
            prefix = "- " if m.group(1)[0] in "-+*" else m.group(1).split()[0] + " "
        runs, style = _runs(raw[m.end() :] if m else raw, style)
        style = Style(style.underline, style.bold, style.italic, None)  # links end with lines
        if rendered := render_runs([(_WS.sub(" ", t), st) for t, st in runs if t]):
            lines.append(prefix + rendered)
    return "\n".join(lines) + "\n"


def _runs(body: str, style: Style) -> tuple[list[tuple[str, Style]], Style]:
    runs: list[tuple[str, Style]] = []
    pos = 0
    for tok in _TOKEN.finditer(body):
        runs.append((body[pos : tok.start()], style))
        pos = tok.end()
        t = tok.group(0)
        u, b, i, href = style.underline, style.bold, style.italic, style.href
        if tok.group(1) is not None:  # an escaped character stands for itself
            runs.append((tok.group(1), style))
            continue
        if t.replace("\\", "") == "**":
            b = not b
        elif t in ("<u>", "</u>"):
            u = t == "<u>"
        elif t == "_":
            i = not i
        elif t == "[":
            href = canonical_url(tok.group(2))
        else:
            href = None
        style = Style(u, b, i, href)
    runs.append((body[pos:], style))
    return runs, style
