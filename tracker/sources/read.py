"""The parse stage: a fetched page decoded, its agreement text extracted, the page packed.

It runs off the recording thread (see ``check.Workers``), and only reads the page.
Each kind of source reads its pages its own way (:mod:`tracker.sources`); HTML
pages are read here.
"""

from __future__ import annotations

from ..config import Source
from ..model import Page, Reading
from ..store.source import pack
from ..text.decode import decode
from ..text.extract import extract_page


def read_html(page: Page, source: Source) -> Reading:
    """Read an HTML page: decode, extract and pack it, all off the recording thread."""
    html, codec = decode(page.body, page.content_type)
    found = extract_page(html, source.selectors, source.remove, page.url, source.min_length)
    return Reading(found.text, found.title, codec, pack(page.body), page.url, source.settings)
