"""Control characters made visible: page text never drives a terminal, a mail reader or a feed.

A page can hold ESC (raw, or written ``&#27;``) and with it clear a terminal, fake
a hyperlink or set a window's title once its text is printed.  Every human output
(the console, the log lines, email, Slack, the report) shows such characters as
Unicode's control pictures instead: ESC is ``␛``.  Tab and newline stay what they
are.  One character stays one character, so styled spans keep their places.
"""

from __future__ import annotations

import re

_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _picture(m: re.Match[str]) -> str:
    code = ord(m.group(0))
    if code < 0x20:
        return chr(0x2400 + code)  # ␀ … ␟
    if code == 0x7F:
        return "\u2421"  # ␡
    return "\ufffd"  # C1 controls have no picture of their own


def neutral(text: str) -> str:
    """``text`` with every control character but tab and newline shown as a picture."""
    return _CONTROLS.sub(_picture, text) if _CONTROLS.search(text) else text


_NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """``text`` as XML 1.0 can hold it: controls shown, and what XML forbids replaced."""
    return _NOT_XML.sub("\ufffd", neutral(text))
