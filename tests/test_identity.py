"""A page that is not the agreement is an error, not a change; `tracker accept` overrides.

End to end against a local site: an unrelated document page where a baseline
says the developer agreement belongs, soft 404s (status 200), a URL that now
serves another named document, and `tracker accept`.  The measures themselves
are pinned by data-driven cases.
"""

from __future__ import annotations

import re

import pytest

from tests.conftest import ROOT, Sink, doc_source, versions, write_config
from tests.pages import AGREEMENT, SHARED, change_clause, cloud_page
from tracker.compare.identity import (
    identify,
    not_a_document,
    overlap,
    same_document,
    short,
    surely_long,
)
from tracker.compare.segment import segment
from tracker.text.markdown import from_markdown
from tracker.text.normalise import comparable

BASELINE = ROOT / "tracker" / "data" / "meeting-api-agreement.md"
SID = "meeting-api-agreement"
NAME = "腾讯会议 API 开发者协议"

# An API reference page on the same site: the same container, plenty of numbered text.
API_PAGE = "\n".join(
    ["## 1. 简介", "1.1 腾讯会议 API 提供会议创建、查询、修改和取消等能力。"]
    + [
        f"1.{n} 接口 {n} 的请求参数为 JSON 对象，字段 meeting_id 表示会议的唯一标识。"
        for n in range(2, 40)
    ]
    + ["## 2. 错误码", "2.1 错误码 9000 表示参数错误，9001 表示鉴权失败。"]
)


@pytest.fixture
def hook(site):
    return Sink(site, "/hook")


def _config(site, tmp_path, hook, **source):
    extra = f'[[notify]]\nkind = "webhook"\nurl = "{hook.url}"\n'
    src = doc_source(site.url("/doc"), sid=SID, name=NAME, **source)
    return write_config(tmp_path, [src], {"failure_alert_after": 2}, extra=extra)


def test_an_unrelated_page_at_a_baseline_source_is_an_error_on_every_run(
    site, tmp_path, tracker, hook
):
    site.page("/doc", cloud_page(API_PAGE, title="API 概览"))
    cfg = _config(site, tmp_path, hook, baseline=str(BASELINE))
    state = tmp_path / "snapshots"
    for _ in range(4):
        result = tracker("check", "--config", cfg, "--json")
        src = result.source(SID)
        assert result.code == 3 and src["status"] == "error" and src["changes"] == []
        assert src["error"].startswith(
            f"the page at {site.url('/doc')} does not look like 《{NAME}》 ("
        )
        assert src["error"].endswith("clauses in common with the baseline); check the source's url")
        assert len(versions(state, SID)) == 1  # the baseline alone
    events = [body["event"] for body in hook.bodies]
    assert events == ["failing"]  # how the user learns the URL is wrong; never a change


def test_the_agreement_itself_at_a_baseline_source_is_compared_as_usual(
    site, tmp_path, tracker, hook
):
    site.page("/doc", cloud_page(change_clause(AGREEMENT, "提前10个自然日", "提前3个自然日")))
    cfg = _config(site, tmp_path, hook, baseline=str(BASELINE))
    src = tracker("check", "--config", cfg, "--json").source(SID)
    assert src["status"] == "changed" and [c["clause"] for c in src["changes"]] == ["2.7"]
    assert src["replaced"] is None


def test_a_rewrite_under_the_same_name_is_a_change_at_a_baseline_source(
    site, tmp_path, tracker, hook
):
    """Few clauses survive, but the page still names itself the agreement."""
    rewrite = f"《{NAME}》（以下简称“本协议”）自2027年1月1日起施行。\n" + "\n".join(
        f"{n}. 第{n}条的全新内容，与旧版本没有共同的句子，但仍是本协议的条款。"
        for n in range(1, 40)
    )
    site.page("/doc", cloud_page(rewrite))
    cfg = _config(site, tmp_path, hook, baseline=str(BASELINE))
    src = tracker("check", "--config", cfg, "--json").source(SID)
    assert src["status"] == "changed" and src["error"] is None


