"""Credentials in a source's URL are used to fetch it, and appear nowhere else (issue 23, item 9).

A URL with ``user:password@`` or a ``?token=`` reaches the site whole; everything
tracker shows, sends or keeps (the JSON, messages, report pages, outbox entries,
versions, state files, error lines) carries it masked: ``user:***@``, ``token=***``.
"""

from __future__ import annotations

import gzip
import json

from tests.conftest import Sink, doc_source, write_config
from tests.pages import AGREEMENT, change_clause, cloud_page
from tracker.text.links import masked

SECRETS = ("s3cr3t", "t0k3n", "k3y")


def test_credentials_reach_the_site_and_nothing_else(site, tmp_path, tracker):
    hook = Sink(site, "/hook")
    site.page("/doc", cloud_page())
    here = site.url("/doc").removeprefix("http://")
    url = f"http://reader:s3cr3t@{here}?token=t0k3n&lang=zh&api_key=k3y"
    extra = f'[[notify]]\nkind = "webhook"\nname = "hook"\nurl = "{hook.url}"\n'
    cfg = write_config(tmp_path, [doc_source(url)], {"report_dir": "site"}, extra=extra)
    outputs = [tracker("check", "--config", cfg, "--json")]
    site.page("/doc", cloud_page(change_clause(AGREEMENT, "提前10个自然日", "提前3个自然日")))
    outputs.append(tracker("check", "--config", cfg, "--json"))
    site.page("/doc", "down", status=503)
    outputs += [tracker("check", "--config", cfg) for _ in range(3)]
    outputs += [tracker(cmd, "--config", cfg) for cmd in ("status", "outbox", "history")]
    outputs.append(tracker("diff", "doc", "--config", cfg, "--json"))

    request = next(r for r in site.requests if r.path == "/doc")
    assert request.authorization.password == "s3cr3t"  # the fetch had them all
    assert request.args["token"] == "t0k3n" and request.args["api_key"] == "k3y"
    files = [p for p in tmp_path.rglob("*") if p.is_file() and p != cfg]  # all but its own file
    kept = [p.read_bytes().decode("utf-8", "replace") for p in files if p.suffix != ".gz"]
    kept += [gzip.decompress(p.read_bytes()).decode("utf-8") for p in files if p.suffix == ".gz"]
    written = [run.out + run.err for run in outputs] + [json.dumps(hook.bodies)] + kept
    for text in written:
        assert not any(secret in text for secret in SECRETS), text[:400]
    shown = outputs[1].json["sources"][0]["url"]
    assert shown == f"http://reader:***@{here}?token=***&lang=zh&api_key=***"
    assert [b["event"] for b in hook.bodies] == ["change", "failing"]


def test_masking_keeps_what_is_no_secret():
    assert (
        masked("https://example.com/terms?id=3&lang=zh") == "https://example.com/terms?id=3&lang=zh"
    )
    assert masked("https://ghp_abc@example.com/x") == "https://***@example.com/x"
    assert masked("https://example.com/x?Signature=abc&X-Amz-Credential=def") == (
        "https://example.com/x?Signature=***&X-Amz-Credential=***"
    )
