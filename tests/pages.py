"""Pages for the local test site: the agreement dressed as a cloud.tencent.com document.

The chrome around the body (navigation, "最近更新时间 … 阅读量", banners, share
widgets, previous/next links, a footer with a copyright year, scripts with
tokens) is what changes between real fetches without the agreement changing.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from tracker.text.markdown import from_markdown

ROOT = Path(__file__).resolve().parent.parent
AGREEMENT_MD = (ROOT / "tracker" / "data" / "meeting-api-agreement.md").read_text("utf-8")
AGREEMENT = from_markdown(AGREEMENT_MD)
SHARED = ROOT.parent / "shared"

_INLINE = re.compile(r"\*\*(.+?)\*\*|<u>(.+?)</u>|\[([^\]]*)\]\(([^)\s]+)\)")


def inline_html(text: str) -> str:
    """The few inline forms of the Markdown dialect, as HTML."""
    out, pos = [], 0
    for m in _INLINE.finditer(text):
        out.append(html.escape(text[pos : m.start()], quote=False))
        if m.group(1) is not None:
            out.append(f"<strong>{inline_html(m.group(1))}</strong>")
        elif m.group(2) is not None:
            out.append(f"<u>{inline_html(m.group(2))}</u>")
        else:
            out.append(f'<a href="{html.escape(m.group(4))}">{inline_html(m.group(3))}</a>')
        pos = m.end()
    out.append(html.escape(text[pos:], quote=False))
    return "".join(out)


def body_html(text: str = AGREEMENT, sep: str = "\n") -> str:
    """The agreement as the body of a document page: headings and paragraphs."""
    blocks = []
    for line in text.splitlines():
        if not line.strip():
            continue
        if m := re.match(r"^(#{1,6}) (.*)$", line):
            n = len(m.group(1))
            blocks.append(f"<h{n}>{inline_html(m.group(2))}</h{n}>")
        else:
            blocks.append(f"<p>{inline_html(line)}</p>")
    return sep.join(blocks)


def cloud_page(
    text: str = AGREEMENT,
    *,
    updated: str = "2026-11-20 10:21:07",
    views: int = 10234,
    token: str = "c0ffee",
    year: int = 2026,
    banner: str = "",
    body: str | None = None,
    charset: str | None = "utf-8",
    article_id: str = "docArticleContent",
    article_class: str = "rno-markdown J-markdown-box",
    title: str = "腾讯会议 API 开发者协议",
) -> str:
    """A full document page around the agreement."""
    meta = f'<meta charset="{charset}">' if charset else ""
    content = body if body is not None else body_html(text)
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head>{meta}
<title>{html.escape(title)}-文档中心-腾讯云</title>
<meta name="csrf-token" content="{token}">
<script>window.__INITIAL_STATE__ = {{"token": "{token}", "ts": "{updated}"}};</script>
<style>.doc-share {{ float: right; }}</style>
</head><body>
<nav class="c-nav"><a href="/">腾讯云</a> <a href="/act">最新活动</a> <a href="/product">产品</a></nav>
{banner}
<div class="rno-breadcrumb">文档中心 &gt; 腾讯会议 &gt; 开放平台文档</div>
<div class="doc-main">
<h1 class="doc-title">{html.escape(title)}</h1>
<div class="doc-meta">最近更新时间：{updated} <span>阅读量：{views}</span></div>
<div class="doc-share"><button>分享</button><a href="/share?token={token}">微信</a></div>
<div id="{article_id}" class="{article_class}">
{content}
</div>
<div class="doc-pager"><a href="/document/product/1095/1">上一篇：概述</a>
<a href="/document/product/1095/3">下一篇：错误码</a></div>
</div>
<footer>Copyright © 2013-{year} Tencent Cloud. All Rights Reserved. 腾讯云 版权所有</footer>
<script src="/static/app.js?v={token}"></script>
</body></html>"""


def verification_page() -> str:
    return """<!DOCTYPE html><html><head><meta charset="utf-8"><title>安全验证</title></head>
<body><div class="captcha-box"><p>访问过于频繁，请完成安全验证后继续访问。</p>
<div id="TCaptcha"></div><script src="https://ssl.captcha.qq.com/TCaptcha.js"></script>
</div></body></html>"""


def redesigned_page(text: str = AGREEMENT) -> str:
    """The same agreement after a redesign moved the body to another element."""
    return cloud_page(text, article_id="newDocBody", article_class="doc-v2-body")


def change_clause(text: str, old: str, new: str) -> str:
    assert old in text, f"{old!r} not in the agreement"
    return text.replace(old, new, 1)


def renumber_from(text: str, first: int, by: int = 1) -> str:
    """Shift chapters >= first (and all their clause numbers) by ``by``."""

    def shift(number: str) -> str:
        head, *rest = number.split(".")
        return ".".join([str(int(head) + by) if int(head) >= first else head, *rest])

    out = []
    for line in text.splitlines():
        line = re.sub(
            r"^(## )(\d+)(\.)", lambda m: m.group(1) + shift(m.group(2)) + m.group(3), line
        )
        line = re.sub(r"^(\**)(\d+(?:\.\d+)+)", lambda m: m.group(1) + shift(m.group(2)), line)
        out.append(line)
    return "\n".join(out) + "\n"


RELATED = ("如何创建会议", "会议录制说明", "计费概述", "错误码说明", "开发者常见问题")


def busy_page(load: int, text: str = AGREEMENT) -> str:
    """A page whose ``article`` holds, beside the agreement, a view counter and a list of
    related articles that differ on every load (``load``: how many came before)."""
    shown = [RELATED[(load + i) % len(RELATED)] for i in range(2)]
    related = "".join(f'<li><a href="/a/{i}">{t}</a></li>' for i, t in enumerate(shown))
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>协议</title></head>
<body><nav><a href="/">首页</a></nav><main><article>
<p class="views">阅读量：{8412 + 9146 * load}</p>
{body_html(text)}
<div class="related"><h3>相关文章</h3><ul>{related}</ul></div>
</article></main></body></html>"""