NOT_FOUND = (
    "<p>404</p><p>抱歉，您访问的页面不存在或已被删除，可能是链接已失效，或者文档已迁移到新的地址。</p>"
    "<p>您可以：检查输入的网址是否正确；使用页面顶部的搜索框查找您需要的文档；或者浏览下面的热门文档。</p>"
    "<p><a href='/'>返回首页</a> <a href='/document'>文档中心</a></p>"
)
SOFT_404 = [
    ("not-found-zh", NOT_FOUND),
    (
        "not-found-en",
        "<h1>Page not found</h1><p>The page you requested could not be found. It may have been "
        "moved, or the address may be mistyped.</p><p>Try the search box above, or go back to the "
        "home page to find what you were looking for.</p>",
    ),
    (
        "login",
        "<h2>请先登录</h2><p>使用微信扫码登录，或输入手机号并获取验证短信后继续访问该内容。</p>"
        "<p>还没有账号？立即注册，即可免费体验云服务器、对象存储等多款产品，注册后可享新人专属优惠。</p>"
        "<p>登录即表示您已阅读并同意相关服务条款。遇到问题？请联系在线客服，工作时间为每日九点至二十一点。</p>",
    ),
    (
        "home",
        "<h2>腾讯云</h2><p>产业智变 云启未来，腾讯云为各行各业提供安全稳定的云计算服务与解决方案。</p>"
        "<p>热门产品：云服务器、对象存储、云数据库、内容分发网络、实时音视频、腾讯会议、企业微信。</p>"
        "<p>新用户专享：首年一折起，限时抢购。更多活动请关注官方公众号，或下载腾讯云助手应用。</p>",
    ),
]


@pytest.mark.parametrize("body", [c[1] for c in SOFT_404], ids=[c[0] for c in SOFT_404])
def test_a_soft_404_is_an_error_however_often_it_comes_back(site, tmp_path, tracker, hook, body):
    site.page("/doc", cloud_page())
    cfg = _config(site, tmp_path, hook)
    state = tmp_path / "snapshots"
    assert tracker("check", "--config", cfg).code == 0
    site.page("/doc", cloud_page(body=body))
    for _ in range(5):  # more than truncation_confirmations: never adopted
        src = tracker("check", "--config", cfg, "--json").source(SID)
        assert src["status"] == "error" and "is not a document" in src["error"], src["error"]
        assert len(versions(state, SID)) == 1
    site.page("/doc", cloud_page())
    assert tracker("check", "--config", cfg, "--json").source(SID)["status"] == "unchanged"
    assert "change" not in [b["event"] for b in hook.bodies]


def test_a_soft_404_on_the_first_check_records_nothing(site, tmp_path, tracker, hook):
    site.page("/doc", cloud_page(body=NOT_FOUND))
    cfg = _config(site, tmp_path, hook)
    src = tracker("check", "--config", cfg, "--json").source(SID)
    assert src["status"] == "error" and "is not a document" in src["error"]
    assert versions(tmp_path / "snapshots", SID) == []


COOKIES = "## Cookies Policy\n" + "\n".join(
    f"{n}. We use cookie category {n} to remember your settings on this site for up to {n} days."
    for n in range(1, 30)
)
PRIVACY = "## Privacy Policy\n" + "\n".join(
    f"{n}. Personal data of kind {n} is processed by the controller on the basis of Art. 6 GDPR."
    for n in range(1, 30)
)


def test_a_page_that_now_holds_another_named_document_is_one_replaced_change(
    site, tmp_path, tracker, hook
):
    site.page("/doc", cloud_page(COOKIES, title="Cookies Policy"))
    cfg = _config(site, tmp_path, hook)
    tracker("check", "--config", cfg)
    site.page("/doc", cloud_page(PRIVACY, title="Privacy Policy"))
    run = tracker("check", "--config", cfg, "--json")
    src = run.source(SID)
    assert run.code == 1 and src["status"] == "changed"
    assert src["replaced"] == {"old": "Cookies Policy", "new": "Privacy Policy"}
    assert src["severity"] == "critical"
    [message] = [b for b in hook.bodies if b["event"] == "change"]
    assert message["severity"] == "critical" and message["replaced"] == src["replaced"]
    human = tracker("check", "--config", cfg)
    assert human.code == 0  # the new document is now the one watched


def test_accept_records_the_refused_page_and_the_next_check_is_unchanged(
    site, tmp_path, tracker, hook
):
    site.page("/doc", cloud_page(API_PAGE, title="API 概览"))
    cfg = _config(site, tmp_path, hook, baseline=str(BASELINE))
    state = tmp_path / "snapshots"
    tracker("check", "--config", cfg)
    tracker("check", "--config", cfg)  # a second failure: the failing alert goes out
    accepted = tracker("accept", SID, "--config", cfg)
    assert accepted.code == 0, accepted.err
    [_, new] = versions(state, SID)
    assert accepted.out.startswith(f"{SID}: recorded {new} from {site.url('/doc')} (")
    assert accepted.out.rstrip().endswith("accepted without an alert")
    meta = (state / SID / "versions" / new / "meta.json").read_text("utf-8")
    assert (
        '"origin": "accepted"' in meta
        and not (state / SID / "versions" / new / "alert.json").exists()
    )
    run = tracker("check", "--config", cfg, "--json")
    assert run.code == 0 and run.source(SID)["status"] == "unchanged"
    assert [b["event"] for b in hook.bodies] == ["failing", "recovered"]  # never a change


