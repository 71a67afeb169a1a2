"""tracker history, diff and show on a real sequence of versions, and their bad input."""

from __future__ import annotations

import json

import pytest

from .conftest import doc_source, versions, write_config
from .history_story import BASELINE, told
from .pages import cloud_page


@pytest.fixture
def story(tmp_path, site, tracker):
    return told(tmp_path, site, tracker)


def test_history_lists_every_version_newest_first(story):
    done = story.tracker("history", "doc")
    assert done.code == 0, done.err
    lines = done.out.splitlines()
    assert lines[0].startswith("doc  《腾讯会议 API 开发者协议》  4 versions")
    origins = [line.split()[2] for line in lines[1:]]
    assert origins == ["upgrade", "fetch", "fetch", "baseline"]
    assert "settings changed: selector (the stored page read again)" in lines[1]
    assert "1 change  critical  watches: fees" in lines[3]
    assert "1 change  info" in lines[2]


def test_history_json_limit_and_since(story):
    rows = story.tracker("history", "doc", "--json").json["versions"]
    assert [r["origin"] for r in rows] == ["upgrade", "fetch", "fetch", "baseline"]
    assert rows[0]["settings"] == ["selector"] and rows[0]["how"] == "reread"
    assert rows[2]["watches"] == ["fees"] and rows[2]["severity"] == "critical"
    assert rows[2]["changes"] == 1 and rows[3]["changes"] == 0
    assert rows[0]["version"].startswith("0004_") and rows[0]["time"].endswith("Z")
    limited = story.tracker("history", "doc", "--json", "--limit", "2").json["versions"]
    assert [r["version"] for r in limited] == [r["version"] for r in rows[:2]]
    assert story.tracker("history", "doc", "--json", "--since", "2999-01-01").json == {
        "source": "doc",
        "versions": [],
    }
    since = story.tracker("history", "doc", "--json", "--since", "2020-01-01T00:00:00+08:00")
    assert len(since.json["versions"]) == 4


def test_history_of_every_source_is_each_last_change(story, site):
    story.site.page("/other", cloud_page())
    other = doc_source(site.url("/other"), "other")
    write_config(story.folder, [story.source, other], story.settings, story.extra)
    done = story.tracker("history")
    assert done.code == 0, done.err
    doc, rest = done.out.splitlines()
    assert doc.startswith("doc  0003_") and "1 change  info" in doc  # the upgrade is no change
    assert rest == "other  nothing recorded yet"
    rows = story.tracker("history", "--json").json["sources"]
    assert rows[0]["last_change"]["version"].startswith("0003_") and rows[0]["versions"] == 4
    assert rows[1] == {"source": "other", "versions": 0, "last_change": None}


def test_diff_defaults_to_the_latest_change_as_check_printed_it(story):
    done = story.tracker("diff", "doc")
    assert done.code == 0, done.err
    assert done.out.splitlines()[0].startswith(
        f"doc: {story.checks[1].source('doc')['version']} → "
        f"{story.checks[2].source('doc')['version']} (alerted 20"
    )
    assert "9.1  modified  · 9. 其他 › 9.1  · info" in done.out
    assert "腾讯有权[-在必要-]{+随+}时单方修改本协议" in done.out


def test_diff_json_holds_the_change_objects_check_reported(story):
    for step, ref in ((1, "0002"), (2, "0003")):
        reported = story.checks[step].source("doc")
        done = story.tracker("diff", "doc", ref, "--json")
        assert done.code == 0, done.err
        assert done.json["to"] == reported["version"]
        assert done.json["changes"] == reported["changes"]
        assert done.json["alerts"] == reported["alerts"]
        assert done.json["severity"] == reported["severity"]


def test_diff_between_any_two_versions_and_across_an_upgrade(story):
    done = story.tracker("diff", "doc", "0001", "0003", "--json")
    assert [c["clause"] for c in done.json["changes"]] == ["2.7", "9.1"]
    assert done.json["alerts"] == [{"watch": "fees", "severity": "critical", "clauses": ["2.7"]}]
    assert done.json["notes"] == []
    across = story.tracker("diff", "doc", "previous", "latest")
    assert across.code == 0
    assert "! version 0004_" in across.out and "is an upgrade" in across.out
    plain = story.tracker("diff", "doc", "0004")  # the upgrade: what re-reading took in
    assert "upgrade" in plain.out and "    + 腾讯会议 API 开发者协议" in plain.out
    assert "# " not in plain.out  # a heading is shown without its marks


