"""Stated dates as metadata, not noise (issue 20, item 2).

The extraction is pinned by a table of the ways agreements state their dates; the
behaviour end to end, on the developer agreement with an update line added: a date-only
change records a version and alerts nothing, a wording change under an unchanged date is
a silent edit, and a newly stated date before the day the old text was still served is
backdated.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import Sink, doc_source, write_config
from tests.pages import AGREEMENT, change_clause, cloud_page
from tracker.compare.stated import masked, stated


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("更新日期：2024年11月1日", [("updated", "2024-11-01")]),
        ("生效日期：2024年11月8日", [("effective", "2024-11-08")]),
        ("版本生效日期：2023年12月25日", [("effective", "2023-12-25")]),
        ("发布日期：2023-05-01", [("published", "2023-05-01")]),
        ("**最近更新日期：** ２０２４年１１月１日", [("updated", "2024-11-01")]),  # full width
        ("腾讯会议软件许可及服务协议（2024年11月版）", [("version", "2024-11")]),  # a month
        ("本协议自2025年1月1日起生效。", [("effective", "2025-01-01")]),
        ("Last updated: August 18, 2023", [("updated", "2023-08-18")]),
        ("Last modified March 2026", [("updated", "2026-03")]),
        ("Effective date: November 16, 2020", [("effective", "2020-11-16")]),
        ("Dernière mise à jour : 18 août 2023", [("updated", "2023-08-18")]),
        ("Last updated on 02.09.2025", [("updated", "2025-09-02")]),  # dotted: day first
        ("最近更新时间：2024-06-24 16:07:21", []),  # a CMS's timestamp, not the agreement's
        ("4.2 腾讯将于2027年1月1日起调整收费标准。", []),  # a clause's date, not the page's
        (
            "更新日期：2024年11月1日\n生效日期：2024年11月8日",
            [
                ("updated", "2024-11-01"),
                ("effective", "2024-11-08"),
            ],
        ),
    ],
)
def test_the_dates_an_agreement_states(text, found):
    assert [(str(s.kind), s.date) for s in stated(text)] == found
    if found:
        assert masked(text) != text and not stated(masked(text))


UPDATED = "更新日期：2026年11月1日\n\n"
DATED = UPDATED + AGREEMENT


@pytest.fixture
def dated(site, tmp_path, tracker):
    """The developer agreement with an update line, checked once; a webhook listens."""
    hook = Sink(site, "/hook")
    site.page("/doc", cloud_page(DATED))
    extra = f'[[notify]]\nkind = "webhook"\nurl = "{hook.url}"\n'
    source = doc_source(site.url("/doc"), timezone="Asia/Shanghai")
    cfg = write_config(tmp_path, [source], extra=extra)
    assert tracker("check", "-c", cfg).code == 0
    return cfg, hook


def test_a_new_stated_date_alone_records_a_version_and_alerts_nothing(site, tracker, dated):
    cfg, hook = dated
    today = datetime.now(UTC) + timedelta(hours=8)  # in China, where the source counts days
    site.page("/doc", cloud_page(DATED.replace("2026年11月1日", f"{today:%Y年%-m月%-d日}")))
    run = tracker("check", "-c", cfg, "--json")
    src = run.source("doc")
    assert run.code == 0 and src["status"] == "unchanged" and src["changes"] == []
    [note] = src["notes"]
    assert note.startswith("only the stated date changed (“更新日期：2026年11月1日” → ")
    assert hook.bodies == []
    newest = tracker("history", "doc", "-c", cfg, "--json").json["versions"][0]
    assert "date_only" in newest["flags"]
    assert tracker("check", "-c", cfg).code == 0  # and then simply unchanged


def test_a_date_only_change_that_is_backdated_says_so_without_an_alert(site, tracker, dated):
    cfg, hook = dated
    site.page("/doc", cloud_page(DATED.replace("2026年11月1日", "2026年11月15日")))
    src = tracker("check", "-c", cfg, "--json").source("doc")
    today = datetime.now(UTC) + timedelta(hours=8)  # the source counts days in China time
    assert src["status"] == "unchanged" and hook.bodies == []
    assert any(
        n.startswith("backdated: the page now says “更新日期：2026年11月15日”")
        and n.endswith(f"still served on {today:%Y-%m-%d}")
        for n in src["notes"]
    ), src["notes"]


def test_a_wording_change_under_an_unchanged_date_is_a_silent_edit(site, tracker, dated):
    cfg, hook = dated
    site.page("/doc", cloud_page(change_clause(DATED, "提前10个自然日", "提前3个自然日")))
    run = tracker("check", "-c", cfg, "--json")
    src = run.source("doc")
    assert run.code == 1 and src["silent_edit"] == "更新日期：2026年11月1日"
    assert src["backdated"] == []
    [alert] = hook.bodies
    assert alert["silent_edit"] == "更新日期：2026年11月1日"
    human = tracker("diff", "doc", "-c", cfg).out
    assert (
        "Silent edit: the wording changed, but the page still says “更新日期：2026年11月1日”"
        in human
    )
    newest = tracker("history", "doc", "-c", cfg, "--json").json["versions"][0]
    assert "silent_edit" in newest["flags"]


def test_a_change_with_a_date_before_the_old_text_was_last_seen_is_backdated(site, tracker, dated):
    cfg, hook = dated
    new = change_clause(DATED, "提前10个自然日", "提前3个自然日")
    site.page("/doc", cloud_page(new.replace("2026年11月1日", "2026年11月20日")))
    src = tracker("check", "-c", cfg, "--json").source("doc")
    [early] = src["backdated"]
    assert (early["kind"], early["date"]) == ("updated", "2026-11-20")
    assert early["last_seen"] >= "2026-12-03" and src["silent_edit"] is None
    assert src["stated"] == [
        {"kind": "updated", "date": "2026-11-20", "wording": "更新日期：2026年11月20日"}
    ]
    [alert] = hook.bodies
    assert alert["backdated"] == src["backdated"]


def test_a_date_in_the_future_is_not_backdated(site, tracker, dated):
    cfg, _ = dated
    new = change_clause(DATED, "提前10个自然日", "提前3个自然日")
    site.page("/doc", cloud_page(new.replace("2026年11月1日", "2099年1月1日")))
    src = tracker("check", "-c", cfg, "--json").source("doc")
    assert src["backdated"] == [] and src["silent_edit"] is None


def test_a_bad_time_zone_is_one_line(tmp_path, tracker):
    source = {**doc_source("https://example.com/terms"), "timezone": "Mars/Olympus"}
    cfg = write_config(tmp_path, [source])
    run = tracker("check", "-c", cfg)
    assert run.code == 2 and "source.doc.timezone" in run.err
    assert "'Mars/Olympus' is not a time zone" in run.err


def test_the_report_page_and_its_feed_say_what_the_dates_mean(site, tracker, dated, tmp_path):
    cfg, _ = dated
    site.page("/doc", cloud_page(change_clause(DATED, "提前10个自然日", "提前3个自然日")))
    tracker("check", "-c", cfg)
    out = tmp_path / "report"
    assert tracker("report", "--out", out, "-c", cfg).code == 0
    said = "the page still says “更新日期：2026年11月1日”"
    [page] = [p for p in out.rglob("*.html") if said in p.read_text("utf-8")]
    feeds = [p.read_text("utf-8") for p in out.rglob("*.xml")]
    assert any("Silent edit" in f and "First seen" in f for f in feeds), page


def test_the_first_version_keeps_the_dates_it_states(tmp_path, dated):
    meta_path = next((tmp_path / "snapshots" / "doc" / "versions").glob("0001_*/meta.json"))
    meta = json.loads(meta_path.read_text())
    assert meta["stated"] == [
        {"kind": "updated", "date": "2026-11-01", "wording": "更新日期：2026年11月1日"}
    ]
    assert "promises" not in meta  # read from the text when asked, not on every first run
