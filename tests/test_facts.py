"""Facts as a lawyer reads them: each figure one typed value, in the page's wording after NFKC."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.pages import AGREEMENT, SHARED
from tracker.compare.changes import diff
from tracker.compare.dates import Day
from tracker.compare.facts import Kind, fact_changes, figures
from tracker.compare.numerals import number
from tracker.model import Fact
from tracker.text.markdown import from_markdown

D = Decimal
# text → the figures in it: (wording, kind, unit, value)
READ = [
    ("每年1月31日前", [("1月31日", Kind.DATE, "date", Day(None, 1, 31))]),
    ("自2027年1月1日起生效", [("2027年1月1日", Kind.DATE, "date", Day(2027, 1, 1))]),
    ("自二〇二七年一月一日起", [("二〇二七年一月一日", Kind.DATE, "date", Day(2027, 1, 1))]),
    ("effective 2024-06-24.", [("2024-06-24", Kind.DATE, "date", Day(2024, 6, 24))]),
    ("Stand: 02.09.2025", [("02.09.2025", Kind.DATE, "date", Day(2025, 9, 2))]),
    ("Updated 09/02/2025", [("09/02/2025", Kind.DATE, "date", Day(2025, 2, 9))]),
    ("on 25 November 2026", [("25 November 2026", Kind.DATE, "date", Day(2026, 11, 25))]),
    ("on November 25, 2026", [("November 25, 2026", Kind.DATE, "date", Day(2026, 11, 25))]),
    ("每月15日前付款", [("每月15日", Kind.DATE, "date", Day(None, None, 15))]),
    ("2019年度报告", [("2019年度", Kind.DATE, "date", Day(2019, None, None))]),
    ("每天加收３‰", [("3‰", Kind.SHARE, "rate", D("0.003"))]),
    ("按万分之五计", [("万分之五", Kind.SHARE, "rate", D("0.0005"))]),
    ("上浮百分之十", [("百分之十", Kind.SHARE, "rate", D("0.1"))]),
    ("a 1.5% fee", [("1.5%", Kind.SHARE, "rate", D("0.015"))]),
    ("赔偿3倍", [("3倍", Kind.SHARE, "times", D(3))]),
    ("费用为100元", [("100元", Kind.AMOUNT, "CNY", D(100))]),
    ("人民币5万元", [("人民币5万元", Kind.AMOUNT, "CNY", D(50_000))]),
    ("100元人民币", [("100元人民币", Kind.AMOUNT, "CNY", D(100))]),
    ("罚款五千元", [("五千元", Kind.AMOUNT, "CNY", D(5000))]),
    ("￥0.01/次", [("¥0.01", Kind.AMOUNT, "CNY", D("0.01"))]),
    ("a fee of US$1,000", [("US$1,000", Kind.AMOUNT, "USD", D(1000))]),
    ("pay 10 USD", [("10 USD", Kind.AMOUNT, "USD", D(10))]),
    ("提前10个自然日", [("10个自然日", Kind.DURATION, "natural day", D(10))]),
    ("十五个工作日内", [("十五个工作日", Kind.DURATION, "working day", D(15))]),
    ("三十日内", [("三十日", Kind.DURATION, "day", D(30))]),
    ("15 天内", [("15 天", Kind.DURATION, "day", D(15))]),
    ("两个月", [("两个月", Kind.DURATION, "month", D(2))]),
    ("24小时内", [("24小时", Kind.DURATION, "hour", D(24))]),
    ("保留2周", [("2周", Kind.DURATION, "week", D(2))]),
    ("一年内", [("一年", Kind.DURATION, "year", D(1))]),
    ("within thirty (30) days", [("thirty (30) days", Kind.DURATION, "day", D(30))]),
    ("ten business days", [("ten business days", Kind.DURATION, "working day", D(10))]),
    ("30-day notice", [("30-day", Kind.DURATION, "day", D(30))]),
    ("年满18周岁", [("18周岁", Kind.QUANTITY, "age", D(18))]),
    ("at least 18 years of age", [("18 years of age", Kind.QUANTITY, "age", D(18))]),
    ("eighteen (18) years old", [("eighteen (18) years old", Kind.QUANTITY, "age", D(18))]),
    ("kept for 18 years", [("18 years", Kind.DURATION, "year", D(18))]),
    # A numeral inside a word, or a number that is none, is no figure.
    ("上一年度的费用", []),
    ("同一天内", []),
    ("第三日", []),
    ("第3款", []),
    ("次月15日", []),
    ("万一日后发生", []),
    ("统一、一致、一次性", []),
    ("version 2024.13.45", []),
    ("2025年2月30日", []),
    ("3个", []),
]


@pytest.mark.parametrize(("text", "expected"), READ, ids=[t for t, _ in READ])
def test_figures_are_read_as_one_typed_value(text, expected):
    got = [(f.wording, f.kind, f.unit, f.value) for f in figures(text)]
    assert got == expected


# old, new → the facts that changed
CHANGED = [
    ("每年1月31日前", "每年2月28日前", [("1月31日", "2月28日", "date")]),
    ("提前10个自然日", "提前10个工作日", [("10个自然日", "10个工作日", "duration")]),
    ("提前10个自然日", "提前3个自然日", [("10个自然日", "3个自然日", "duration")]),
    ("违约金３‰", "违约金5‰", [("3‰", "5‰", "share")]),
    ("收费100元", "收费人民币120元", [("100元", "人民币120元", "amount")]),
    ("十五个工作日内", "三十日内", [("十五个工作日", "三十日", "duration")]),
    (
        "2027年1月1日起，30日内",
        "2027年3月1日起，30日内",
        [("2027年1月1日", "2027年3月1日", "date")],
    ),
    ("保留30天", "保留30天，并收取5元", [(None, "5元", "amount")]),
    ("收取5元", "免费", [("5元", None, "amount")]),
    # The same value, however written, is no change of fact.
    ("违约金３‰", "违约金3‰", []),
    ("违约金3‰", "违约金千分之三", []),
    ("按万分之五", "按0.05%", []),
    ("十日内", "10天内", []),
    ("2024-06-24起", "2024年6月24日起", []),
    ("三十日内", "30日内", []),
    ("上一年度", "下一年度", []),
]


@pytest.mark.parametrize(
    ("old", "new", "expected"), CHANGED, ids=[f"{o}→{n}" for o, n, _ in CHANGED]
)
def test_facts_that_changed_are_paired_by_what_they_measure(old, new, expected):
    got = [(f.old, f.new, f.kind) for f in fact_changes(old, new)]
    assert got == expected


@pytest.mark.parametrize(
    ("text", "value"),
    [("三十", 30), ("十五", 15), ("两", 2), ("一百零五", 105), ("两万", 20_000), ("二〇二七", 2027),
     ("1,000.50", D("1000.50")), ("2,5", D("2.5")), ("1.5万", 15_000), ("ninety-nine", 99),
     ("万一", None), ("十十", None), ("二三", None)],
)  # fmt: skip
def test_numbers_in_every_spelling(text, value):
    assert number(text) == (None if value is None else D(value))


def test_a_changed_date_in_a_clause_is_one_fact():
    old = "## 4. 付款\n4.1 您应于每年1月31日前付清上一年度的费用。\n"
    new = "## 4. 付款\n4.1 您应于每年3月31日前付清上一年度的费用。\n"
    [change] = diff(old, new)
    assert change.clause == "4.1" and change.facts == (Fact("1月31日", "3月31日", "date"),)


TENCENT_CLOUD_2019 = SHARED / "corpus" / "tencent-cloud-intl-2019"


@pytest.mark.corpus
@pytest.mark.skipif(not TENCENT_CLOUD_2019.is_dir(), reason="../shared/corpus is absent")
def test_the_late_fee_reads_the_same_in_the_chinese_and_english_agreements():
    """Clause 4.4 of the real 2019 《腾讯云服务协议》 writes ``３‰`` with a full-width digit."""

    def clause(lang: str) -> str:
        [path] = TENCENT_CLOUD_2019.glob(f"*_{lang}__intl.md")
        lines = path.read_text("utf-8").splitlines()
        return next(line for line in lines if line.lstrip("*").startswith("4.4"))

    chinese, english = figures(clause("Chinese")), figures(clause("English"))
    assert [f.wording for f in chinese] == ["3‰", "15天"]
    assert [f.wording for f in english] == ["3‰", "15 days"]
    assert [f.key for f in chinese] == [f.key for f in english]  # the same late fee, the same days


def test_the_skipping_search_finds_every_figure_the_full_one_does():
    """figures() searches with a lookahead of the characters a figure can begin with;
    it must find exactly what trying every form at every character finds."""
    import re

    from tracker.compare import facts

    corpus = SHARED / "corpus"
    found = sorted(corpus.rglob("*.md"))[:24] if corpus.is_dir() else []
    texts = [from_markdown(p.read_text("utf-8", errors="replace"))[:20_000] for p in found]
    texts += [AGREEMENT, "Fees rise to USD 30 on March 5, 2025; thirty (30) days' notice."]
    full = re.compile(facts.ALTERNATIVES, re.I)
    skipping = [facts.figures(t) for t in texts]
    original, facts._FACT = facts._FACT, full
    try:
        assert [facts.figures(t) for t in texts] == skipping
    finally:
        facts._FACT = original
    assert sum(map(len, skipping)) > 20
