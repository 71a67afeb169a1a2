"""A damaged or unusable state folder costs only the source it belongs to (issue 11, 18-19)."""

from __future__ import annotations

import errno
import json
import os
import shutil

import pytest

from tests.conftest import Sink, doc_source, versions, write_config
from tests.pages import AGREEMENT, change_clause, cloud_page
from tracker.errors import describe_os_error

TEN_TO_THREE = change_clause(AGREEMENT, "提前10个自然日", "提前3个自然日")
ELEVEN = change_clause(AGREEMENT, "提前10个自然日", "提前11个自然日")
TWELVE = change_clause(AGREEMENT, "提前10个自然日", "提前12个自然日")


@pytest.fixture
def two(site, tmp_path):
    hook = Sink(site, "/hook")
    site.page("/a", cloud_page())
    site.page("/b", cloud_page())
    sources = [doc_source(site.url("/a"), "a"), doc_source(site.url("/b"), "b")]
    extra = f'[[notify]]\nkind = "webhook"\nurl = "{hook.url}"\n'
    return write_config(tmp_path, sources, extra=extra), tmp_path / "snapshots", hook


def _broken_by_a_file(state):
    shutil.rmtree(state / "a")
    (state / "a").write_text("not a folder", "utf-8")


def _broken_by_a_dangling_link(state):
    shutil.rmtree(state / "a")
    (state / "a").symlink_to(state / "nowhere")


@pytest.mark.parametrize("breakage", [_broken_by_a_file, _broken_by_a_dangling_link])
def test_a_broken_source_folder_costs_that_source_only(site, two, tracker, breakage):
    cfg, state, hook = two
    tracker("check", "--config", cfg)
    breakage(state)
    site.page("/b", cloud_page(TEN_TO_THREE))
    run = tracker("check", "--config", cfg, "--json")
    a, b = run.json["sources"]
    assert a["status"] == "error" and a["error"].startswith("state folder: ")
    assert "\n" not in a["error"] and "Traceback" not in run.err
    assert b["status"] == "changed"  # the healthy source is checked, reported...
    assert [body["id"] for body in hook.bodies] == ["b"]  # ...and delivered
    assert run.code == 3


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_state_folder_is_an_error_per_source(site, two, tracker):
    cfg, state, _ = two
    tracker("check", "--config", cfg)
    site.page("/a", cloud_page(TEN_TO_THREE))
    os.chmod(state / "a", 0o500)
    try:
        src = tracker("check", "--config", cfg, "--json").source("a")
    finally:
        os.chmod(state / "a", 0o700)
    assert src["status"] == "error" and "permission denied" in src["error"]


def test_a_state_dir_that_is_a_file_is_one_line_per_command(site, tmp_path, tracker):
    site.page("/a", cloud_page())
    (tmp_path / "snapshots").write_text("oops", "utf-8")
    cfg = write_config(tmp_path, [doc_source(site.url("/a"), "a")])
    src = tracker("check", "--config", cfg, "--json").source("a")
    assert src["status"] == "error" and src["error"].startswith("state folder: not a directory")
    for command in ("status", "outbox"):
        run = tracker(command, "--config", cfg)
        [line] = run.err.splitlines()
        assert run.code == 3 and line.startswith("tracker: not a directory: "), (command, run.err)


def test_disk_full_is_said_in_one_line():
    exc = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "/srv/state/a/versions")
    assert describe_os_error(exc) == "disk full: /srv/state/a/versions"


def _damage_the_latest(site, two, tracker, file: str, damage: bytes):
    """Record 10 → 11 days, damage one file of that version, then serve 12 days."""
    cfg, state, _ = two
    tracker("check", "--config", cfg)
    site.page("/a", cloud_page(ELEVEN))
    tracker("check", "--config", cfg)
    [v1, v2] = versions(state, "a")
    (state / "a" / "versions" / v2 / file).write_bytes(damage)
    site.page("/a", cloud_page(TWELVE))
    return cfg, state, v1, v2


def test_a_damaged_meta_json_keeps_its_version_and_its_text_is_compared(site, two, tracker):
    """Before: the version was deleted, and the next change compared with the one before it."""
    cfg, state, _, v2 = _damage_the_latest(site, two, tracker, "meta.json", b"{garbled")
    src = tracker("check", "--config", cfg, "--json").source("a")
    [change] = src["changes"]
    assert change["facts"] == [{"old": "11个自然日", "new": "12个自然日", "kind": "duration"}]
    assert (state / "a" / "versions" / v2 / "text.md").exists()


def test_a_version_without_readable_text_is_set_aside_and_the_result_says_so(site, two, tracker):
    cfg, state, v1, v2 = _damage_the_latest(site, two, tracker, "text.md", b"\xff\xfe not utf-8")
    run = tracker("check", "--config", cfg, "--json")
    src = run.source("a")
    assert src["notes"] == [
        f"version {v2} has a text that cannot be read; set aside in damaged/{v2}",
        f"compared with version {v1}",
    ]
    assert (state / "a" / "damaged" / v2 / "text.md").exists()  # kept, never deleted
    human = tracker("check", "--config", cfg)
    assert human.code == 0
    alert = json.loads(
        (state / "a" / "versions" / versions(state, "a")[-1] / "alert.json").read_text()
    )
    assert alert["source"]["notes"] == src["notes"]


def test_a_hand_edited_state_with_wrong_types_costs_its_bookkeeping_only(site, two, tracker):
    cfg, state, _ = two
    tracker("check", "--config", cfg)
    (state / "a" / "state.json").write_text(
        '{"failures": "many", "follows": [], "etag": 5}', "utf-8"
    )
    site.page("/a", cloud_page(TEN_TO_THREE))
    src = tracker("check", "--config", cfg, "--json").source("a")
    assert src["status"] == "changed" and [c["clause"] for c in src["changes"]] == ["2.7"]


def test_a_link_where_the_state_is_written_is_never_followed(site, two, tracker, tmp_path):
    """Before: the fixed temporary name .tmp-state.json was opened following links, so a link
    there made a check overwrite its target."""
    cfg, state, _ = two
    tracker("check", "--config", cfg)
    target = tmp_path / "precious.txt"
    target.write_text("keep me", "utf-8")
    (state / "a" / ".tmp-state.json").symlink_to(target)
    site.page("/a", cloud_page(TEN_TO_THREE))
    assert tracker("check", "--config", cfg).code == 1
    assert target.read_text("utf-8") == "keep me"
    assert json.loads((state / "a" / "state.json").read_text("utf-8"))["last_status"] == "changed"


def test_a_link_where_the_lock_is_taken_is_never_followed(site, two, tracker, tmp_path):
    """The source's lock is opened without following links: a link planted at ``.lock``
    fails that source's check (a state folder problem), and its target is left as it was."""
    cfg, state, _ = two
    tracker("check", "--config", cfg)
    target = tmp_path / "precious.txt"
    target.write_text("keep me", "utf-8")
    (state / "a" / ".lock").unlink()
    (state / "a" / ".lock").symlink_to(target)
    site.page("/a", cloud_page(change_clause(AGREEMENT, "2.7", "提前3个自然日")))
    site.page("/b", cloud_page(change_clause(AGREEMENT, "2.7", "提前3个自然日")))
    run = tracker("check", "--config", cfg, "--json")
    assert run.code == 3
    assert "state folder" in run.source("a")["error"]
    assert run.source("b")["status"] == "changed"
    assert target.read_text("utf-8") == "keep me" and os.stat(target).st_size == 7
