"""HTML as a browser with scripting on parses it: what ``<noscript>`` holds is not markup.

lexbor parses as a browser with scripting *off*: the content of ``<noscript>`` is
parsed as markup.  An analytics snippet such as ``<noscript><iframe … /></noscript>``
at the start of ``<body>`` then opens an ``<iframe>`` (self-closing means nothing to
it) whose raw text swallows the rest of the document, and the agreement's ``main``
is not there at all.  Every real reader has scripting on: its ``<noscript>`` holds
raw text up to the first ``</noscript>``, never displayed.  :func:`scripting_on`
empties each ``<noscript>`` accordingly before parsing, skipping what is raw text in
any browser (scripts, styles, comments, iframes…), where ``<noscript>`` is not a tag.
A page rendered in Chromium and serialised carries the same raw text, and is read
the same way.
"""

from __future__ import annotations

import re

_RAW = "script|style|textarea|title|xmp|iframe|noembed|noframes"
_PASS = re.compile(
    rf"<!--.*?(?:-->|$)"  # a comment
    rf"|<({_RAW})\b[^>]*>.*?(?:</\1[\s/>]|$)"  # an element whose content is raw text anyway
    r"|(<noscript\b[^>]*>).*?(?:</noscript\s*>|$)",  # with scripting on: raw text, never shown
    re.I | re.S,
)
_HINT = re.compile(r"<noscript", re.I)


def scripting_on(html: str) -> str:
    """``html`` with every ``<noscript>`` emptied, as a browser with scripting on reads it."""
    if not _HINT.search(html):
        return html
    return _PASS.sub(_emptied, html)


def _emptied(m: re.Match[str]) -> str:
    if m.group(2) is None:  # a comment or a raw-text element: as it is
        return m.group(0)
    return m.group(2) + "</noscript>"
