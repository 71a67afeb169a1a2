"""The developer agreement ships as the baseline version of `meeting-api-agreement`."""

from __future__ import annotations

import json

import pytest

from tests.conftest import ROOT, doc_source, versions, write_config
from tests.pages import AGREEMENT, AGREEMENT_MD, SHARED, change_clause, cloud_page
from tracker.stamps import sha256
from tracker.store.source import SourceStore
from tracker.text.markdown import from_markdown

SHIPPED = ROOT / "tracker" / "data" / "meeting-api-agreement.md"


@pytest.mark.skipif(not (SHARED / "agreements").is_dir(), reason="../shared is absent")
def test_shipped_text_is_the_published_agreement():
    published = SHARED / "agreements" / "tencent-meeting-api-developer-agreement.md"
    assert SHIPPED.read_bytes() == published.read_bytes()


def test_committed_snapshot_is_the_shipped_agreement():
    store = SourceStore(ROOT / "snapshots", "meeting-api-agreement")
    first = store.versions.get(store.versions.names()[0])
    assert first.meta["origin"] == "baseline"
    assert first.text == from_markdown(AGREEMENT_MD)
    assert first.meta["text_hash"] == sha256(first.text)  # intact: never set aside as torn


def test_markdown_baseline_is_in_extracted_form():
    assert AGREEMENT.count("**") % 2 == 0
    for line in AGREEMENT.splitlines():
        assert line.count("**") % 2 == 0, line  # emphasis closes on the line it opens
    assert from_markdown(AGREEMENT) == AGREEMENT


@pytest.fixture
def seeded(site, tmp_path):
    site.page("/doc", cloud_page())
    cfg = write_config(tmp_path, [doc_source(site.url("/doc"), baseline=str(SHIPPED))])
    return cfg, tmp_path / "snapshots"


def test_first_live_check_compares_with_the_baseline(seeded, tracker):
    cfg, state = seeded
    run = tracker("check", "--config", cfg, "--json")
    assert run.code == 0, run.out
    assert run.source("doc")["status"] == "unchanged"
    [v] = versions(state, "doc")
    meta = json.loads((state / "doc" / "versions" / v / "meta.json").read_text())
    assert meta["origin"] == "baseline"


def test_first_live_check_reports_a_change_against_the_baseline(site, seeded, tracker):
    cfg, state = seeded
    site.page("/doc", cloud_page(change_clause(AGREEMENT, "提前10个自然日", "提前3个自然日")))
    run = tracker("check", "--config", cfg, "--json")
    assert run.code == 1
    [change] = run.source("doc")["changes"]
    assert change["clause"] == "2.7"
    assert len(versions(state, "doc")) == 2


def test_baseline_is_seeded_even_when_the_site_is_down(site, seeded, tracker):
    cfg, state = seeded
    site.page("/doc", "down", status=503)
    run = tracker("check", "--config", cfg, "--json")
    assert run.code == 3
    assert len(versions(state, "doc")) == 1
    site.page("/doc", cloud_page())
    assert tracker("check", "--config", cfg).code == 0
