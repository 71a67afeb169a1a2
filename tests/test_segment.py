"""The segmenter pinned down by data: (text, expected clause ids), on synthetic and real texts."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.pages import AGREEMENT, SHARED
from tracker.compare.segment import cn_number, segment
from tracker.text.markdown import from_markdown

CASES = [
    ("preamble", "欢迎使用。\n请阅读。\n1.1 第一条", [None, None, "1.1"]),
    ("markdown-chapters", "## 1. 术语\n1.1 甲\n## 2. 提示\n2.7 乙", ["1", "1.1", "2", "2.7"]),
    (
        "article-chapters",
        "### 第一条 通则\n1.1 甲\n### 第十二条 附则\n12.1 乙",
        ["第一条", "1.1", "第十二条", "12.1"],
    ),
    ("cn-enumeration", "一、总则\n1.1 甲\n二、附则", ["1", "1.1", "2"]),
    ("deep-dotted", "3.4.1 您不得：\n3.4.1.2 细则", ["3.4.1", "3.4.1.2"]),
    ("no-space-after-number", "3.2.1您应具备资质。", ["3.2.1"]),
    ("fullwidth-parens", "3.4.1 不得：\n（1）反对\n（7）散布", ["3.4.1", "3.4.1(1)", "3.4.1(7)"]),
    ("ascii-parens", "3.4.1 不得：\n(1) a\n(2) b", ["3.4.1", "3.4.1(1)", "3.4.1(2)"]),
    (
        "circled-nested",
        "5.1 如下：\n（1）甲\n①子一\n②子二\n（2）乙",
        ["5.1", "5.1(1)", "5.1(1)①", "5.1(1)②", "5.1(2)"],
    ),
    ("letters", "1.2 You must not:\n(a) copy\n(b) sell", ["1.2", "1.2(a)", "1.2(b)"]),
    ("letter-dot", "6 Enforcement\na. Issue a warning.\nb. Suspend.", ["6", "6(a)", "6(b)"]),
    ("bold-number", "**3.5 关于用户数据的规则**\n3.5.1 要求", ["3.5", "3.5.1"]),
    ("underlined-bold-number", "<u>**2.2 您若使用QQ号码注册的。**</u>", ["2.2"]),
    (
        "continuation-paragraph",
        "3.1.3 若您发现帐号被盗用，应立即通知腾讯。\n若您提供的资料存在瑕疵，损失由您承担。\n3.1.4 您应遵守规则。",
        ["3.1.3", "3.1.4"],
    ),
    (
        "item-one-inside-clause",
        "5 Rules\n5.1 You agree that:\n1. you will comply with the long list of obligations here;\n2. you will not misuse.",
        ["5", "5.1", "5.1(1)", "5.1(2)"],
    ),
    (
        "section-word",
        "Section 5. Termination\nSection 5.1 Either party may terminate.",
        ["5", "5.1"],
    ),
    (
        "heading-paragraphs-carry-its-id",
        "## 2. 重要提示\n腾讯、开发者均同意和理解：\n2.1 甲",
        ["2", "2", "2.1"],
    ),
    (
        "unnumbered-headings",
        "**Introduction**\nWelcome.\nPlease read.\n**Termination**\nWe may end it.",
        [None] * 5,
    ),
    ("dates-are-not-numbers", "## 1. 生效\n2019年4月19日起生效。", ["1", "1"]),
    ("decimal-amounts-are-not-clauses", "7.1 费用如下：\n0.5元/分钟", ["7.1"]),
]


@pytest.mark.parametrize(("text", "ids"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_segment_ids(text, ids):
    assert [c.id for c in segment(text)] == ids


def test_heading_paths():
    clauses = {c.id: c for c in segment(AGREEMENT)}
    assert clauses["2.7"].path == ("2. 重要提示", "2.7")
    assert clauses["3.4.1(7)"].path == ("3. 开发者的权利和义务", "3.4 使用规则", "3.4.1(7)")
    assert clauses["3.5.1"].path[:2] == ("3. 开发者的权利和义务", "3.5 关于用户数据的规则")


def test_emphasis_is_part_of_the_clause():
    clauses = {c.id: c for c in segment(AGREEMENT)}
    assert clauses["3.3.6"].text.startswith("**3.3.6")
    assert clauses["3.5"].heading


def test_the_body_of_a_clause_leaves_out_its_number():
    a = segment("2.7 提前10个自然日")[0]
    b = segment("**3.7 提前10个自然日**")[0]
    assert a.body == "提前10个自然日"
    assert b.body == "**提前10个自然日**"


# The developer agreement: every clause, in order.
DEVELOPER_AGREEMENT_IDS = (
    [None] * 5
    + ["1", "1", "1.1", "1.2", "1.3", "1.4", "2", "2"]
    + [f"2.{n}" for n in range(1, 8)]
    + [
        "3",
        "3.1",
        "3.1.1",
        "3.1.2",
        "3.1.3",
        "3.1.4",
        "3.2",
        "3.2.1",
        "3.2.2",
        "3.3",
        "3.3.1",
        "3.3.2",
        "3.3.3",
    ]
    + [f"3.3.3({n})" for n in range(1, 6)]
    + ["3.3.4", "3.3.5", "3.3.6", "3.3.7", "3.4", "3.4.1"]
    + [f"3.4.1({n})" for n in range(1, 13)]
    + ["3.4.2"]
    + [f"3.4.2({n})" for n in range(1, 10)]
    + ["3.4.3"]
    + [f"3.4.3({n})" for n in range(1, 19)]
    + ["3.4.4", "3.4.5", "3.5", "3.5.1"]
    + [f"3.5.1({n})" for n in range(1, 8)]
    + [f"3.5.{n}" for n in range(2, 8)]
    + ["3.6", "3.6.1"]
    + [f"3.6.1({n})" for n in range(1, 7)]
    + ["3.6.2", "3.6.3"]
    + ["4", "4.1", "4.2"]
    + [f"4.2.{n}" for n in range(1, 7)]
    + [f"4.{n}" for n in range(3, 7)]
    + ["5"]
    + [f"5.{n}" for n in range(1, 6)]
    + ["5.5.1", "5.5.2", "5.5.3"]
    + ["6"]
    + [f"6.{n}" for n in range(1, 8)]
    + ["7"]
    + [f"7.{n}" for n in range(1, 5)]
    + ["8"]
    + [f"8.{n}" for n in range(1, 4)]
    + ["9"]
    + [f"9.{n}" for n in range(1, 7)]
)


def test_developer_agreement_clause_ids():
    assert [c.id for c in segment(AGREEMENT)] == DEVELOPER_AGREEMENT_IDS


def test_developer_agreement_continuations_stay_with_their_clause():
    clauses = {c.id: c for c in segment(AGREEMENT)}
    assert len(clauses["3.1.3"].lines) == 2  # "若您提供的资料存在瑕疵……"
    assert clauses["5.5.2"].lines[1] == "您通过非腾讯授权的方式使用本服务。"


CLOUD_2019 = SHARED / "corpus" / "tencent-cloud-intl-2019"


@pytest.mark.skipif(not CLOUD_2019.is_dir(), reason="../shared/corpus is absent")
def test_cloud_service_agreement_2019_chinese():
    text = from_markdown(next(CLOUD_2019.glob("*Chinese*.md")).read_text("utf-8"))
    clauses = segment(text)
    ids = [c.id for c in clauses]
    chapters = [i for i in ids if i and i.startswith("第")]
    assert chapters == [f"第{n}条" for n in "一二三四五六七八九十"]
    assert ids[:4] == [None] * 4  # the bold and underlined preamble
    assert ids[ids.index("2.6") : ids.index("2.6") + 5] == [
        "2.6",
        "2.6.1",
        "2.6.2",
        "2.6.3",
        "2.6.4",
    ]
    by_id = {c.id: c for c in clauses}
    assert by_id["1.1"].path == ("第一条 通则", "1.1")
    assert by_id["1.3"].text.startswith("**1.3")  # a bold limitation clause keeps its emphasis
    assert ids[-1] == "10.4"
    assert len(clauses) == 112


@pytest.mark.skipif(not CLOUD_2019.is_dir(), reason="../shared/corpus is absent")
def test_cloud_service_agreement_2019_english():
    text = from_markdown(next(CLOUD_2019.glob("*English*.md")).read_text("utf-8"))
    ids = [c.id for c in segment(text) if c.id]
    assert ids[:3] == ["1", "1.1", "1.2"] and ids[-1] == "10.4"
    assert [i for i in ids if "." not in i] == [str(n) for n in range(1, 11)]


OTA = SHARED / "corpus" / "open-terms-archive"


@pytest.mark.skipif(not OTA.is_dir(), reason="../shared/corpus is absent")
@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (
            "WeChat_Open_Platform/Developer_Terms",
            ["1", "1", "1.1", "1.2", "1.3", "1.3(1)", "1.3(2)", "1.3(3)", "1.4"],
        ),
        ("WeChat/Acceptable_Use_Policy", None),
        ("Tencent/Terms_of_Service", None),
    ],
)
def test_open_terms_archive_english(document, expected):
    latest = sorted((OTA / document).glob("*.md"))[-1]
    clauses = segment(from_markdown(latest.read_text("utf-8")))
    assert clauses and all(c.lines for c in clauses)
    if expected:
        assert [c.id for c in clauses if c.id][: len(expected)] == expected
    else:  # unnumbered terms: every paragraph is a unit under its heading
        assert all(c.path for c in clauses)
        assert len({c.path[0] for c in clauses}) > 3


@pytest.mark.parametrize(
    ("text", "n"),
    [("十二", 12), ("一百零五", 105), ("二十", 20), ("十", 10), ("7", 7), ("甲", None)],
)
def test_cn_number(text, n):
    assert cn_number(text) == n


def test_ignored_lines_are_not_clauses():
    import re

    clauses = segment("最近更新时间：2026\n1.1 甲", [re.compile("^最近更新时间")])
    assert [c.id for c in clauses] == ["1.1"]


def test_empty_text():
    assert segment("") == []
    assert segment("\n\n  \n") == []


def test_path_to_the_fixture_exists():
    assert Path(__file__).parent.joinpath("pages.py").is_file()
