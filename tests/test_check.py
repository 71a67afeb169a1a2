"""`tracker check` end to end against a real local web site."""

from __future__ import annotations

import asyncio
import gzip
import json
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import filelock
import pytest
from werkzeug import Request, Response

from tests.conftest import doc_source, free_port, versions, wait_until, write_config
from tests.pages import (
    AGREEMENT,
    change_clause,
    cloud_page,
    redesigned_page,
    verification_page,
)
from tracker.cli import load_config
from tracker.pipeline import check
from tracker.pipeline.result import Result
from tracker.sources.page import PageGetter


@pytest.fixture
def setup(site, tmp_path):
    """One cloud-style source served from /doc, its config and its state folder."""
    site.page("/doc", cloud_page())
    cfg = write_config(tmp_path, [doc_source(site.url("/doc"))])
    return cfg, tmp_path / "snapshots"


def test_baseline_then_unchanged_then_changed(site, setup, tracker):
    cfg, state = setup

    first = tracker("check", "--config", cfg, "--json")
    assert first.code == 0, first.err
    src = first.source("doc")
    assert src["status"] == "baseline" and src["error"] is None and src["changes"] == []
    [v1] = versions(state, "doc")
    folder = state / "doc" / "versions" / v1
    assert (folder / "text.md").read_text("utf-8") == AGREEMENT
    meta = json.loads((folder / "meta.json").read_text("utf-8"))
    assert meta["url"] == site.url("/doc") and meta["status"] == 200
    assert meta["charset"] == "utf-8" and len(meta["text_hash"]) == 64
    assert gzip.decompress((folder / "page.html.gz").read_bytes()).startswith(b"<!DOCTYPE html>")

    second = tracker("check", "--config", cfg, "--json")
    assert second.code == 0
    assert second.source("doc")["status"] == "unchanged"
    assert versions(state, "doc") == [v1]

    site.page("/doc", cloud_page(change_clause(AGREEMENT, "提前10个自然日", "提前3个自然日")))
    third = tracker("check", "--config", cfg, "--json")
    assert third.code == 1
    src = third.source("doc")
    assert src["status"] == "changed"
    [change] = src["changes"]
    assert change["clause"] == "2.7" and change["kind"] == "modified"
    assert "提前10个自然日" in change["old"] and "提前3个自然日" in change["new"]
    assert len(versions(state, "doc")) == 2

    fourth = tracker("check", "--config", cfg, "--json")
    assert fourth.code == 0 and fourth.source("doc")["status"] == "unchanged"


@pytest.mark.parametrize(
    "noise",
    [
        {"updated": "2026-11-25 08:00:00", "views": 99999},
        {"token": "deadbeef" * 4},
        {"year": 2027},
        {
            "banner": '<div class="c-banner">双十一特惠：云服务器 1 折起！<a href="/act">立即抢购</a></div>'
        },
        {"updated": "2027-01-01 00:00:00", "token": "x", "year": 2027, "banner": "<p>公告</p>"},
    ],
    ids=["timestamp", "token", "footer-year", "banner", "all-at-once"],
)
def test_page_chrome_never_alerts(site, setup, tracker, noise):
    cfg, state = setup
    assert tracker("check", "--config", cfg).code == 0
    site.page("/doc", cloud_page(**noise))
    run = tracker("check", "--config", cfg, "--json")
    assert run.code == 0, run.out
    assert run.source("doc")["status"] == "unchanged"
    assert len(versions(state, "doc")) == 1


def _respace(text: str, old: str, new: str) -> str:
    return text.replace(old, new)


@pytest.mark.parametrize(
    "noisy",
    [
        lambda t: cloud_page(t.replace("，", "，\u00a0", 20)),
        lambda t: cloud_page(t.replace("2.7 ", "2.7\u3000").replace("9.1 ", "9.1\u00a0")),
        lambda t: cloud_page(body="\n\n<p>\n</p>\n\n".join(t.splitlines()).join(["<p>", "</p>"])),
        lambda t: cloud_page(t.replace("提前10个", "提前１０个")),
        lambda t: cloud_page(t.replace("腾讯会议", "腾讯\u200b会议")),
        lambda t: cloud_page(t.replace("腾讯会议 API", "腾讯会议API")),
    ],
    ids=["nbsp", "ideographic-space", "blank-lines", "fullwidth-digits", "zero-width", "cjk-space"],
)
def test_whitespace_and_compatibility_forms_never_alert(site, setup, tracker, noisy):
    cfg, state = setup
    assert tracker("check", "--config", cfg).code == 0
    site.page("/doc", noisy(AGREEMENT))
    run = tracker("check", "--config", cfg, "--json")
    assert run.code == 0, run.out
    assert run.source("doc")["status"] == "unchanged"
    assert len(versions(state, "doc")) == 1


