"""A response body read under a size cap that holds for what is decoded, not only what is sent.

A compression bomb is a few kilobytes on the wire and gigabytes decoded, and a
decoder asked for "everything this chunk expands to" holds all of it at once.
So tracker asks the server for gzip or deflate only and decompresses itself,
never more than the room left under the cap: the bytes held never exceed the
cap by more than one.
"""

from __future__ import annotations

import zlib

from ..errors import FetchError, TooLargeError

ACCEPT_ENCODING = "gzip, deflate"
_GZIP = 16 + zlib.MAX_WBITS
_ZLIB = zlib.MAX_WBITS
_RAW_DEFLATE = -zlib.MAX_WBITS


class CappedBody:
    """Feed it the raw chunks of a response; ``decoded()`` is the decoded body."""

    def __init__(self, content_encoding: str | None, cap: int) -> None:
        codings = [c.strip().lower() for c in (content_encoding or "").split(",")]
        codings = [c for c in codings if c and c != "identity"]
        if len(codings) > 1 or (codings and codings[0] not in ("gzip", "x-gzip", "deflate")):
            raise FetchError(f"unsupported Content-Encoding {content_encoding!r}", transient=False)
        self.coding = codings[0] if codings else None
        self.cap = cap
        self.held = 0  # decoded bytes held so far
        self._parts: list[bytes] = []
        self._z = zlib.decompressobj(_ZLIB if self.coding == "deflate" else _GZIP)
        self._first = True

    def feed(self, raw: bytes) -> None:
        if self.coding is None:
            self._keep(raw)
            return
        data = raw
        while data:
            try:
                out = self._z.decompress(data, self.cap - self.held + 1)
            except zlib.error as exc:
                if self._first and self.coding == "deflate":  # raw deflate, as some servers send
                    self._z, self._first = zlib.decompressobj(_RAW_DEFLATE), False
                    continue
                raise FetchError(f"the page's {self.coding} data is damaged: {exc}") from None
            self._first = False
            self._keep(out)
            data = self._z.unconsumed_tail

    def decoded(self) -> bytes:
        if self.coding is not None:
            self._keep(self._z.flush(self.cap - self.held + 1))
        return b"".join(self._parts)

    def _keep(self, data: bytes) -> None:
        self.held += len(data)
        if self.held > self.cap:
            self._parts.clear()
            raise TooLargeError(f"page is over the {self.cap}-byte cap")
        self._parts.append(data)
