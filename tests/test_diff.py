"""Clause-aware diff on the developer agreement: the issue's scenarios, and the parts of a change."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.pages import AGREEMENT, change_clause, renumber_from
from tracker.cli import load_config
from tracker.compare.changes import diff
from tracker.compare.facts import Fact, fact_changes
from tracker.compare.inline import inline_diff
from tracker.compare.segment import segment
from tracker.compare.severity import assess
from tracker.notify.text import change_heading

DEFAULT = load_config(cwd=Path("/nonexistent"))


def assessed(old: str, new: str, source: str = "meeting-api-agreement"):
    return assess(diff(old, new), source, DEFAULT.watches)


def test_fee_notice_days_changed():
    changes, alerts = assessed(AGREEMENT, AGREEMENT.replace("提前10个自然日", "提前3个自然日"))
    [c] = changes
    assert (c.clause, c.kind, c.aspect) == ("2.7", "modified", "wording")
    assert c.old.startswith("2.7 尽管") and "提前10个自然日" in c.old and "提前3个自然日" in c.new
    assert c.path == ("2. 重要提示", "2.7")
    assert c.facts == (Fact("10个自然日", "3个自然日"),)
    assert [(s.op, s.text) for s in c.spans if s.op != "equal"] == [
        ("delete", "10"),
        ("insert", "3"),
    ]
    assert c.severity == "critical" and "fee-notice" in c.watches
    fee = next(a for a in alerts if a.watch == "fee-notice")
    assert fee.to_json() == {"watch": "fee-notice", "severity": "critical", "clauses": ["2.7"]}


def test_inserted_clause_and_deleted_clause():
    new = AGREEMENT.replace(
        "3.4 使用规则", "3.3.8 您应遵守腾讯会议开放平台的接口调用频率限制。\n3.4 使用规则"
    )
    new = new.replace("5.5.3其他腾讯无法控制或合理预见的情形。\n", "")
    changes = diff(AGREEMENT, new)
    assert [(c.kind, c.clause) for c in changes] == [("added", "3.3.8"), ("removed", "5.5.3")]
    added, removed = changes
    assert added.new == "3.3.8 您应遵守腾讯会议开放平台的接口调用频率限制。" and added.old is None
    assert removed.old == "5.5.3其他腾讯无法控制或合理预见的情形。" and removed.new is None


NEW_CHAPTER = "## 3. 服务费用\n3.1 本服务的收费标准以腾讯会议官网公布为准。\n3.2 腾讯将通过站内信通知收费规则。\n"


def _with_new_chapter_3() -> str:
    shifted = renumber_from(AGREEMENT, 3)
    return shifted.replace("## 4. 开发者的权利和义务", NEW_CHAPTER + "## 4. 开发者的权利和义务")


def test_new_chapter_and_renumbering_give_one_added_chapter_and_one_renumbering():
    changes = diff(AGREEMENT, _with_new_chapter_3())
    assert changes[0].kind == "added" and changes[0].clause == "3" and changes[0].count == 3
    assert changes[0].new == NEW_CHAPTER.strip()
    [run] = changes[1:]  # chapters 4–10 renumbered from 3–9: one entry, said once
    assert run.kind == "moved" and run.old is None and run.new is None
    assert (run.clause, run.through, run.old_clause, run.old_through) == ("4", "10", "3", "9")
    renumbered = [c for c in segment(AGREEMENT) if c.key and c.key[0] >= 3]
    assert run.count == len(renumbered) == len(run.members)  # every clause, in its members
    assert run.members[:3] == ("4", "4.1", "4.1.1") and run.members[-1] == "10.6"
    assert ("9.2", "10.2") in run.moves  # a watch on 9.2 follows it to 10.2
    assert change_heading(run).startswith(
        "chapters 4–10 renumbered from 3–9, wording unchanged, 138 clauses · info"
    )


def test_a_renumbering_interrupted_by_an_edit_is_two_runs_and_the_edit():
    new = change_clause(_with_new_chapter_3(), "4.6.2 ", "4.6.2 此外，")  # the old 3.6.2
    heads = [change_heading(c).split(" · ")[0] for c in diff(AGREEMENT, new)]
    assert heads == [
        "3 added, 3 clauses",
        "4 moved (was 3), 91 clauses",  # the edit's own chapter, around it
        "4.6.2 modified (was 3.6.2)",
        "chapters 5–10 renumbered from 4–9, wording unchanged, 46 clauses",
    ]


def test_renumbered_and_reworded_clause_is_one_modified_pair():
    new = renumber_from(AGREEMENT, 8, by=2)  # chapters 8 and 9 become 10 and 11
    new = new.replace(
        "## 10. 知识产权",
        "## 8. 新增一\n8.1 新条款甲。\n## 9. 新增二\n9.1 新条款乙。\n## 10. 知识产权",
    )
    new = new.replace("11.3 本协议的成立", "11.3 本协议之成立")
    changes = diff(AGREEMENT, new)
    modified = [c for c in changes if c.kind == "modified"]
    assert [(c.old_clause, c.clause) for c in modified] == [("9.3", "11.3")]
    assert not any(c.kind == "removed" for c in changes)
    assert {c.kind for c in changes} == {"added", "moved", "modified"}


def test_emphasis_only_change_is_reported_as_such():
    new = AGREEMENT.replace(
        "2.7 尽管目前您使用本服务可能不需要付费", "**2.7 尽管目前您使用本服务可能不需要付费**"
    )
    [c] = diff(AGREEMENT, new)
    assert (c.clause, c.kind, c.aspect) == ("2.7", "modified", "emphasis")
    assert c.facts == ()


def test_underline_only_change_is_emphasis():
    new = AGREEMENT.replace(
        "4.3 尽管腾讯对您的信息保护做了极大的努力",
        "<u>4.3 尽管腾讯对您的信息保护做了极大的努力</u>",
    )
    [c] = diff(AGREEMENT, new)
    assert (c.clause, c.aspect) == ("4.3", "emphasis")


CLOUD = "https://cloud.tencent.com/document/product/301/1967"


def test_retargeted_agreement_link_is_a_reference_change_at_warning():
    new = AGREEMENT.replace(CLOUD, "https://cloud.tencent.com/document/product/301/9999")
    [c], _ = assessed(AGREEMENT, new)
    assert (c.clause, c.kind, c.aspect) == (None, "modified", "reference")
    assert c.path == ("preamble",)
    assert [r.to_json() for r in c.references] == [
        {
            "text": "腾讯云服务协议",
            "old": CLOUD,
            "new": "https://cloud.tencent.com/document/product/301/9999",
        }
    ]
    assert c.severity == "warning"
    assert all(s.op == "equal" for s in c.spans)  # not a word changed


@pytest.mark.parametrize(
    "spelling",
    [
        "http://cloud.tencent.com/document/product/301/1967",
        "https://www.cloud.tencent.com/document/product/301/1967/",
        "https://cloud.tencent.com:443/document/product/301/1967#section-2",
        "https://cloud.tencent.com/document/product/301/1967?utm_source=mail&from=timeline",
        "https://CLOUD.tencent.com/document//product/301/1967",
    ],
)
def test_the_same_document_spelled_differently_is_no_change(spelling):
    assert diff(AGREEMENT, AGREEMENT.replace(CLOUD, spelling)) == []


def test_a_link_that_names_no_document_may_move_freely():
    old = "3.1 如有疑问，请[点击这里](https://a.cn/help/1)联系我们。\n"
    assert diff(old, old.replace("help/1", "support/contact?id=2")) == []


def test_a_link_added_around_or_removed_from_unchanged_words_is_no_change():
    plain = "1.1 您应遵守《腾讯云服务协议》。\n"
    linked = (
        "1.1 您应遵守《[腾讯云服务协议](https://cloud.tencent.com/document/product/301/1967)》。\n"
    )
    assert diff(plain, linked) == [] and diff(linked, plain) == []


def test_a_reference_retargeted_with_reworded_clause_is_one_change_of_both():
    old = "1.1 您应遵守《[腾讯云服务协议](https://a.cn/1)》。\n"
    new = "1.1 您必须遵守《[腾讯云服务协议](https://a.cn/2)》。\n"
    [c] = diff(old, new)
    assert (c.clause, c.aspect) == ("1.1", "wording+reference")
    assert [str(r) for r in c.references] == ["腾讯云服务协议: https://a.cn/1 → https://a.cn/2"]
    assert [(s.op, s.text) for s in c.spans if s.op != "equal"] == [
        ("delete", "应"),
        ("insert", "必须"),
    ]


def test_a_reference_whose_query_names_another_document_is_retargeted():
    old = "1.1 见[《微信软件许可及服务协议》](https://weixin.qq.com/cgi-bin/readtemplate?t=weixin_agreement&lang=zh_CN)。\n"
    new = old.replace("t=weixin_agreement", "t=weixin_privacy")
    [c] = diff(old, new)
    assert c.aspect == "reference"
    assert diff(old, old.replace("lang=zh_CN", "lang=en")) == []  # a language, not a document


def test_whitespace_only_differences_are_no_change():
    assert diff(AGREEMENT, AGREEMENT.replace("2.7 ", "2.7\u3000").replace("，", "，\u00a0")) == []


def test_reordered_clauses_are_moved():
    a = "## 1. 甲\n1.1 第一句。\n1.2 第二句。\n"
    b = "## 1. 甲\n1.1 第二句。\n1.2 第一句。\n"
    changes = diff(a, b)
    assert {c.kind for c in changes} == {"moved"}


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("提前10个自然日", "提前3个自然日", [("10个自然日", "3个自然日")]),
        ("违约金按每日3‰计算", "违约金按每日1‰计算", [("3‰", "1‰")]),
        ("应在15 天内付款", "应在30 天内付款", [("15 天", "30 天")]),
        ("自2024年1月1日起生效", "自2025年3月1日起生效", [("2024年1月1日", "2025年3月1日")]),
        ("费用为100元", "费用为120元", [("100元", "120元")]),
        ("within 30 days", "within 14 days", [("30 days", "14 days")]),
        ("a fee of US$100", "a fee of US$250", [("US$100", "US$250")]),
        ("上浮百分之十", "上浮百分之二十", [("百分之十", "百分之二十")]),
        ("提前１０个自然日", "提前10个自然日", []),  # the same figure in full-width digits
        ("无任何数字", "仍无数字", []),
        ("保留30天", "保留30天，并收取5元", [(None, "5元")]),
    ],
)
def test_facts(old, new, expected):
    assert [(f.old, f.new) for f in fact_changes(old, new)] == expected


def test_inline_diff_marks_only_what_changed():
    spans = inline_diff("9.1 本协议与《腾讯云服务协议》", "9.1 本协议及《腾讯云服务协议》")
    assert [(s.op, s.text) for s in spans] == [
        ("equal", "9.1 本协议"),
        ("delete", "与"),
        ("insert", "及"),
        ("equal", "《腾讯云服务协议》"),
    ]


def test_every_change_is_at_least_info_and_a_fact_change_at_least_warning():
    new = AGREEMENT.replace(
        "9.2 本协议签订地为中华人民共和国广东省深圳市南山区。",
        "9.2 本协议签订地为中华人民共和国北京市海淀区。",
    )
    new = new.replace("4.2.6 为防止", "4.2.6 为及时防止")
    changes, alerts = assess(diff(AGREEMENT, new), "other-source", DEFAULT.watches)
    assert [(c.clause, c.severity, c.watches) for c in changes] == [
        ("4.2.6", "info", ()),
        ("9.2", "info", ()),
    ]
    assert alerts == []
    changes, _ = assess(diff("1.1 保存30天。", "1.1 保存60天。"), "other-source", DEFAULT.watches)
    assert changes[0].severity == "warning"


def test_watch_on_a_clause_covers_its_subclauses_and_items():
    new = AGREEMENT.replace("（7）未经用户明确授权同意", "（7）未经用户明示授权同意")
    changes, alerts = assessed(AGREEMENT, new)
    assert changes[0].clause == "3.5.1(7)"
    assert [a.watch for a in alerts] == ["user-data"]


def test_watches_fire_on_keywords_and_respect_sources():
    new = AGREEMENT.replace("4.5 除了另行有约定外", "4.5 除了另行有书面约定外")  # 4.5 mentions 费用
    changes, alerts = assess(diff(AGREEMENT, new), "another-agreement", DEFAULT.watches)
    assert [a.watch for a in alerts] == [
        "fees"
    ]  # the clause watches are for the developer agreement only
    assert changes[0].severity == "warning"


def test_moves_fire_no_watch():
    changes, alerts = assessed(AGREEMENT, _with_new_chapter_3())
    assert all(c.watches == () for c in changes if c.kind == "moved")
    assert {a.watch for a in alerts} <= {"fees"}  # only the new fee chapter's keywords


# -- issue 18, item 2: moved text is one `moved` change, never silence ----------------------

UPDATED = "更新日期：2025年2月20日。\n版本：v3（历史版本见官网）。\n"


def _lines(text: str) -> list[str]:
    return text.rstrip("\n").split("\n")


@pytest.mark.parametrize(
    ("old", "new", "was", "now"),
    [
        (AGREEMENT.rstrip("\n") + "\n" + UPDATED, UPDATED + AGREEMENT, "9. 其他 › 9.6", "preamble"),
        (UPDATED + AGREEMENT, AGREEMENT.rstrip("\n") + "\n" + UPDATED, "preamble", "9. 其他 › 9.6"),
    ],
    ids=["end-to-top", "top-to-end"],
)
def test_a_block_that_moved_with_its_words_is_one_moved_change(old, new, was, now):
    changes, _ = assessed(old, new)
    [c] = changes
    assert (c.kind, c.clause, c.count, c.severity) == ("moved", None, 2, "info")
    assert c.words.startswith("更新日期：2025年2月20日。")
    from tracker.notify.text import change_heading

    heading = change_heading(c)
    assert heading.startswith("(unnumbered) moved, 2 paragraphs · “更新日期：2025年2月20日。")
    assert f"from {was} to {now} · info" in heading


def test_a_clause_that_moved_keeping_its_number_is_one_moved_change():
    lines = _lines(AGREEMENT)
    i = next(k for k, line in enumerate(lines) if line.startswith("9.5 "))
    moved = lines[i]
    rest = lines[:i] + lines[i + 1 :]
    j = next(k for k, line in enumerate(rest) if line.startswith("9.2 "))
    new = "\n".join([*rest[:j], moved, *rest[j:]]) + "\n"
    changes, _ = assessed(AGREEMENT, new)
    assert [(c.kind, c.clause, c.severity) for c in changes] == [("moved", "9.5", "info")]
