"""Extraction pinned down by data: (HTML inside the selected element, expected text)."""

from __future__ import annotations

import pytest

from tracker.errors import BlockedError, ExtractError, UnreadableError
from tracker.text.extract import extract
from tracker.text.markdown import from_markdown

BASE = "https://cloud.tencent.com/document/product/301/1967"

CASES = [
    ("paragraphs-are-lines", "<p>a</p><p>b</p>", "a\nb"),
    ("divs-are-lines", "<div>甲</div><div>乙<div>丙</div></div>", "甲\n乙\n丙"),
    ("br-breaks-a-line", "<p>第一行<br>第二行</p>", "第一行\n第二行"),
    ("inline-runs-join", "<p>腾讯<span>会议</span><a>API</a></p>", "腾讯会议API"),
    ("html-whitespace-collapses", "<p>  a \n\t b  </p>", "a b"),
    ("headings", "<h2>2. 重要提示</h2><h3>2.1 小节</h3>", "## 2. 重要提示\n### 2.1 小节"),
    ("bold", "<p><strong>2.7 收费</strong>条款</p>", "**2.7 收费**条款"),
    ("b-tag", "<p>前<b>粗</b>后</p>", "前**粗**后"),
    ("underline", "<p><u>免责</u></p>", "<u>免责</u>"),
    ("underline-and-bold", "<p><u><strong>限制</strong></u></p>", "<u>**限制**</u>"),
    ("css-bold", '<p><span style="font-weight: bold">粗</span></p>', "**粗**"),
    ("css-700", '<p><span style="font-weight:700">粗</span>细</p>', "**粗**细"),
    ("css-underline", '<p><span style="text-decoration: underline">线</span></p>', "<u>线</u>"),
    ("adjacent-bold-merges", "<p><b>一</b><strong>二</strong></p>", "**一二**"),
    ("bold-across-blocks", "<strong><p>块一</p><p>块二</p></strong>", "**块一**\n**块二**"),
    ("space-stays-outside-bold", "<p>a<b> b </b>c</p>", "a **b** c"),
    ("italic", "<p><em>见</em>附件</p>", "*见*附件"),
    (
        "absolute-link",
        '<p><a href="/document/product/301/2">协议</a></p>',
        "[协议](https://cloud.tencent.com/document/product/301/2)",
    ),
    (
        "bold-link",
        '<p><b><a href="https://x.cn/a">腾讯云服务协议</a></b></p>',
        "**[腾讯云服务协议](https://x.cn/a)**",
    ),
    ("anchor-link-is-text", '<p><a href="#top">返回</a></p>', "返回"),
    ("javascript-link-is-text", '<p><a href="javascript:void(0)">展开</a></p>', "展开"),
    ("ul", "<ul><li>一</li><li>二</li></ul>", "- 一\n- 二"),
    ("ol-numbers", "<ol><li>一</li><li>二</li></ol>", "1. 一\n2. 二"),
    ("ol-start", '<ol start="5"><li>五</li></ol>', "5. 五"),
    (
        "ol-with-own-numbers",
        "<ol><li>（1）甲</li><li>(2) 乙</li><li>③ 丙</li></ol>",
        "（1）甲\n(2) 乙\n③ 丙",
    ),
    (
        "table-rows",
        "<table><tr><th>项目</th><th>费用</th></tr><tr><td>A</td><td>10元</td></tr></table>",
        "项目 | 费用\nA | 10元",
    ),
    (
        "scripts-and-styles-dropped",
        "<p>a</p><script>var t='x'</script><style>p{}</style><p>b</p>",
        "a\nb",
    ),
    (
        "hidden-dropped",
        '<p>a</p><p style="display:none">x</p><p hidden>y</p><p aria-hidden="true">z</p>',
        "a",
    ),
    ("comments-dropped", "<p>a<!-- token 123 --></p>", "a"),
    ("buttons-and-inputs-dropped", "<p>a<button>复制</button><input value='v'></p>", "a"),
    ("nbsp-is-kept-in-stored-text", "<p>a&nbsp;b</p>", "a\u00a0b"),
    ("pre-keeps-lines", "<pre>line 1\n  line 2</pre>", "line 1\nline 2"),
    ("empty-paragraphs-vanish", "<p></p><p> </p><p>x</p><p><br></p>", "x"),
    # Parsed as a browser parses: what an unclosed element leaves open stays inside it,
    # and the page's footer stays outside the selected element.
    ("unclosed-div-in-list-item", "<ul><li>甲<div>乙</li></ul>", "- 甲\n乙"),
    ("table-foster-parenting", "<table><tr><td>甲</td></tr><p>乙</p></table>", "乙\n甲"),
    ("stray-end-tags", "<p>a</p></p></span><p>b</p>", "a\nb"),
    # Cloudflare's e-mail obfuscation, decoded as its script does in a browser.
    (
        "cloudflare-email-text",
        '<p>Write to <a href="/cdn-cgi/l/email-protection" class="__cf_email__" '
        'data-cfemail="5a363f3d3b361a3f223b372a363f74393537">[email&#160;protected]</a>.</p>',
        "Write to legal@example.com.",
    ),
    (
        "cloudflare-email-link",
        '<p><a href="/cdn-cgi/l/email-protection#5a363f3d3b361a3f223b372a363f74393537">'
        "mail us</a></p>",
        "[mail us](mailto:legal@example.com)",
    ),
    (
        "link-target-with-parentheses",
        '<p><a href="https://x.cn/wiki/A_(b) c">A</a></p>',
        "[A](https://x.cn/wiki/A_%28b%29%20c)",
    ),
]


