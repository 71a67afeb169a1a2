"""Severity that follows meaning, and references, end to end through `tracker check`.

* a watch follows its clause through renumbering; the alert that renumbered it says so once,
  and every run's summary until the configuration names the new number;
* a clause added with a sum of money is a ``warning`` and fires the ``fees`` watch;
* the fee keywords cover the usual wording of charges, Latin ones as whole words;
* a retargeted reference is a change; a link added around unchanged words is not.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Sink, doc_source, versions, write_config
from tests.pages import AGREEMENT, change_clause, cloud_page, renumber_from
from tracker.cli import load_config
from tracker.compare.changes import diff
from tracker.compare.severity import assess

DEFAULT = load_config(cwd=Path("/nonexistent"))
SID = "meeting-api-agreement"
WATCHES = """
[[watch]]
name = "fee-notice"
sources = ["meeting-api-agreement"]
clauses = ["2.7", "{clause}"]
severity = "critical"
"""
NEW_CHAPTER_9 = "## 9. 数据安全\n9.1 开发者应当采取必要措施保护用户数据的安全。\n"


def _with_chapter_9_inserted(text: str = AGREEMENT) -> str:
    """A new chapter 9: the old chapter 9 (其他, with 9.1) becomes chapter 10, words unchanged."""
    return renumber_from(text, 9).replace("## 10. 其他", NEW_CHAPTER_9 + "## 10. 其他")


@pytest.fixture
def served(site, tmp_path):
    site.page("/doc", cloud_page())

    def write(clause: str = "9.1"):
        source = doc_source(site.url("/doc"), sid=SID)
        return write_config(tmp_path, [source], extra=WATCHES.format(clause=clause))

    return write


def test_a_watch_follows_its_renumbered_clause_until_the_configuration_does(site, served, tracker):
    cfg = served("9.1")
    assert tracker("check", "--config", cfg).code == 0  # baseline

    renumbered = _with_chapter_9_inserted()
    site.page("/doc", cloud_page(renumbered))
    run = tracker("check", "--config", cfg, "--json")
    src = run.source(SID)
    assert src["status"] == "changed"
    assert src["alerts"] == []  # moved, words unchanged: nothing to watch yet
    assert src["following"] == [{"watch": "fee-notice", "clause": "9.1", "now": "10.1"}]
    notice = "watch fee-notice follows 10.1 (was 9.1); update the configuration"

    human = tracker("check", "--config", cfg)  # every run says so, unchanged ones too
    assert human.code == 0 and f"! {SID}: {notice}" in human.out
    status = tracker("status", "--config", cfg)
    assert f"! {SID}: {notice}" in status.out

    edited = change_clause(renumbered, "10.1 本协议与", "10.1 本协议及")
    site.page("/doc", cloud_page(edited))
    src = tracker("check", "--config", cfg, "--json").source(SID)
    [change] = src["changes"]
    assert change["clause"] == "10.1" and change["watches"] == ["fee-notice"]
    assert change["severity"] == "critical"

    # The clause now numbered 9.1 is another clause: the watch does not move to it.
    edited = change_clause(edited, "9.1 开发者应当", "9.1 开发者必须")
    site.page("/doc", cloud_page(edited))
    src = tracker("check", "--config", cfg, "--json").source(SID)
    [change] = src["changes"]
    assert change["clause"] == "9.1" and change["watches"] == [] and change["severity"] == "info"

    cfg = served("10.1")  # the configuration catches up: no more notice
    run = tracker("check", "--config", cfg, "--json")
    assert run.source(SID)["following"] == []
    assert notice not in tracker("status", "--config", cfg).out
    site.page("/doc", cloud_page(change_clause(edited, "10.1 本协议及", "10.1 本协议以及")))
    [change] = tracker("check", "--config", cfg, "--json").source(SID)["changes"]
    assert change["clause"] == "10.1" and change["watches"] == ["fee-notice"]


def test_a_watch_on_a_removed_clause_says_so(site, served, tracker):
    cfg = served("9.6")
    tracker("check", "--config", cfg)
    kept = [line for line in AGREEMENT.splitlines() if not line.startswith("9.6")]
    site.page("/doc", cloud_page("\n".join(kept)))
    src = tracker("check", "--config", cfg, "--json").source(SID)
    assert [c["watches"] for c in src["changes"]] == [["fee-notice"]]  # the removal fires it
    assert src["following"] == [{"watch": "fee-notice", "clause": "9.6", "now": None}]
    assert (
        "clause 9.6 was removed; update the configuration" in tracker("check", "--config", cfg).out
    )


def test_a_clause_added_with_an_amount_is_a_warning_and_fires_fees():
    new = AGREEMENT.replace(
        "3.4 使用规则", "3.3.8 每个应用每月可免费调用1000次，超出部分每次0.01元。\n3.4 使用规则"
    )
    changes, alerts = assess(diff(AGREEMENT, new), "another-agreement", DEFAULT.watches)
    [added] = changes
    assert (added.kind, added.clause) == ("added", "3.3.8")
    assert [(f.old, f.new) for f in added.facts] == [(None, "1000次"), (None, "0.01元")]
    assert added.severity == "warning" and added.watches == ("fees",)
    assert [a.watch for a in alerts] == ["fees"]


def test_a_clause_removed_with_a_duration_is_a_warning():
    old = "1.1 腾讯将保留您的数据15天。\n1.2 其他条款。\n"
    [removed], _ = assess(diff(old, "1.2 其他条款。\n"), "x", DEFAULT.watches)
    assert (removed.kind, removed.severity, removed.watches) == ("removed", "warning", ())
    assert [(f.old, f.new) for f in removed.facts] == [("15天", None)]


def test_an_added_clause_without_figures_stays_info():
    new = AGREEMENT.replace("3.4 使用规则", "3.3.8 开发者应遵守接口调用规范。\n3.4 使用规则")
    [added], _ = assess(diff(AGREEMENT, new), "another-agreement", DEFAULT.watches)
    assert (added.severity, added.watches) == ("info", ())


@pytest.mark.parametrize(
    ("old", "new", "fires"),
    [
        ("1.1 腾讯将收取服务费。", "1.1 腾讯将按月收取服务费。", True),
        ("1.1 本服务的资费标准另行公布。", "1.1 本服务的资费标准在官网公布。", True),
        ("1.1 价格以订单页面为准。", "1.1 价格以订单页面所示为准。", True),
        ("1.1 逾期将产生滞纳金。", "1.1 逾期将依法产生滞纳金。", True),
        ("1.1 We charge a monthly fee.", "1.1 We charge an annual fee.", True),
        ("1.1 Fees are due monthly.", "1.1 Fees are due yearly.", True),
        ("1.1 Send us your feedback.", "1.1 Send us your comments and feedback.", False),
        ("1.1 您应当遵守法律。", "1.1 您必须遵守法律。", False),
    ],
)
def test_fee_keywords(old, new, fires):
    changes, _ = assess(diff(old, new), "another-agreement", DEFAULT.watches)
    assert ("fees" in changes[0].watches) is fires


CLOUD = "https://cloud.tencent.com/document/product/301/1967"


def test_a_retargeted_reference_is_a_warning_change(site, served, tracker):
    cfg = served()
    tracker("check", "--config", cfg)
    site.page(
        "/doc",
        cloud_page(AGREEMENT.replace(CLOUD, "https://cloud.tencent.com/document/product/301/2")),
    )
    run = tracker("check", "--config", cfg, "--json")
    assert run.code == 1
    [change] = run.source(SID)["changes"]
    assert (change["aspect"], change["severity"]) == ("reference", "warning")
    assert change["references"] == [
        {
            "text": "腾讯云服务协议",
            "old": CLOUD,
            "new": "https://cloud.tencent.com/document/product/301/2",
        }
    ]
    human = tracker("check", "--config", cfg)  # now unchanged; the report above said it
    assert human.code == 0


def test_link_noise_never_alerts(site, served, tracker):
    cfg = served()
    tracker("check", "--config", cfg)
    noisy = AGREEMENT.replace(
        CLOUD, "http://www.cloud.tencent.com/document/product/301/1967/?utm_source=doc"
    )
    site.page("/doc", cloud_page(noisy))
    run = tracker("check", "--config", cfg, "--json")
    assert run.code == 0 and run.source(SID)["status"] == "unchanged"


def test_a_reference_linked_around_unchanged_words_is_kept_quietly_then_compared(
    site, served, tracker
):
    """Kept, so that when the new link later moves, it is compared with the link served."""
    text = "## 1. 总则\n1.1 您应遵守《腾讯云服务协议》的全部条款，以及腾讯不时发布的规则。\n" * 1
    text += "\n".join(f"1.{n} 第{n}条的内容，足够长的一段文字。" for n in range(2, 30)) + "\n"
    site.page("/doc", cloud_page(text))
    cfg = served()
    tracker("check", "--config", cfg)
    state = cfg.parent / "snapshots"
    linked = text.replace("《腾讯云服务协议》", "《[腾讯云服务协议](https://a.cn/1)》")
    site.page("/doc", cloud_page(linked))
    run = tracker("check", "--config", cfg, "--json")
    assert run.code == 0 and run.source(SID)["status"] == "unchanged"
    assert len(versions(state, SID)) == 2  # recorded...
    assert not (state / "outbox").exists()  # ...and never alerted
    site.page("/doc", cloud_page(linked.replace("a.cn/1", "a.cn/2")))
    run = tracker("check", "--config", cfg, "--json")
    assert run.code == 1 and run.source(SID)["changes"][0]["aspect"] == "reference"


VENUE = """
[[watch]]
name = "venue"
sources = ["meeting-api-agreement"]
clauses = ["9.2"]
severity = "critical"
"""


def test_check_and_diff_make_one_decision_about_a_followed_watch(site, tmp_path, tracker):
    """The house issue's reproduction: a new chapter 9 moves 9.2 to 10.2 (the watch follows
    it), then 10.2's place of signing changes.  check, diff FROM TO and diff VERSION agree."""
    site.page("/doc", cloud_page())
    cfg = write_config(tmp_path, [doc_source(site.url("/doc"), sid=SID)], extra=VENUE)
    assert tracker("check", "--config", cfg).code == 0
    inserted = _with_chapter_9_inserted()
    site.page("/doc", cloud_page(inserted))
    assert tracker("check", "--config", cfg).code == 1
    site.page("/doc", cloud_page(change_clause(inserted, "深圳市南山区", "北京市海淀区")))
    checked = tracker("check", "--config", cfg, "--json").source(SID)
    [change] = checked["changes"]
    assert (change["clause"], change["severity"], change["watches"]) == (
        "10.2",
        "critical",
        ["venue"],
    )
    older, newer = versions(tmp_path / "snapshots", SID)[-2:]

    between = tracker("diff", SID, older, newer, "--config", cfg, "--json")
    assert between.code == 0, between.err
    assert between.json["changes"] == checked["changes"]
    assert (
        between.json["alerts"]
        == checked["alerts"]
        == [{"watch": "venue", "severity": "critical", "clauses": ["10.2"]}]
    )
    alerted = tracker("diff", SID, newer, "--config", cfg, "--json").json
    assert alerted["alerted"] and alerted["changes"] == checked["changes"]
    human = tracker("diff", SID, older, newer, "--config", cfg).out
    assert "10.2  modified  · 10. 其他 › 10.2  · critical (venue)" in human


def test_a_followed_renumbering_is_said_in_its_own_alert_and_not_in_every_later_one(
    site, served, tracker, tmp_path
):
    hook = Sink(site, "/hook")
    cfg = served("9.1")
    cfg.write_text(cfg.read_text() + f'\n[[notify]]\nkind = "webhook"\nurl = "{hook.url}"\n')
    tracker("check", "--config", cfg)
    renumbered = _with_chapter_9_inserted()
    site.page("/doc", cloud_page(renumbered))
    assert tracker("check", "--config", cfg).code == 1
    [said] = hook.bodies
    assert said["following"] == [{"watch": "fee-notice", "clause": "9.1", "now": "10.1"}]
    [run] = said["changes"][1:]  # the old chapter 9, now 10: said once, as a renumbering
    assert (run["kind"], run["clause"], run["old_clause"]) == ("moved", "10", "9")

    site.page("/doc", cloud_page(change_clause(renumbered, "2.7 尽管", "2.7 虽然")))
    human = tracker("check", "--config", cfg)
    assert human.code == 1 and human.out.count("watch fee-notice follows 10.1") == 1
    later = hook.bodies[-1]
    assert later["following"] == []  # said in its own alert; the run's summary keeps it
