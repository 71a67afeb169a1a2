"""The parse stage: a fetched page decoded, its agreement text extracted, the page packed.

It runs off the recording thread (see ``check.Workers``), and only reads the page.
Each kind of source reads its pages its own way (:mod:`tracker.sources`); HTML
pages are read here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..config import Source
from ..stamps import isoformat, utcnow
from ..store.source import pack
from ..text.decode import decode
from ..text.extract import extract_page
from .http import Page


@dataclass(frozen=True)
class Reading:
    """What the parse stage makes of a page."""

    text: str  # the agreement text (raises SourceError if there is none)
    title: str | None  # the page's <title>, which names the document
    codec: str  # what the page was decoded with
    packed: bytes  # the raw page, packed for its version folder


def read_html(page: Page, source: Source) -> Reading:
    """Read an HTML page: decode, extract and pack it, all off the recording thread."""
    html, codec = decode(page.body, page.content_type)
    found = extract_page(html, source.selectors, source.remove, page.url, source.min_length)
    return Reading(found.text, found.title, codec, pack(page.body))


def page_meta(
    page: Page, body_hash: str | None, reading: Reading, source: Source
) -> dict[str, Any]:
    """What a version records of the page it was read from, and how it was read."""
    return {
        "fetched_at": isoformat(utcnow()),
        "url": page.url,
        "status": page.status,
        "etag": page.etag,
        "last_modified": page.last_modified,
        "content_type": page.content_type,
        "charset": reading.codec,
        "title": reading.title,
        "body_hash": body_hash,
        "rendered": page.rendered,
        "settings": source.settings,
    }