@pytest.mark.parametrize(("html", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_extract(html, expected):
    page = (
        f"<html><body><nav>导航</nav><div id='doc'>{html}</div><footer>©2026</footer></body></html>"
    )
    assert extract(page, ("#doc",), (), BASE, min_length=0) == expected + "\n"


def test_selectors_are_tried_in_order_and_remove_applies():
    page = "<div class='old'><p>旧版正文</p><div class='doc-share'>分享</div></div>"
    assert (
        extract(page, ("#docArticleContent", ".old"), (".doc-share",), min_length=0) == "旧版正文\n"
    )


def test_selector_matching_nothing_is_an_error_naming_the_selectors():
    with pytest.raises(
        ExtractError, match=r"'#docArticleContent', '\.J-mainDetail'.*matched nothing"
    ):
        extract("<div id='other'>x</div>", ("#docArticleContent", ".J-mainDetail"))


def test_empty_body_is_no_agreement_text():
    with pytest.raises(ExtractError, match="JavaScript"):
        extract("<div id='app'></div><script>render()</script>", ("#app",))


@pytest.mark.parametrize(
    "page",
    [
        "<title>安全验证</title><body><p>请完成安全验证</p></body>",
        "<body><div class='x'>Just a moment... Checking your browser</div></body>",
        "<body><p>访问过于频繁，请稍后再试</p></body>",
        "<div id='doc'><p>请输入验证码以继续访问</p></div>",
    ],
)
def test_verification_pages_are_blocked_errors(page):
    with pytest.raises(BlockedError):
        extract(page, ("#doc",), min_length=100)


def test_an_agreement_that_mentions_verification_codes_is_not_blocked():
    clause = "<p>3.1 您应妥善保管短信验证码，腾讯不会以任何方式索取验证码。</p>" * 80
    text = extract(f"<div id='doc'>{clause}</div>", ("#doc",))
    assert text.count("验证码") == 160


MARKDOWN = [
    ("bold-block-over-lines", "**甲\n乙\n丙**", "**甲**\n**乙**\n**丙**"),
    ("heading", "## 1. 术语\n正文", "## 1. 术语\n正文"),
    ("blank-lines-dropped", "a\n\n\nb", "a\nb"),
    ("link", "见[协议](https://x.cn/a)。", "见[协议](https://x.cn/a)。"),
    ("bold-then-plain", "**2.4 效力。**账户", "**2.4 效力。**账户"),
    ("underlined-bold", "<u>**限制**</u>", "<u>**限制**</u>"),
    ("lone-bracket", "第[1]条", "第[1]条"),
]


@pytest.mark.parametrize(
    ("md", "expected"), [c[1:] for c in MARKDOWN], ids=[c[0] for c in MARKDOWN]
)
def test_from_markdown(md, expected):
    assert from_markdown(md) == expected + "\n"


def test_consecutive_ordered_lists_each_number_from_their_start():
    html = (
        "<div id='doc'><ol><li>甲</li><li>乙</li></ol><p>间</p>"
        "<ol><li>丙</li><li>丁</li></ol><ol start='5'><li>戊</li></ol></div>"
    )
    text = extract(html, ("#doc",), min_length=1)
    assert text.splitlines() == ["1. 甲", "2. 乙", "间", "1. 丙", "2. 丁", "5. 戊"]


def test_relative_and_absolute_links_extract_alike():
    base = "https://cloud.tencent.com/document/product/1095/42405"
    relative = "<div id='doc'><p>遵守《<a href='../301/1967'>腾讯云服务协议</a>》</p></div>"
    rooted = (
        "<div id='doc'><p>遵守《<a href='/document/product/301/1967'>腾讯云服务协议</a>》</p></div>"
    )
    absolute = (
        "<div id='doc'><p>遵守《<a href='https://cloud.tencent.com/document/product/301/1967'>"
        "腾讯云服务协议</a>》</p></div>"
    )
    texts = {
        extract(page, ("#doc",), base_url=base, min_length=1)
        for page in (relative, rooted, absolute)
    }
    assert texts == {
        "遵守《[腾讯云服务协议](https://cloud.tencent.com/document/product/301/1967)》\n"
    }


def test_deep_nesting_is_said_for_what_it_is():
    """libxml2 dropped the text of 50,000 nested <div>s and blamed JavaScript."""
    page = "<div id='doc'>" + "<div>" * 50_000 + "<p>1.1 正文。</p>" + "</div>" * 50_000 + "</div>"
    with pytest.raises(UnreadableError, match=r"nests its elements 50001 deep, past the 10000"):
        extract(page, ("#doc",), min_length=1)


def test_nesting_that_real_pages_have_reads_as_usual():
    page = (
        "<div id='doc'>"
        + "<div>" * 500
        + "<p>1.1 正文。</p>"
        + "</div>" * 500
        + "<li>x" * 20_000
        + "</div>"
    )
    assert extract(page, ("#doc",), min_length=1).startswith("1.1 正文。\n")


@pytest.mark.parametrize(
    "filler",
    [
        "<br>" * 20_000,  # void elements hold nothing
        "<img src=x.png>" * 20_000,
        "<p>段落" * 20_000,  # closed by the next one
        "<script>if (a<b && c<d) {}</script>" * 5_000,  # script text is not markup
        "<!-- <div> -->" * 20_000,
        "<span/>" * 20_000,  # self-closed
    ],
    ids=["br", "img", "p", "script", "comment", "self-closed"],
)
def test_elements_that_do_not_nest_are_not_counted_as_nesting(filler):
    page = "<div id='doc'><p>1.1 正文。</p>" + filler + "</div>"
    assert "1.1 正文。" in extract(page, ("#doc",), min_length=1)
