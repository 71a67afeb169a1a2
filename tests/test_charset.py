"""A GBK page must read exactly as its UTF-8 twin, however its charset is (not) declared."""

from __future__ import annotations

import codecs

import pytest

from tests.conftest import doc_source, versions, write_config
from tests.pages import AGREEMENT, cloud_page
from tracker.text.decode import decode, sniff


@pytest.mark.parametrize(
    ("charset_meta", "content_type"),
    [
        ("gbk", "text/html"),  # declared only in <meta charset>
        (None, "text/html"),  # declared nowhere: detection
        ("gb2312", "text/html"),  # a narrower label for the same bytes
        (None, "text/html; charset=GBK"),  # declared only in the header
    ],
    ids=["meta-gbk", "undeclared", "meta-gb2312", "header-gbk"],
)
def test_gbk_page_reads_as_its_utf8_twin(site, tmp_path, tracker, charset_meta, content_type):
    site.page("/doc", cloud_page(charset="utf-8").encode("utf-8"))
    cfg = write_config(tmp_path, [doc_source(site.url("/doc"))])
    assert tracker("check", "--config", cfg).code == 0

    gbk = cloud_page(charset=charset_meta).encode("gb18030")
    site.page("/doc", gbk, content_type=content_type)
    run = tracker("check", "--config", cfg, "--json")
    assert run.code == 0, run.out
    assert run.source("doc")["status"] == "unchanged"
    assert len(versions(tmp_path / "snapshots", "doc")) == 1


def test_gbk_page_alone_extracts_the_exact_text(site, tmp_path, tracker):
    site.page("/doc", cloud_page(charset=None).encode("gb18030"), content_type="text/html")
    cfg = write_config(tmp_path, [doc_source(site.url("/doc"))])
    assert tracker("check", "--config", cfg).code == 0
    [v] = versions(tmp_path / "snapshots", "doc")
    text = (tmp_path / "snapshots" / "doc" / "versions" / v / "text.md").read_text("utf-8")
    assert text == AGREEMENT
    assert "\ufffd" not in text


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        (b"<meta charset='utf-8'>abc", "text/html; charset=gbk", "gb18030"),  # header wins
        (codecs.BOM_UTF8 + b"<p>x</p>", "text/html", "utf-8"),
        (codecs.BOM_UTF16_LE + "<p>x</p>".encode("utf-16-le"), None, "utf-16-le"),
        (b'<meta http-equiv="Content-Type" content="text/html; charset=GB2312">', None, "gb18030"),
        (b"<meta charset=big5>", None, "big5hkscs"),
        (b"<meta charset='no-such-charset'><p>plain</p>", None, "utf-8"),
        ("<p>纯文本协议内容，没有声明编码。</p>".encode(), None, "utf-8"),
        (b"plain ascii", "text/html; charset=iso-8859-1", "cp1252"),
    ],
)
def test_sniff_order(body, content_type, expected):
    assert sniff(body, content_type) == expected


def test_undecodable_bytes_become_replacement_characters_not_errors():
    text, codec = decode(b"<p>\xff\xfe\xfa ok</p>", "text/html; charset=utf-8")
    assert codec == "utf-8" and "ok" in text and "\ufffd" in text


def test_utf8_bom_is_not_part_of_the_text():
    text, _ = decode(codecs.BOM_UTF8 + "<p>协议</p>".encode(), "text/html; charset=utf-8")
    assert text == "<p>协议</p>"
