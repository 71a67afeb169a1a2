"""A state folder written by release 0.1.0 keeps working (``tests/data/release-0.1.0``).

Its versions, watches' follow state, refused page, failure streak and waiting
messages were all written by that release's own commands; every command of this
one reads them as they are, sends what waits exactly once, and records nothing new
for pages that did not change.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import Sink, versions
from tests.pages import AGREEMENT, change_clause, cloud_page, renumber_from

FIXTURE = Path(__file__).parent / "data" / "release-0.1.0"
NEW_CHAPTER_9 = "## 9. 数据安全\n9.1 开发者应当采取必要措施保护用户数据的安全。\n"
NOT_FOUND = (
    '<html><head><title>404</title></head><body><div id="docArticleContent">'
    "<p>页面不存在，请返回首页。</p><p>您访问的页面不存在或已被删除。</p></div></body></html>"
)


@pytest.fixture
def released(site, tmp_path):
    """The release's folder, its site address replaced by this test site's, served as it was."""
    folder = tmp_path / "release"
    shutil.copytree(FIXTURE, folder)
    here = site.url("/").rstrip("/").removeprefix("http://")
    for path in [folder / "tracker.toml", *folder.rglob("*.json")]:
        path.write_text(path.read_text("utf-8").replace("127.0.0.1:PORT", here), "utf-8")
    inserted = renumber_from(AGREEMENT, 9).replace("## 10. 其他", NEW_CHAPTER_9 + "## 10. 其他")
    site.page("/doc", cloud_page(change_clause(inserted, "深圳市南山区", "北京市海淀区")))
    site.page("/other", NOT_FOUND)
    site.page("/gone", NOT_FOUND)
    return folder


def test_every_command_reads_a_state_folder_of_release_0_1_0(site, released, tracker):
    cfg = released / "tracker.toml"
    state = released / "snapshots"
    hook = Sink(site, "/hook")

    rows = tracker("history", "doc", "--config", cfg, "--json").json["versions"]
    assert [(r["origin"], r["changes"], r["severity"]) for r in rows] == [
        ("fetch", 1, "critical"),
        ("fetch", 2, "info"),
        ("fetch", 0, None),
    ]
    other = tracker("history", "other", "-c", cfg, "--json").json["versions"]
    assert [r["origin"] for r in other] == ["accepted", "fetch"]

    last = tracker("diff", "doc", "--config", cfg, "--json")
    assert last.code == 0, last.err
    [change] = last.json["changes"]
    assert (change["clause"], change["severity"], change["watches"]) == (
        "10.2",
        "critical",
        ["venue"],
    )
    # FROM TO: decided again, with the follow state replayed from versions that predate it
    [again] = tracker("diff", "doc", "0002", "0003", "--config", cfg, "--json").json["changes"]
    assert (again["clause"], again["severity"], again["watches"]) == ("10.2", "critical", ["venue"])
    first = tracker("diff", "doc", "0001", "0002", "--config", cfg, "--json").json
    assert [(c["clause"], c["kind"]) for c in first["changes"]] == [("9", "added"), ("10", "moved")]

    status = tracker("status", "--config", cfg, "--json")
    assert status.code == 0
    rows = {r["id"]: r for r in status.json["sources"]}
    assert rows["doc"]["following"] == [{"watch": "venue", "clause": "9.2", "now": "10.2"}]
    assert rows["gone"]["failures"] == 2 and rows["gone"]["pending_alerts"] == 1
    assert tracker("show", "doc", "0002", "--clauses", "--config", cfg).code == 0

    waiting = tracker("outbox", "--config", cfg, "--json")
    assert waiting.code == 4
    assert sorted(e["id"].split("__")[1] for e in waiting.json["pending"]) == [
        "0002_20261203T120012Z",
        "failing",
    ]

    run = tracker("check", "--config", cfg, "--json")
    assert run.code == 3, run.err  # gone still serves its not-found page
    assert [run.source(s)["status"] for s in ("doc", "other", "gone")] == [
        "unchanged",
        "unchanged",
        "error",
    ]
    assert [(v["event"], v["message_id"]) for v in hook.bodies] == [
        ("change", "doc__0002_20261203T120012Z__3de322b7e93f8a02"),
        ("failing", "gone__failing__20261203T120012Z"),
    ]
    assert [len(versions(state, s)) for s in ("doc", "other", "gone")] == [3, 2, 1]
    again = tracker("check", "--config", cfg, "--json")
    assert again.source("doc")["status"] == "unchanged" and len(hook.bodies) == 2
    assert tracker("outbox", "--config", cfg).code == 0

    site.page("/gone", cloud_page())  # the page the refused one replaced: recovered
    back = tracker("check", "--config", cfg, "--json")
    assert back.source("gone")["status"] == "unchanged"
    assert [v["event"] for v in hook.bodies] == ["change", "failing", "recovered"]

    report = tracker("report", "--config", cfg, "--out", released / "site")
    assert report.code == 0, report.err
    page = (released / "site" / "changes" / "doc" / "0003_20261203T120012Z.html").read_text("utf-8")
    assert "10.2" in page and "critical" in page
    sent = state / "outbox" / "sent" / "doc__0002_20261203T120012Z__3de322b7e93f8a02.json"
    assert json.loads(sent.read_text("utf-8"))["deliveries"]["hook"]["status"] == "sent"