def test_show_prints_a_version_and_its_outline(story):
    first = story.tracker("show", "doc", "0001")
    assert first.code == 0
    assert "提前10个自然日" in first.out and "提前3个自然日" not in first.out
    latest = story.tracker("show", "doc")
    assert "提前3个自然日" in latest.out and "腾讯有权随时单方修改本协议" in latest.out
    outline = story.tracker("show", "doc", "--clauses").out.splitlines()
    fees = next(line for line in outline if line.startswith("2.7 "))
    assert "2. 重要提示" in fees and "尽管目前您使用本服务可能不需要付费" in fees
    assert any(line.startswith("3.3.3(1) ") for line in outline)
    assert outline[0].startswith("(preamble)")
    assert outline[-1].endswith("numbered clauses)")
    ids = [line.split()[0] for line in outline[:-1]]
    assert len(ids) == len(set(ids))  # a clause's paragraphs are not rows of their own


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("history", "nope"), "no source with id 'nope'"),
        (("diff", "nope"), "no source with id 'nope'"),
        (("show", "nope"), "no source with id 'nope'"),
        (("diff", "doc", "0009"), "version '0009' matches 0 versions (none)"),
        (("show", "doc", "0009"), "version '0009' matches 0 versions"),
        (("diff", "doc", "000"), "version '000' matches 4 versions"),
        (("diff", "doc", "0003", "0002"), "was recorded after TO"),
        (("diff", "doc", "0002", "0002"), "FROM and TO are the same version"),
        (("diff", "doc", "0001"), "is the first version: nothing before it"),
        (("diff", "doc", "1", "2", "3"), "at most two versions"),
        (("history", "doc", "--since", "last week"), "--since: 'last week' is not a date"),
        (("history", "doc", "--limit", "0"), "--limit: 0 is not a number of versions"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(story, args, says):
    done = story.tracker(*args)
    assert done.code == 2
    assert done.out == ""
    assert says in done.err and done.err.count("\n") == 1, done.err


def test_an_empty_history_is_one_line_and_exit_2(tmp_path, site, tracker):
    site.page("/doc", cloud_page())
    config = write_config(tmp_path, [doc_source(site.url("/doc"))])
    for args in (("history", "doc"), ("diff", "doc"), ("show", "doc"), ("show", "doc", "-")):
        done = tracker(*args, "-c", config)
        assert done.code == 2, args
        assert done.err == "tracker: doc: no versions recorded yet (run tracker check first)\n"


def test_diff_without_a_recorded_change_says_so(tmp_path, site, tracker):
    site.page("/doc", cloud_page())
    source = {**doc_source(site.url("/doc")), "baseline": str(BASELINE)}
    config = write_config(tmp_path, [source])
    assert tracker("check", "-c", config).code == 0
    done = tracker("diff", "doc", "-c", config)
    assert (done.code, done.err) == (
        2,
        "tracker: doc: no change recorded yet (tracker history doc)\n",
    )


def test_a_damaged_version_is_one_line_not_a_traceback(story):
    versions = story.state / "doc" / "versions"
    second = sorted(versions.iterdir())[1]
    (second / "meta.json").write_text("{torn", "utf-8")  # damaged metadata: the text counts
    torn = story.tracker("diff", "doc", "0001", "0002", "--json")
    assert torn.code == 0 and [c["clause"] for c in torn.json["changes"]] == ["2.7"]
    (second / "text.md").unlink()  # no text: nothing to compare
    done = story.tracker("diff", "doc", "0001", "0002")
    assert done.code == 3
    assert done.err.startswith("tracker: a recorded version cannot be read:")
    assert "Traceback" not in done.err and done.err.count("\n") == 1
    assert json.loads((sorted(versions.iterdir())[0] / "meta.json").read_text())["origin"]


@pytest.mark.parametrize("meta", ["[]", "null", '"text"', "3"])
def test_metadata_that_is_json_but_no_object_is_damaged_metadata(story, meta):
    """Before: `[]` or `null` in any version's meta.json crashed history, the report and every
    check with report_dir (a traceback, exit 1)."""
    names = versions(story.state, "doc")
    (story.state / "doc" / "versions" / names[1] / "meta.json").write_text(meta, "utf-8")
    listed = story.tracker("history", "doc", "--json")
    assert listed.code == 0, listed.err
    assert len(listed.json["versions"]) == len(names)
    assert story.tracker("report", "--out", story.folder / "site").code == 0
    story.settings = {"report_dir": "site"}
    story.configure()
    checked = story.check()
    assert checked.code in (0, 1) and "Traceback" not in checked.err, checked.err
    assert story.tracker("diff", "doc", names[0], names[2]).code == 0
