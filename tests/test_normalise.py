"""Comparison form pinned down by data: pairs that must compare equal, and pairs that must not."""

from __future__ import annotations

import re
import unicodedata

import pytest

from tracker.text.normalise import comparable, fold, ignored

SAME = [
    ("nbsp", "提前10个\u00a0自然日", "提前10个自然日"),
    ("ideographic-space", "2.7\u3000尽管", "2.7 尽管"),
    ("zero-width", "腾讯\u200b会议\ufeff", "腾讯会议"),
    ("soft-hyphen", "agree\u00adment", "agreement"),
    ("fullwidth-digits", "提前１０个自然日", "提前10个自然日"),
    ("fullwidth-latin", "ＡＰＩ", "API"),
    ("space-runs", "you  agree \t to", "you agree to"),
    ("blank-lines", "a\n\n\n  \nb", "a\nb"),
    ("indentation", "   a\n\tb  ", "a\nb"),
    ("cjk-latin-space", "腾讯会议 API 开发者", "腾讯会议API开发者"),
    ("cjk-cjk-space", "腾讯 会议 平台", "腾讯会议平台"),
    ("heading-level", "## 2. 重要提示", "### 2. 重要提示"),
    ("heading-vs-paragraph", "## 2. 重要提示", "2. 重要提示"),
    ("bullets", "- 一\n* 二", "一\n二"),
    ("crlf", "a\r\nb", "a\nb"),
    ("space-after-full-stop", "use WeChat. Any account", "use WeChat.Any account"),
    ("space-inside-parentheses", "( a )", "(a)"),
    ("space-beside-markup", "**bold** text", "**bold**text"),
    ("link-target", "[协议](https://a.cn/1)", "[协议](https://a.cn/2)"),
    (
        "link-added-around-words",
        "write to copyright@github.com.",
        "write to [copyright@github.com](mailto:copyright@github.com).",
    ),
    ("link-removed", "见[帮助文档](https://a.cn/help)。", "见帮助文档。"),
    ("link-with-brackets-in-words", "[[PDF]](https://a.cn/x.pdf)", "[PDF]"),
    ("bold-link", "**[腾讯云服务协议](https://a.cn/1)**", "**腾讯云服务协议**"),
]

DIFFERENT = [
    ("digit", "提前10个自然日", "提前3个自然日"),
    ("word", "腾讯有权", "腾讯无权"),
    ("latin-word-boundary", "you agree", "youagree"),
    ("bold", "**2.7 收费**", "2.7 收费"),
    ("underline", "<u>免责</u>", "免责"),
    ("link-words", "[协议](https://a.cn/1)", "[规则](https://a.cn/1)"),
    ("punctuation", "不得转让。", "不得转让；"),
    ("order", "a\nb", "b\na"),
]


@pytest.mark.parametrize(("a", "b"), [c[1:] for c in SAME], ids=[c[0] for c in SAME])
def test_same_wording(a, b):
    assert comparable(a) == comparable(b)


@pytest.mark.parametrize(("a", "b"), [c[1:] for c in DIFFERENT], ids=[c[0] for c in DIFFERENT])
def test_different_wording(a, b):
    assert comparable(a) != comparable(b)


def test_ignored_lines_do_not_count():
    patterns = [re.compile("^最近更新时间"), re.compile(r"阅读量[:：]\d+")]
    a = "最近更新时间：2026-01-01\n正文\n阅读量：12"
    b = "最近更新时间：2026-11-25\n正文\n阅读量：9999"
    assert comparable(a, patterns) == comparable(b, patterns) == "正文"


def test_ignore_patterns_match_the_line_as_shown_or_folded():
    assert ignored("最近更新时间：2026", [re.compile("^最近更新时间：")])
    assert ignored("最近更新时间:2026", [re.compile("^最近更新时间：")]) is False
    assert ignored("  最近更新时间：2026", [re.compile("^最近更新时间:")])


# The fast folding must give exactly what NFKC (then dropping zero-width characters) gives.
FOLDS = [
    ("chinese-punctuation", "（一）您同意：腾讯有权！？；"),
    ("fullwidth-then-combining", "Ａ\u0301 ｅ\u0301"),
    ("zero-width-between-base-and-mark", "e\u200d\u0301"),
    ("ligature", "\ufb01nal"),
    ("circled-digit", "\u2460 \u2461"),
    ("halfwidth-katakana", "ﾊﾟｰﾄ"),
    ("squared-unit", "\u337f \u3392"),
    ("vulgar-fraction", "\u00bd"),
    ("compatibility-ideograph", "\uf900"),
    ("nbsp-and-ideographic-space", "a\u00a0b\u3000c"),
    ("already-normal", "2.7 尽管目前您使用本服务可能不需要付费。"),
]


@pytest.mark.parametrize("text", [c[1] for c in FOLDS], ids=[c[0] for c in FOLDS])
def test_fold_is_exactly_nfkc_without_zero_width(text):
    expected = unicodedata.normalize("NFKC", text)
    for ch in "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e":
        expected = expected.replace(ch, "")
    assert fold(text) == expected
