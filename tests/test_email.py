"""The email a lawyer forwards, checked as Chromium renders it."""

from __future__ import annotations

from dataclasses import replace
from email.message import EmailMessage

import pytest

from tests.chromium import needs_chromium, offline_tab
from tracker.compare.changes import diff
from tracker.message import Message, Outcome
from tracker.model import Event, Status
from tracker.notify import email

OLD = "## 2. 重要提示\n2.7 **腾讯将会提前10个自然日**公布收费规则。<u>请您注意</u>。\n"
NEW = OLD.replace("10个", "3个")
VERSION = "0002_20261203T090000Z"


def change_message(report: str | None = "https://legal.example.com/r/doc/0002.html") -> Message:
    [change] = diff(OLD, NEW)
    change = replace(change, severity="critical", watches=("fee-notice",))
    about = Outcome(
        id="doc",
        name="腾讯会议 API 开发者协议",
        url="https://cloud.tencent.com/document/product/1095/42405",
        status=Status.CHANGED,
        severity="critical",
        changes=(change,),
        version=VERSION,
        last_seen="2026-12-02T21:00:00Z",
    )
    return Message("doc__x", Event.CHANGE, "critical", "2026-12-03T09:00:00Z", about, report)


def recovered_message() -> Message:
    about = Outcome(
        id="doc",
        name="腾讯云服务协议",
        url="https://cloud.tencent.com/document/product/301/1967",
        status=Status.UNCHANGED,
        error="HTTP 503",
        failures=3,
        failing_since="2026-12-03T04:00:00Z",
    )
    return Message("doc__recovered", Event.RECOVERED, "warning", "2026-12-03T09:00:00Z", about)


def parts(message: Message) -> tuple[str, str]:
    built: EmailMessage = email.build(message, "tracker@example.com", ("legal@example.com",))
    text = built.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = built.get_body(("html",)).get_content()  # type: ignore[union-attr]
    return text, html


@pytest.fixture(scope="module")
def tab():
    with offline_tab() as page:
        yield page


def shown(tab, html: str) -> str:
    tab.set_content(html, wait_until="domcontentloaded")
    return tab.evaluate("document.body.innerText")


@needs_chromium
def test_the_change_reads_in_chromium_as_a_lawyer_needs_it(tab):
    text, html = parts(change_message())
    seen = shown(tab, html)
    badge = tab.query_selector(".badge")
    assert badge.inner_text() == "CRITICAL" and badge.bounding_box()["width"] > 20
    assert badge.evaluate("e => getComputedStyle(e).backgroundColor") != "rgba(0, 0, 0, 0)"
    # The inline change reads without colour: never "103".
    assert "提前[-10-]{+3+}个自然日" in seen and "提前103个" not in seen
    # Emphasis as emphasis, never as marks; the heading path without its "#".
    assert "**" not in seen and "<u>" not in seen and "#" not in seen
    bold = tab.evaluate(
        "[...document.querySelectorAll('strong')].map(e => [e.innerText, getComputedStyle(e).fontWeight])"
    )
    assert any("腾讯将会提前" in t and int(w) >= 600 for t, w in bold), bold
    underline = tab.evaluate(
        "[...document.querySelectorAll('u')].map(e => getComputedStyle(e).textDecorationLine)"
    )
    assert underline == ["underline"]
    assert (
        f"First seen 2026-12-03 09:00 UTC (version {VERSION}); "
        "the old text was last seen 2026-12-02 21:00 UTC." in seen
    )
    assert f"See it whole: tracker diff doc {VERSION}" in seen
    link = tab.evaluate("[...document.querySelectorAll('.footer a')].map(a => a.href)")
    assert link == ["https://legal.example.com/r/doc/0002.html"]
    # The text part says the same, without marks either.
    assert "提前[-10-]{+3+}个自然日" in text and "**" not in text
    assert f"See it whole: tracker diff doc {VERSION}" in text


@needs_chromium
def test_a_recovery_says_how_long_the_source_was_out(tab):
    text, html = parts(recovered_message())
    seen = shown(tab, html)
    said = "腾讯云服务协议 recovered after 3 failed checks over 5.0 hours (last error: HTTP 503)."
    assert said in seen and said in text
    assert tab.query_selector(".badge").inner_text() == "RECOVERED"
    assert "severity" not in seen.lower() and "warning" not in seen.lower()
    assert "severity" not in text.lower() and "warning" not in text.lower()


def test_no_report_no_report_line():
    text, html = parts(change_message(report=None))
    assert "Report:" not in text and "Report:" not in html
    assert f"tracker diff doc {VERSION}" in text