def _slow(request: Request) -> Response:
    time.sleep(1.5)
    return Response(cloud_page(), content_type="text/html; charset=utf-8")


def _truncated() -> str:
    lines = AGREEMENT.splitlines()
    return cloud_page("\n".join(lines[: len(lines) // 5]))


@pytest.mark.parametrize(
    ("breakage", "reason"),
    [
        (lambda site: site.page("/doc", "oops", status=500), "HTTP 500"),
        (lambda site: site.page("/doc", "busy", status=503), "HTTP 503"),
        (lambda site: site.page("/doc", "no", status=403), "HTTP 403"),
        ("refused", "connection failed"),
        (lambda site: site.page("/doc", handler=_slow), "timed out"),
        (lambda site: site.page("/doc", verification_page()), "verification"),
        (lambda site: site.page("/doc", redesigned_page()), "matched nothing"),
        (lambda site: site.page("/doc", _truncated()), "truncated"),
        (lambda site: site.page("/doc", cloud_page(body="<div id='app'></div>")), "JavaScript"),
    ],
    ids=[
        "http-500",
        "http-503",
        "http-403",
        "connection-refused",
        "timeout",
        "verification-page",
        "selector-missing",
        "truncated",
        "javascript-only",
    ],
)
def test_errors_are_not_changes(site, tmp_path, tracker, breakage, reason):
    url = site.url("/doc")
    site.page("/doc", cloud_page())
    settings = {"timeout": "0.5s"}
    cfg = write_config(tmp_path, [doc_source(url)], settings)
    state = tmp_path / "snapshots"
    assert tracker("check", "--config", cfg).code == 0
    before = versions(state, "doc")
    text_before = (state / "doc" / "versions" / before[0] / "text.md").read_bytes()

    if breakage == "refused":
        dead = f"http://127.0.0.1:{free_port()}/doc"
        write_config(tmp_path, [doc_source(dead)], settings)
    else:
        breakage(site)
    run = tracker("check", "--config", cfg, "--json")
    assert run.code == 3, run.out
    src = run.source("doc")
    assert src["status"] == "error" and src["changes"] == []
    assert reason in src["error"] and "\n" not in src["error"]
    assert versions(state, "doc") == before
    assert (state / "doc" / "versions" / before[0] / "text.md").read_bytes() == text_before

    write_config(tmp_path, [doc_source(url)], settings)
    site.page("/doc", cloud_page())
    again = tracker("check", "--config", cfg, "--json")
    assert again.code == 0, again.out
    assert again.source("doc")["status"] == "unchanged"
    assert versions(state, "doc") == before


def test_failures_are_counted_in_state_and_reset_by_success(site, setup, tracker):
    cfg, state = setup
    tracker("check", "--config", cfg)
    site.page("/doc", "down", status=500)
    for expected in (1, 2):
        tracker("check", "--config", cfg)
        saved = json.loads((state / "doc" / "state.json").read_text())
        assert (
            saved["failures"] == expected
            and saved["last_error"] == "HTTP 500 INTERNAL SERVER ERROR"
        )
    site.page("/doc", cloud_page())
    tracker("check", "--config", cfg)
    saved = json.loads((state / "doc" / "state.json").read_text())
    assert saved["failures"] == 0 and saved["last_status"] == "unchanged"


def test_a_persistent_large_removal_is_recorded_after_confirmations(site, setup, tracker):
    cfg, state = setup
    tracker("check", "--config", cfg)
    site.page("/doc", _truncated())
    for seen in (1, 2):
        run = tracker("check", "--config", cfg, "--json")
        assert run.code == 3 and f"seen {seen} of 3 times" in run.source("doc")["error"]
    run = tracker("check", "--config", cfg, "--json")
    assert run.code == 1
    src = run.source("doc")
    assert src["status"] == "changed" and src["large_removal"] is True
    assert any(c["kind"] == "removed" for c in src["changes"])
    assert len(versions(state, "doc")) == 2


def test_a_short_text_that_keeps_changing_is_never_confirmed(site, setup, tracker):
    cfg, state = setup
    tracker("check", "--config", cfg)
    lines = AGREEMENT.splitlines()
    for n in (10, 11, 12, 13):
        site.page("/doc", cloud_page("\n".join(lines[:n])))
        assert tracker("check", "--config", cfg).code == 3
    assert len(versions(state, "doc")) == 1


def test_http_500_then_success_within_one_run_via_retries(site, tmp_path, tracker):
    calls = []

    def flaky(request: Request) -> Response:
        calls.append(1)
        if len(calls) < 3:
            return Response("busy", status=503, headers={"Retry-After": "0"})
        return Response(cloud_page(), content_type="text/html; charset=utf-8")

    site.page("/doc", handler=flaky)
    cfg = write_config(tmp_path, [doc_source(site.url("/doc"))], {"retries": 2})
    run = tracker("check", "--config", cfg, "--json")
    assert run.code == 0 and run.source("doc")["status"] == "baseline"
    assert len(calls) == 3


def test_retry_after_longer_than_allowed_gives_up_at_once(site, tmp_path, tracker):
    site.page("/doc", "slow down", status=429, headers={"Retry-After": "3600"})
    cfg = write_config(tmp_path, [doc_source(site.url("/doc"))], {"retries": 3})
    started = time.monotonic()
    run = tracker("check", "--config", cfg, "--json")
    assert run.code == 3 and "HTTP 429" in run.source("doc")["error"]
    assert len(site.requests) == 1 and time.monotonic() - started < 5


def _serving(page: str, validators: bool = True):
    """A handler serving ``page`` with an ETag (304 when it matches), or with no validators."""
    body = page.encode()

    def serve(request: Request) -> Response:
        if validators and request.headers.get("If-None-Match") == '"v1"':
            return Response(status=304, headers={"ETag": '"v1"'})
        headers = {"ETag": '"v1"'} if validators else {}
        return Response(body, headers=headers, content_type="text/html; charset=utf-8")

    return serve


def test_conditional_get_and_realistic_headers(site, tmp_path, tracker):
    site.page("/doc", handler=_serving(cloud_page()))
    cfg = write_config(tmp_path, [doc_source(site.url("/doc"))])
    assert tracker("check", "--config", cfg).code == 0
    run = tracker("check", "--config", cfg, "--json")
    assert run.code == 0 and run.source("doc")["status"] == "unchanged"
    first, second = site.requests
    assert "If-None-Match" not in first.headers
    assert second.headers["If-None-Match"] == '"v1"'
    assert first.headers["Accept-Language"] == "zh-CN,zh;q=0.9"
    assert (
        first.headers["User-Agent"].startswith("Mozilla/5.0")
        and "Chrome/" in first.headers["User-Agent"]
    )


def test_an_unchanged_page_only_touches_the_state_and_status_says_unchanged(
    site, tmp_path, tracker
):
    site.page("/doc", handler=_serving(cloud_page()))
    cfg = write_config(tmp_path, [doc_source(site.url("/doc"))])
    state_file = tmp_path / "snapshots" / "doc" / "state.json"
    assert tracker("check", "--config", cfg).code == 0
    written, before = state_file.read_bytes(), state_file.stat().st_mtime_ns
    assert tracker("status", "--config", cfg, "--json").json["sources"][0]["last_status"] == (
        "baseline"
    )
    for _ in range(2):
        run = tracker("check", "--config", cfg, "--json")
        assert run.code == 0 and run.source("doc")["status"] == "unchanged"
        assert state_file.read_bytes() == written  # not rewritten...
        assert state_file.stat().st_mtime_ns > before  # ...only touched
        status = tracker("status", "--config", cfg, "--json").json["sources"][0]
        assert status["last_status"] == "unchanged"
    assert len(versions(tmp_path / "snapshots", "doc")) == 1


@pytest.mark.parametrize("validators", [True, False], ids=["etag-304", "same-bytes"])
def test_an_unchanged_page_is_never_parsed(site, tmp_path, tracker, monkeypatch, validators):
    site.page("/doc", handler=_serving(cloud_page(), validators))
    cfg = write_config(tmp_path, [doc_source(site.url("/doc"))], {"lock_timeout": "0.2s"})
    assert tracker("check", "--config", cfg).code == 0
    assert tracker("check", "--config", cfg).code == 0
    parsed = []
    monkeypatch.setattr(PageGetter, "read", lambda *a: parsed.append(a) or pytest.fail("parsed"))
    # Nothing to decide, so not even the lock is needed: a run holding it delays nothing.
    with filelock.FileLock(tmp_path / "snapshots" / "doc" / ".lock"):
        for _ in range(2):
            run = tracker("check", "--config", cfg, "--json")
            assert run.code == 0 and run.source("doc")["status"] == "unchanged"
    assert parsed == []


class Watched(asyncio.Semaphore):
    """The backlog, counting the sources that had to wait for a place in it."""

    def __init__(self, value: int) -> None:
        super().__init__(value)
        self.waited = 0

    async def acquire(self) -> bool:
        if self.locked():
            self.waited += 1
        return await super().acquire()


def test_pages_are_not_fetched_faster_than_they_are_parsed(site, tmp_path, monkeypatch):
    """With parsing stalled, fetching stops once the backlog is full, instead of piling up.

    Once every source beyond the backlog waits for a place in it, only the sources in
    it can fetch: the count of requests then is the count for good (no sleep needed)."""
    ids = [f"doc-{n}" for n in range(10)]
    for sid in ids:
        site.page(f"/{sid}", cloud_page())
    sources = [doc_source(site.url(f"/{sid}"), sid) for sid in ids]
    cfg = load_config(write_config(tmp_path, sources, {"concurrency": 1}))
    stalled, real_read = threading.Event(), PageGetter.read
    monkeypatch.setattr(PageGetter, "read", lambda *a: stalled.wait(10) and real_read(*a))
    backlog = Watched(check.BACKLOG)
    results: list[Result] = []
    with ThreadPoolExecutor(1) as parse, ThreadPoolExecutor(1) as record:
        workers = check.Workers(parse, record, backlog)
        run = threading.Thread(
            target=lambda: results.extend(asyncio.run(check.check_all(cfg, [], workers=workers)))
        )
        run.start()
        try:
            everyone = lambda: backlog.waited == len(ids) - check.BACKLOG  # noqa: E731
            in_it = lambda: len(site.requests) == check.BACKLOG  # noqa: E731
            wait_until(lambda: everyone() and in_it())
            assert len(site.requests) == check.BACKLOG  # one in the parser, the rest queued
        finally:
            stalled.set()
            run.join()
    assert [r.status for r in results] == ["baseline"] * len(ids)


def test_redirects_are_followed_and_the_final_url_recorded(site, tmp_path, tracker):
    site.page("/old", "", status=301, headers={"Location": site.url("/new")})
    site.page("/new", cloud_page())
    cfg = write_config(tmp_path, [doc_source(site.url("/old"))])
    assert tracker("check", "--config", cfg).code == 0
    [v] = versions(tmp_path / "snapshots", "doc")
    meta = json.loads((tmp_path / "snapshots" / "doc" / "versions" / v / "meta.json").read_text())
    assert meta["url"] == site.url("/new")


def test_redirect_loop_is_an_error(site, tmp_path, tracker):
    site.page("/loop", "", status=302, headers={"Location": site.url("/loop")})
    cfg = write_config(tmp_path, [doc_source(site.url("/loop"))], {"max_redirects": 3})
    run = tracker("check", "--config", cfg, "--json")
    assert run.code == 3 and "more than 3 redirects" in run.source("doc")["error"]


def test_response_size_is_capped(site, tmp_path, tracker):
    site.page("/doc", cloud_page())
    cfg = write_config(tmp_path, [doc_source(site.url("/doc"))], {"max_bytes": 4096})
    run = tracker("check", "--config", cfg, "--json")
    assert run.code == 3 and "cap" in run.source("doc")["error"]
    assert versions(tmp_path / "snapshots", "doc") == []


def test_a_locked_source_waits_then_fails_clearly(site, setup, tracker):
    cfg, state = setup
    (state / "doc").mkdir(parents=True)
    with filelock.FileLock(state / "doc" / ".lock"):
        started = time.monotonic()
        run = tracker("check", "--config", cfg, "--json")
    assert run.code == 3
    assert "locked by another tracker process" in run.source("doc")["error"]
    assert 1.5 < time.monotonic() - started < 10  # lock_timeout is 2s in tests
    assert versions(state, "doc") == []


def test_many_sources_are_checked_and_reported_in_config_order(site, tmp_path, tracker):
    ids = [f"doc-{n:02d}" for n in range(24)]
    for sid in ids:
        site.page(f"/{sid}", cloud_page(change_clause(AGREEMENT, "9.2 ", f"9.2 ({sid}) ")))
    sources = [doc_source(site.url(f"/{sid}"), sid) for sid in reversed(ids)]
    cfg = write_config(tmp_path, sources, {"per_host": 3, "concurrency": 8})
    run = tracker("check", "--config", cfg, "--json")
    assert run.code == 0
    assert [s["id"] for s in run.json["sources"]] == list(reversed(ids))
    assert {s["status"] for s in run.json["sources"]} == {"baseline"}


def test_only_selected_sources_with_source_flag(site, tmp_path, tracker):
    site.page("/a", cloud_page())
    site.page("/b", cloud_page())
    cfg = write_config(tmp_path, [doc_source(site.url("/a"), "a"), doc_source(site.url("/b"), "b")])
    run = tracker("check", "--config", cfg, "--json", "--source", "b")
    assert [s["id"] for s in run.json["sources"]] == ["b"]
    bad = tracker("check", "--config", cfg, "--source", "zzz")
    assert bad.code == 2 and "no source with id 'zzz'" in bad.err


def test_json_output_shape(site, setup, tracker):
    cfg, _ = setup
    run = tracker("check", "--config", cfg, "--json")
    assert set(run.json) == {"sources", "deliveries", "drift"}
    assert run.json["deliveries"] == []
    src = run.json["sources"][0]
    assert {"id", "status", "error", "changes", "alerts"} <= set(src)
    assert src["alerts"] == []


def test_human_output_one_line_per_source_then_changes(site, setup, tracker):
    cfg, _ = setup
    first = tracker("check", "--config", cfg)
    assert first.out.count("\n") == 1 and "doc" in first.out and "baseline" in first.out
    site.page("/doc", cloud_page(change_clause(AGREEMENT, "提前10个自然日", "提前3个自然日")))
    run = tracker("check", "--config", cfg)
    lines = run.out.splitlines()
    assert "changed: 1 change" in lines[0]
    assert any(line.strip().startswith("2.7") and "modified" in line for line in lines)
    assert any("提前[-10-]{+3+}个自然日" in line for line in lines)  # not a terminal: markers
    assert any("facts: 10个自然日 → 3个自然日" in line for line in lines)


WATCHES = """
[[watch]]
name = "fee-notice"
sources = ["doc"]
clauses = ["2.7", "9.1"]
keywords = ["收费", "费用", "自然日"]
severity = "critical"

[[watch]]
name = "other-source-only"
sources = ["other"]
clauses = ["2.7"]
severity = "warning"
"""


def test_json_changes_carry_clause_path_spans_facts_and_alerts(site, tmp_path, tracker):
    site.page("/doc", cloud_page())
    site.page("/other", cloud_page())
    sources = [doc_source(site.url("/doc")), doc_source(site.url("/other"), "other")]
    cfg = write_config(tmp_path, sources, extra=WATCHES)
    assert tracker("check", "--config", cfg).code == 0
    site.page("/doc", cloud_page(change_clause(AGREEMENT, "提前10个自然日", "提前3个自然日")))
    run = tracker("check", "--config", cfg, "--json", "--source", "doc")
    assert run.code == 1
    src = run.source("doc")
    assert src["severity"] == "critical"
    assert src["alerts"] == [{"watch": "fee-notice", "severity": "critical", "clauses": ["2.7"]}]
    [change] = src["changes"]
    assert change["path"] == ["2. 重要提示", "2.7"] and change["path_text"] == "2. 重要提示 › 2.7"
    assert {"op": "delete", "text": "10"} in change["diff"] and {
        "op": "insert",
        "text": "3",
    } in change["diff"]
    assert "".join(s["text"] for s in change["diff"] if s["op"] != "insert") == change["old"]
    assert "".join(s["text"] for s in change["diff"] if s["op"] != "delete") == change["new"]
    assert change["facts"] == [{"old": "10个自然日", "new": "3个自然日", "kind": "duration"}]
    assert change["watches"] == ["fee-notice"] and change["severity"] == "critical"
    [v1, v2] = versions(tmp_path / "snapshots", "doc")
    alert_file = tmp_path / "snapshots" / "doc" / "versions" / v2 / "alert.json"
    recorded = json.loads(alert_file.read_text())
    assert recorded["source"] == {k: v for k, v in src.items() if k != "elapsed"} and re.fullmatch(
        rf"doc__{v1}__[0-9a-f]{{16}}", recorded["id"]
    )
    assert recorded["event"] == "change" and recorded["severity"] == "critical"


def test_the_pipeline_tells_its_listeners_and_knows_nothing_of_channels(site, tmp_path):
    """Any listener hears a change and a failing source; no channel needs to be configured."""
    from tracker.message import Message
    from tracker.sources import Context
    from tracker.sources.http import Fetcher

    heard: list[Message] = []

    class Notes:
        def heard(self, message) -> None:
            heard.append(message)

    site.page("/doc", cloud_page())
    cfg = load_config(
        write_config(tmp_path, [doc_source(site.url("/doc"))], {"failure_alert_after": 1})
    )
    [source] = cfg.sources

    async def once():
        async with Fetcher(cfg.settings) as fetcher:
            return await check.check_source(source, cfg, Context(fetcher), listeners=[Notes()])

    asyncio.run(once())
    site.page("/doc", cloud_page(change_clause(AGREEMENT, "提前10个自然日", "提前3个自然日")))
    asyncio.run(once())
    site.page("/doc", "oops", status=503)
    asyncio.run(once())
    assert [m.event for m in heard] == ["change", "failing"]
    assert heard[0].outcome.changes[0].clause == "2.7"
    assert not (tmp_path / "snapshots" / "outbox").exists()  # nobody queued anything


def test_text_that_only_moved_is_a_change_of_its_own(site, tmp_path, tracker):
    """Before: a block moved with its words unchanged was `unchanged`, and nothing recorded."""
    block = "更新日期：2025年2月20日。\n版本：v3（历史版本见官网）。\n"
    site.page("/doc", cloud_page(AGREEMENT.rstrip("\n") + "\n" + block))
    cfg = write_config(tmp_path, [doc_source(site.url("/doc"))])
    assert tracker("check", "--config", cfg).code == 0
    site.page("/doc", cloud_page(block + AGREEMENT))
    run = tracker("check", "--config", cfg, "--json")
    src = run.source("doc")
    assert run.code == 1 and src["status"] == "changed" and src["severity"] == "info"
    [change] = src["changes"]
    assert (change["kind"], change["clause"]) == ("moved", None)
    assert change["old_path"] == ["9. 其他", "9.6"] and change["path"] == ["preamble"]
    assert change["words"].startswith("更新日期") and change["old"] is None
    assert len(versions(tmp_path / "snapshots", "doc")) == 2
    assert tracker("check", "--config", cfg).code == 0  # once


def test_the_same_words_are_answered_without_normalising(site, setup, tracker, monkeypatch):
    """Cheap question first: a page whose chrome changed but whose text is the latest
    version's, word for word, is unchanged without computing a comparison form; a text
    that differs only in spacing still is compared, and is unchanged too."""
    from tracker.pipeline import decide

    cfg, state = setup
    assert tracker("check", "--config", cfg).code == 0
    forms: list[str] = []
    real = decide.compared
    monkeypatch.setattr(decide, "compared", lambda text, *a: forms.append(text) or real(text, *a))
    site.page("/doc", cloud_page(updated="2027-01-01 00:00:00", token="x", views=7))
    run = tracker("check", "--config", cfg, "--json")
    assert run.code == 0 and run.source("doc")["status"] == "unchanged"
    assert forms == []
    site.page("/doc", cloud_page(AGREEMENT.replace("，", "，\u00a0", 5)))
    run = tracker("check", "--config", cfg, "--json")
    assert run.code == 0 and run.source("doc")["status"] == "unchanged"
    assert len(forms) == 1
    assert len(versions(state, "doc")) == 1
