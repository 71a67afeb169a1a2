"""A slow, huge or mislabelled page costs a bounded time and memory, and reads right.

Issue 11, items 14, 16 and 17, against a real local server.
"""

from __future__ import annotations

import gzip
import time
import zlib

import pytest
from werkzeug import Response

from tests.conftest import doc_source, write_config
from tests.pages import AGREEMENT, change_clause, cloud_page
from tracker.errors import FetchError, TooLargeError
from tracker.sources.body import CappedBody


def test_a_server_that_trickles_is_cut_off_by_the_whole_request_timeout(site, tmp_path, tracker):
    """Before: ``timeout`` bounded each read, so one byte a second held the run indefinitely."""
    sent: list[int] = []
    page = cloud_page().encode()

    def trickle():
        for k in range(0, len(page), 64):
            sent.append(k)
            yield page[k : k + 64]
            time.sleep(0.3)

    site.page("/doc", handler=lambda request: Response(trickle(), content_type="text/html"))
    cfg = write_config(tmp_path, [doc_source(site.url("/doc"))], {"timeout": "1s", "retries": 0})
    src = tracker("check", "--config", cfg, "--json").source("doc")
    assert src["status"] == "error" and src["error"] == "timed out after 1s"
    assert len(sent) < len(page) // 64 / 2  # cut off long before the page was sent


def test_a_compression_bomb_never_holds_more_than_the_cap():
    bomb = gzip.compress(b"\0" * 50_000_000)  # 50 MB in about 50 KB
    body = CappedBody("gzip", cap=1_000_000)
    with pytest.raises(TooLargeError):
        for k in range(0, len(bomb), 8192):
            body.feed(bomb[k : k + 8192])
            assert body.held <= body.cap + 1  # the bytes held, not the process size
    assert body.held <= body.cap + 1


def test_a_compression_bomb_is_a_too_large_error_of_its_source(site, tmp_path, tracker):
    bomb = gzip.compress(b"<p>" + b"x" * 30_000_000)
    site.page("/doc", bomb, headers={"Content-Encoding": "gzip"})
    cfg = write_config(tmp_path, [doc_source(site.url("/doc"))], {"max_bytes": "1MB"})
    src = tracker("check", "--config", cfg, "--json").source("doc")
    assert src["status"] == "error" and "over the 1000000-byte cap" in src["error"]


@pytest.mark.parametrize(
    ("encoding", "pack"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),  # the zlib wrapper, as the standard says
        ("deflate", lambda data: zlib.compress(data, wbits=-15)),  # raw, as some servers send
        (None, lambda data: data),
    ],
    ids=["gzip", "deflate-zlib", "deflate-raw", "identity"],
)
def test_compressed_pages_read_as_sent(encoding, pack):
    page = cloud_page().encode()
    body = CappedBody(encoding, cap=10_000_000)
    packed = pack(page)
    for k in range(0, len(packed), 1000):
        body.feed(packed[k : k + 1000])
    assert body.decoded() == page


def test_an_encoding_tracker_did_not_ask_for_is_a_clear_error():
    with pytest.raises(FetchError, match="unsupported Content-Encoding 'br'"):
        CappedBody("br", cap=100)


def test_a_wrong_charset_header_reads_as_the_body_is_written(site, tmp_path, tracker):
    """Before: a GBK header on a UTF-8 body read as mojibake: a dozen clauses "changed"."""
    site.page("/doc", cloud_page().encode(), content_type="text/html; charset=utf-8")
    cfg = write_config(tmp_path, [doc_source(site.url("/doc"))])
    tracker("check", "--config", cfg)
    edited = cloud_page(change_clause(AGREEMENT, "提前10个自然日", "提前3个自然日")).encode()
    site.page("/doc", edited, content_type="text/html; charset=GBK")
    src = tracker("check", "--config", cfg, "--json").source("doc")
    assert [c["clause"] for c in src["changes"]] == ["2.7"]


# -- issue 23, item 10: a redirect does not lead into private networks ------------------------


@pytest.mark.parametrize(
    "target",
    ["http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/admin", "http://[fd00::1]/x"],
    ids=["metadata", "private", "unique-local"],
)
def test_a_redirect_to_a_private_address_is_refused(site, tmp_path, tracker, target):
    """Before: a watched page's redirect to a cloud metadata service was followed and the
    answer recorded."""
    site.page("/doc", "", status=302, headers={"Location": target})
    cfg = write_config(tmp_path, [doc_source(site.url("/doc"))], {"retries": 0, "timeout": "2s"})
    src = tracker("check", "--config", cfg, "--json").source("doc")
    assert src["status"] == "error" and "redirected to a private address" in src["error"], src
    assert "allow_private" in src["error"]


def test_loopback_redirects_of_a_loopback_source_and_allow_private(site, tmp_path, tracker):
    site.page("/old", "", status=301, headers={"Location": site.url("/doc")})
    site.page("/doc", cloud_page())
    cfg = write_config(tmp_path, [doc_source(site.url("/old"))])
    assert tracker("check", "--config", cfg, "--json").source("doc")["status"] == "baseline"
    site.page("/old", "", status=302, headers={"Location": "http://10.255.255.1/"})
    opened = write_config(
        tmp_path, [doc_source(site.url("/old"))], {"allow_private": True, "timeout": "1s"}
    )
    src = tracker("check", "--config", opened, "--json").source("doc")
    assert "private" not in src["error"]  # followed: the address simply does not answer here
