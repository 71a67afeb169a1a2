"""Atom feeds of recorded changes: one for every source, and one per source.

Each entry carries the clause diff itself (the change page's redline, as
``type="html"`` content), not only a link, so a feed reader shows what
changed.  Ids are stable (a UUID derived from source and version), so a
refreshed feed never shows an entry twice; ``updated`` is the newest entry's
time, so a feed with nothing new reads the same.
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from ...notify.text import meaning_lines, seen_line
from ...text.controls import xml_text
from .data import ChangeRecord
from .markup import change_block, esc, fired_list, notes_list

ATOM = "http://www.w3.org/2005/Atom"
LIMIT = 50  # entries per feed, newest first


def feed(
    title: str, key: str, changes: Sequence[ChangeRecord], prefix: str, generated: str
) -> bytes:
    """The feed of ``changes``; ``prefix`` leads from the feed's folder to the report's top."""
    newest = sorted(changes, key=lambda c: c.entry.time, reverse=True)[:LIMIT]
    root = ET.Element("feed", xmlns=ATOM)
    _text(root, "title", title)
    _text(root, "id", _urn(f"feed/{key}"))
    _text(root, "updated", newest[0].entry.time if newest else generated)
    ET.SubElement(root, "link", rel="alternate", type="text/html", href=f"{prefix}index.html")
    author = ET.SubElement(root, "author")
    _text(author, "name", "tracker")
    _text(root, "generator", "tracker")
    for c in newest:
        item = ET.SubElement(root, "entry")
        _text(item, "title", c.title)
        _text(item, "id", _urn(f"change/{c.source.id}/{c.entry.version}"))
        _text(item, "updated", c.entry.time)
        ET.SubElement(item, "link", rel="alternate", type="text/html", href=prefix + c.path)
        _text(item, "summary", _summary(c))
        content = ET.SubElement(item, "content", type="html")
        content.text = xml_text(_content(c))
    ET.indent(root)
    written: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return written + b"\n"


def _text(parent: ET.Element, tag: str, text: str) -> None:
    ET.SubElement(parent, tag).text = xml_text(text)


def _urn(key: str) -> str:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"tracker:{key}").urn


def _summary(c: ChangeRecord) -> str:
    clauses = [ch.clause or "unnumbered text" for ch in c.changes]
    return f"{c.source.name}: {', '.join(clauses)} ({c.entry.severity or 'info'})"


def _content(c: ChangeRecord) -> str:
    seen = seen_line(c.entry.first_seen or c.entry.time, c.entry.last_seen)
    return (
        f'<p class="meta">{esc(seen)}.</p>'
        + fired_list(c.fired)
        + notes_list([*meaning_lines(c.message.outcome), *c.notes])
        + "".join(map(change_block, c.changes))
    )
