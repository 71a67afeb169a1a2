"""tracker check --dry-run: what a check would report, and the state folder left as it was."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from werkzeug import Response

from .conftest import Sink, doc_source, versions, write_config
from .history_story import BASELINE, FEES, told
from .pages import AGREEMENT, busy_page, change_clause, cloud_page
from .test_inspect import serve_busy

HOOK = '\n[[notify]]\nkind = "webhook"\nname = "hook"\nurl = "{}"\n'


def tree(folder: Path) -> dict[str, tuple[str, int]]:
    """Every file and folder under ``folder``: its content's hash and its modification time."""
    out = {}
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = Path(root, name)
            digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "dir"
            out[str(path.relative_to(folder))] = (digest, path.stat().st_mtime_ns)
    return out


def test_a_changed_page_is_reported_and_nothing_is_recorded(tmp_path, site, tracker):
    hook = Sink(site, "/hook")
    story = told(tmp_path, site, tracker, upgrade=False)
    story.extra += HOOK.format(hook.url)
    story.configure()
    story.check()  # the hook has everything so far
    sent = len(hook.bodies)
    text = change_clause(story.tracker("show", "doc").out, "第三方软件或技术", "第三方的软件或技术")
    site.page("/doc", cloud_page(text), headers={"ETag": '"v9"'})
    before = tree(story.state)
    done = story.tracker("check", "--dry-run", "--json", "--source", "doc")
    assert done.code == 1, done.err
    assert done.json["dry_run"] is True
    doc = done.json["sources"][0]
    assert doc["status"] == "changed" and doc["version"] is None
    assert [c["clause"] for c in doc["changes"]] == ["3.4.4"]
    assert doc["compared_with"] == versions(story.state, "doc")[-1]
    assert doc["clauses"] > 100 and doc["characters"] > 5000
    assert (
        doc["first_lines"][0]
        == '欢迎您使用腾讯会议 API 以及相关的开发服务和软件（以下统称为"API"）。'
    )
    assert tree(story.state) == before  # byte for byte, and not even touched
    assert len(hook.bodies) == sent
    # The check after it still finds the change: the dry run took nothing away.
    real = story.check()
    assert real.code == 1 and [c["clause"] for c in real.source("doc")["changes"]] == ["3.4.4"]


def test_a_dry_run_fetches_in_full(tmp_path, site, tracker):
    site.page("/doc", cloud_page(), headers={"ETag": '"v1"'})
    config = write_config(tmp_path, [doc_source(site.url("/doc"))])
    assert tracker("check", "-c", config).code == 0
    assert tracker("check", "-c", config).code == 0
    assert site.requests[-1].headers.get("If-None-Match") == '"v1"'  # a check asks
    assert tracker("check", "--dry-run", "-c", config).code == 0
    assert site.requests[-1].headers.get("If-None-Match") is None  # a dry run reads


def test_human_output_shows_the_text_read_and_the_change(tmp_path, site, tracker):
    story = told(tmp_path, site, tracker, upgrade=False)
    site.page("/doc", cloud_page(change_clause(story.tracker("show", "doc").out, "3个", "5个")))
    done = story.tracker("check", "--dry-run")
    assert done.code == 1
    lines = done.out.splitlines()
    assert lines[0].startswith("● doc  would report: 1 change, critical (compared with 0003_")
    assert any(
        line.endswith("numbered clauses, 10,6") or "numbered clauses" in line for line in lines
    )
    assert "  │ 欢迎您使用腾讯会议 API 以及相关的开发服务和软件" in done.out
    assert "2.7  modified" in done.out and "[-3-]{+5+}" in done.out
    assert lines[-1] == "dry run: nothing recorded, nothing sent"


def test_a_new_source_would_record_its_first_version(tmp_path, site, tracker):
    site.page("/doc", cloud_page())
    config = write_config(tmp_path, [doc_source(site.url("/doc"))])
    done = tracker("check", "--dry-run", "--json", "-c", config)
    assert done.code == 0
    doc = done.source("doc")
    assert doc["status"] == "baseline" and doc["compared_with"] is None
    assert not (tmp_path / "snapshots").exists()


def test_a_baseline_file_is_compared_without_being_seeded(tmp_path, site, tracker):
    site.page("/doc", cloud_page(change_clause(AGREEMENT, *FEES)))
    source = {**doc_source(site.url("/doc")), "baseline": str(BASELINE)}
    config = write_config(tmp_path, [source])
    done = tracker("check", "--dry-run", "--json", "-c", config)
    assert done.code == 1
    doc = done.source("doc")
    assert doc["compared_with"] == "the baseline file"
    assert [c["clause"] for c in doc["changes"]] == ["2.7"]
    assert not (tmp_path / "snapshots").exists()


def test_a_selector_change_is_tried_as_the_upgrade_it_would_be(tmp_path, site, tracker):
    story = told(tmp_path, site, tracker, upgrade=False)
    story.configure(selector=[".doc-main"])
    before = tree(story.state)
    done = story.tracker("check", "--dry-run", "--json")
    assert done.code == 0
    doc = done.source("doc")
    assert doc["status"] == "unchanged" and doc["changes"] == []
    assert "would record the stored page read again as an upgrade" in doc["notes"][0]
    assert doc["first_lines"][0] == "# 腾讯会议 API 开发者协议"  # what the new selector takes in
    assert tree(story.state) == before


def test_a_failing_source_is_an_error_and_counts_nothing(tmp_path, site, tracker):
    story = told(tmp_path, site, tracker, upgrade=False)
    story.configure(selector=["#nowhere"])
    before = tree(story.state)
    done = story.tracker("check", "--dry-run", "--json")
    assert done.code == 3
    assert "selector '#nowhere' matched nothing" in done.source("doc")["error"]
    assert tree(story.state) == before  # no failure counted, no lock file made


def test_a_source_whose_only_differences_change_on_every_load_says_so(tmp_path, site, tracker):
    url = serve_busy(site)
    config = write_config(tmp_path, [{"id": "busy", "url": url, "selector": "article"}])
    assert tracker("check", "-c", config).code == 0
    done = tracker("check", "-c", config, "--dry-run", "--json")
    busy = done.json["sources"][0]
    assert busy["status"] == "changed"  # what a check would say: every time
    assert busy["volatile_lines"][0].startswith("阅读量：")
    (note,) = busy["notes"]
    assert note.startswith("only lines that change from one load to the next differ (阅读量：")
    assert 'leave them out with remove = ["div.related"] and ignore = ["^' in note
    human = tracker("check", "-c", config, "--dry-run").out
    assert "only lines that change from one load to the next differ" in human


def test_a_real_change_beside_changing_lines_is_still_the_news(tmp_path, site, tracker):
    url = serve_busy(site)
    config = write_config(tmp_path, [{"id": "busy", "url": url, "selector": "article"}])
    assert tracker("check", "-c", config).code == 0
    text = change_clause(AGREEMENT, "提前10个自然日", "提前5个自然日")
    loads = iter(range(1, 100))
    site.routes["/busy"].handler = lambda _: Response(
        busy_page(next(loads), text), content_type="text/html; charset=utf-8"
    )
    busy = tracker("check", "-c", config, "--dry-run", "--json").json["sources"][0]
    assert busy["status"] == "changed" and "2.7" in [c["clause"] for c in busy["changes"]]
    (note,) = busy["notes"]
    assert note.startswith("4 lines change from one load to the next (阅读量："), note
