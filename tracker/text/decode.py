"""Bytes to text, the way a browser would.

Order: the HTTP header's charset, a byte-order mark, a ``<meta>`` declaration
in the first few KB, then detection.  httpx alone would read a GBK page that
has no header charset as UTF-8 and turn every Chinese character into U+FFFD;
this module makes that page read exactly as its UTF-8 twin.

A declaration can be wrong (a header saying GBK over a UTF-8 body): the first
candidate that decodes the body without an error wins, so a wrong label
cannot turn a page into mojibake, and then into a dozen "changed" clauses.
"""

from __future__ import annotations

import codecs
import re

import charset_normalizer

# WHATWG treats these labels as supersets; decoding with the superset is what browsers do.
_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "gb_2312-80": "gb18030",
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "big5": "big5hkscs",
    "shift_jis": "cp932",
    "euc-kr": "cp949",
}
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_PRESCAN_BYTES = 4096
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)


def codec_for(label: str | None) -> str | None:
    """A Python codec name for a charset label, or None if Python does not know it."""
    if not label:
        return None
    label = label.strip().lower()
    label = _SUPERSETS.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def charset_from_content_type(content_type: str | None) -> str | None:
    if not content_type:
        return None
    m = _HEADER_CHARSET.search(content_type)
    return m.group(1) if m else None


def declared(body: bytes, content_type: str | None = None) -> list[str]:
    """The codecs the page declares (header, byte-order mark, ``<meta>``), in that order."""
    found: list[str] = []
    if codec := codec_for(charset_from_content_type(content_type)):
        found.append(codec)
    for bom, codec in _BOMS:
        if body.startswith(bom):
            found.append(codec)
    m = _META_CHARSET.search(body[:_PRESCAN_BYTES])
    if m and (codec := codec_for(m.group(1).decode("ascii", "replace"))):
        # A page served as UTF-16 cannot declare itself in ASCII; browsers ignore that too.
        found.append("utf-8" if codec.startswith("utf-16") else codec)
    return list(dict.fromkeys(found))


def sniff(body: bytes, content_type: str | None = None) -> str:
    """The codec to read ``body`` with: the first candidate that decodes it cleanly."""
    stated = declared(body, content_type)
    for codec in dict.fromkeys([*stated, "utf-8"]):  # valid UTF-8 is almost never an accident
        try:
            body.decode(codec)
        except UnicodeDecodeError:
            continue
        return codec
    if stated:  # declared, and nothing decodes cleanly: the declaration wins, with U+FFFD
        return stated[0]
    best = charset_normalizer.from_bytes(body).best()
    detected = codec_for(best.encoding) if best else None
    return detected or "utf-8"


def decode(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Return ``(text, codec)``; undecodable bytes become U+FFFD rather than failing."""
    codec = sniff(body, content_type)
    if codec == "utf-8" and body.startswith(codecs.BOM_UTF8):
        codec = "utf-8-sig"
    return body.decode(codec, errors="replace"), codec
