"""Incorporated agreements (issue 20, item 5): the developer agreement links 《腾讯云服务协议》
and 《腾讯会议软件许可及服务协议》 by name, binding its readers to them.

On a local site whose developer agreement links local copies: ``tracker discover`` offers
both from the stored versions alone, with blocks that work as printed; a change of the
cloud agreement says it is incorporated by the developer agreement, and the developer
agreement's promise of notice (2.7) covers it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import Sink, doc_source, write_config
from tests.pages import AGREEMENT, cloud_page
from tracker.text.links import document

CLOUD = "https://cloud.tencent.com/document/product/301/1967"
LICENSE = "https://rule.tencent.com/rule/preview/ab9ea528-0bf1-47b3-a8c3-f001b98912e2"
CLOUD_TEXT = "# 腾讯云服务协议\n\n1.1 腾讯云向您提供云服务。\n\n1.2 您应当遵守本协议的约定，并按约定使用服务。\n"


def local(site) -> str:
    """The developer agreement as the local site serves it: its links lead to local copies."""
    return AGREEMENT.replace(CLOUD, site.url("/cloud")).replace(LICENSE, site.url("/license"))


def test_discover_offers_the_linked_agreements_no_source_tracks(site, tmp_path, tracker):
    site.page("/doc", cloud_page(local(site)))
    cfg = write_config(tmp_path, [doc_source(site.url("/doc"))])
    assert tracker("discover", "-c", cfg).out.count("[[source]]") == 0  # nothing recorded yet
    tracker("check", "-c", cfg)
    run = tracker("discover", "-c", cfg, "--json")
    offered = {a["name"]: a for a in run.json["agreements"]}
    assert set(offered) == {"腾讯云服务协议", "腾讯会议软件许可及服务协议"}
    assert offered["腾讯云服务协议"]["url"] == site.url("/cloud")
    assert offered["腾讯云服务协议"]["linked_by"] == [{"source": "doc", "where": ["preamble"]}]

    blocks = tracker("discover", "-c", cfg).out  # as printed, pasted into the configuration
    assert "# 《腾讯云服务协议》, linked by doc (preamble)" in blocks
    cfg.write_text(cfg.read_text() + "\n" + blocks)
    site.page("/cloud", cloud_page(CLOUD_TEXT, title="腾讯云服务协议"))
    site.page("/license", cloud_page(CLOUD_TEXT, title="腾讯会议软件许可及服务协议"))
    checked = tracker("check", "-c", cfg, "--json")
    assert checked.code == 0 and len(checked.json["sources"]) == 3
    assert {s["status"] for s in checked.json["sources"][1:]} == {"baseline"}
    again = tracker("discover", "-c", cfg)
    assert again.out.strip() == "every agreement the tracked ones link by name is tracked already"


@pytest.mark.parametrize("kept", [True, False], ids=["links kept", "recorded before"])
def test_a_change_of_an_incorporated_agreement_says_who_incorporates_it(
    site, tmp_path, tracker, kept
):
    """The run reads who links whom from each latest version's metadata, or from its text
    when the version was recorded before versions kept their links."""
    hook = Sink(site, "/hook")
    site.page("/doc", cloud_page(local(site)))
    site.page("/cloud", cloud_page(CLOUD_TEXT, title="腾讯云服务协议"))
    sources = [
        doc_source(site.url("/doc"), "doc", timezone="Asia/Shanghai"),
        doc_source(
            site.url("/cloud"),
            "cloud",
            name="腾讯云服务协议",
            timezone="Asia/Shanghai",
            min_length=20,
        ),
    ]
    extra = f'[[notify]]\nkind = "webhook"\nurl = "{hook.url}"\n'
    cfg = write_config(tmp_path, sources, extra=extra)
    tracker("check", "-c", cfg)
    [meta_path] = (tmp_path / "snapshots" / "doc" / "versions").glob("0001_*/meta.json")
    meta = json.loads(meta_path.read_text())
    assert meta["links"] == sorted(document(site.url(p)) for p in ("/cloud", "/license"))
    if not kept:
        del meta["links"]
        meta_path.write_text(json.dumps(meta))
    day = (datetime.now(UTC) + timedelta(hours=8)).date() + timedelta(days=5)
    fee = f"1.3 腾讯云将对本服务收取费用，收费规则自{day.year}年{day.month}月{day.day}日起生效。\n"
    site.page("/cloud", cloud_page(CLOUD_TEXT + "\n" + fee, title="腾讯云服务协议"))
    src = tracker("check", "-c", cfg, "--json").source("cloud")
    assert src["incorporated_by"] == [
        {"source": "doc", "name": "《腾讯会议 API 开发者协议》", "where": ["preamble"]}
    ]
    [added] = src["changes"]
    assert added["notice"]["clause"] == "2.7" and added["notice"]["given"] == 4
    assert added["notice"]["agreement"] == "腾讯会议 API 开发者协议"
    assert added["severity"] == "critical"  # the developer agreement's promise covers it
    [alert] = hook.bodies
    assert alert["incorporated_by"] == src["incorporated_by"]
    shown = tracker("diff", "cloud", "-c", cfg).out
    assert "Incorporated by 《腾讯会议 API 开发者协议》, preamble." in shown
    reviewed = tracker("diff", "cloud", "0001", "0002", "-c", cfg, "--json")  # as a check
    [again] = reviewed.json["changes"]
    assert again["notice"] == added["notice"] and reviewed.json["severity"] == "critical"