def test_accept_refuses_a_live_page_that_is_not_the_one_refused(site, tmp_path, tracker, hook):
    site.page("/doc", cloud_page(API_PAGE, title="API 概览"))
    cfg = _config(site, tmp_path, hook, baseline=str(BASELINE))
    tracker("check", "--config", cfg)
    site.page("/doc", cloud_page(API_PAGE.replace("9000", "9100"), title="API 概览"))
    refused = tracker("accept", SID, "--config", cfg)
    assert refused.code == 2
    assert refused.err.startswith(
        f"tracker: {SID}: the page at {site.url('/doc')} is no longer the one"
    )
    assert len(versions(tmp_path / "snapshots", SID)) == 1


def test_accept_with_nothing_refused_records_nothing(site, tmp_path, tracker, hook):
    site.page("/doc", cloud_page())
    cfg = _config(site, tmp_path, hook)
    tracker("check", "--config", cfg)
    nothing = tracker("accept", SID, "--config", cfg)
    assert nothing.code == 2 and "refused no page; nothing to accept" in nothing.err
    unknown = tracker("accept", "nope", "--config", cfg)
    assert unknown.code == 2 and "no source with id 'nope'" in unknown.err


# -- the measures ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "title", "names"),
    [
        ("## Cookies Policy\nWe use cookies.", None, ("Cookies Policy",)),
        (
            "**TERMS OF USE AGREEMENT**\n**Last Revised: March 24, 2020**",
            None,
            ("TERMS OF USE AGREEMENT",),
        ),
        ("Last modified: 1 August 2014\n**INTRODUCTION**\nWelcome.", None, ("INTRODUCTION",)),
        ("*Last updated February 23, 2022.*\nThis policy explains how we use data.", None, ()),
        (AGREEMENT, None, ("腾讯会议 API 开发者协议",)),  # 《…》（以下简称:本协议）
        ("本条款适用于所有用户，请仔细阅读。", "隐私政策", ()),
    ],
)
def test_identify(text, title, names):
    found = identify(text, title)
    assert found.names == names and found.title == title


def test_an_unrelated_page_keeps_few_clauses_and_no_name():
    old, new = segment(AGREEMENT), segment(API_PAGE)
    kept, of = overlap(old, new)
    assert of > 150 and kept < 0.1 * of
    assert not same_document(
        kept, of, identify(AGREEMENT), identify(API_PAGE, "API 概览-文档中心-腾讯云"), (NAME,)
    )
    named = identify(AGREEMENT, None), identify(API_PAGE, f"{NAME}-文档中心-腾讯云")
    assert same_document(kept, of, *named, (NAME,))  # the page's title says it is the agreement


@pytest.mark.parametrize(
    ("text", "refused"),
    [
        ("页面不存在\n返回首页", True),
        ("Page not found\nThe page you requested could not be found.", True),
        ("请先登录\n使用微信扫码登录", True),
        ("欢迎\n热门产品：云服务器", True),  # little text, no clauses
        ("1. 本协议适用于全部用户。\n2. 腾讯可以修改本协议。\n3. 费用为100元。", False),
        (
            "\n".join(
                f"{n}. You must log in to use feature {n} of the service." for n in range(1, 40)
            ),
            False,
        ),
    ],
)
def test_not_a_document(text, refused):
    assert (not_a_document(comparable(text), segment(text)) is not None) is refused


def _texts() -> list[str]:
    """Every real text the corpus has (stored dialect), and some made to be borderline."""
    made = [
        "[x](https://example.com/" + "a" * 5000 + ")\n" * 3,  # long only in link targets
        "  \n" * 4000 + "页面不存在",  # long only in whitespace
        "# * - _ > |\n" * 800 + "请先登录",  # long only in marks
        "e\u0301" * 2300,  # long only before Unicode composes it
        "条款内容。" * 1000,
    ]
    corpus = SHARED / "corpus"
    found = sorted(corpus.rglob("*.md")) if corpus.is_dir() else []
    return made + [from_markdown(p.read_text("utf-8", errors="replace")) for p in found]


def test_a_text_surely_long_is_never_short_in_comparison_form():
    """The first version's cheap question (no normalising) never lets a soft 404 through."""
    texts = _texts()
    long_ones = [t for t in texts if surely_long(t)]
    assert long_ones, "nothing was long enough to try"
    assert not [t[:80] for t in long_ones if short(comparable(t))]
    assert not surely_long("条款内容。" * 1000, ignore=(re.compile("条款"),))  # may drop any line
    assert all(not surely_long(t) for t in texts[:3])  # long only in what is not wording
