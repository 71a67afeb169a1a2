"""A run killed at any point leaves the store readable, and the next run carries on.

The run is a real process (forked), killed with SIGKILL at a chosen write:
while a version's files are being written, just before or just after the
rename that publishes it, or while the state file is replaced.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import signal

import pytest

from tests.conftest import doc_source, versions, write_config
from tests.pages import AGREEMENT, change_clause, cloud_page
from tracker import cli
from tracker.store import source as store
from tracker.store.source import SourceStore

NEW = change_clause(AGREEMENT, "提前10个自然日", "提前3个自然日")


def _run_and_die_at(cfg: str, target: str, nth: int) -> None:
    """Child process: run `tracker check`, SIGKILL ourselves at the nth call of target."""
    calls = 0
    original = getattr(store.os if target == "replace" else store, _ATTR[target])

    def dying(*args, **kwargs):
        nonlocal calls
        calls += 1
        if calls == nth:
            os.kill(os.getpid(), signal.SIGKILL)
        return original(*args, **kwargs)

    if target == "replace":
        store.os.replace = dying
    else:
        setattr(store, _ATTR[target], dying)
    cli.main(["check", "--config", cfg])
    os._exit(99)  # the kill point was never reached


_ATTR = {"replace": "replace", "write": "write", "fsync_dir": "fsync_dir"}

KILL_POINTS = [
    ("write", 1),  # text.md of the new version half-written
    ("write", 2),  # meta.json
    ("write", 3),  # page.html.gz
    ("fsync_dir", 1),  # all files written, folder not yet renamed
    ("replace", 1),  # just before the version folder is renamed into place
    ("fsync_dir", 2),  # version published, state not yet updated
    ("replace", 2),  # state.json about to be replaced
]


@pytest.mark.parametrize(("target", "nth"), KILL_POINTS, ids=[f"{t}-{n}" for t, n in KILL_POINTS])
def test_killed_run_leaves_readable_state_and_next_run_carries_on(
    site, tmp_path, tracker, target, nth
):
    site.page("/doc", cloud_page())
    cfg = write_config(tmp_path, [doc_source(site.url("/doc"))])
    state = tmp_path / "snapshots"
    assert tracker("check", "--config", cfg).code == 0
    site.page("/doc", cloud_page(NEW))

    child = multiprocessing.get_context("fork").Process(
        target=_run_and_die_at, args=(str(cfg), target, nth)
    )
    child.start()
    child.join(60)
    assert child.exitcode == -signal.SIGKILL

    # Whatever the kill left behind, the store reads cleanly.
    s = SourceStore(state, "doc")
    s.read_state()
    for name in s.versions.names():
        v = s.versions.get(name)
        assert v.text in (AGREEMENT, NEW)
        assert v.meta["version"] == name
    assert s.versions.latest().text in (AGREEMENT, NEW)

    # The next run finishes the job: the change is recorded once, never twice.
    after = tracker("check", "--config", cfg, "--json")
    assert after.code in (0, 1), after.out
    assert [s.versions.get(n).text for n in s.versions.names()] == [AGREEMENT, NEW]
    leftovers = [p for p in (state / "doc").rglob(".tmp-*")]
    assert leftovers == []
    assert json.loads((state / "doc" / "state.json").read_text())["last_status"] in (
        "changed",
        "unchanged",
    )
    final = tracker("check", "--config", cfg, "--json")
    assert final.code == 0 and final.source("doc")["status"] == "unchanged"
    assert len(versions(state, "doc")) == 2


def test_torn_first_version_is_set_aside_not_compared(site, tmp_path, tracker):
    """A power cut can empty an unsynced first version; it must never read as a change."""
    site.page("/doc", cloud_page())
    cfg = write_config(tmp_path, [doc_source(site.url("/doc"))])
    state = tmp_path / "snapshots"
    assert tracker("check", "--config", cfg).code == 0
    (first,) = versions(state, "doc")
    (state / "doc" / "versions" / first / "text.md").write_bytes(
        b""
    )  # what delayed allocation can leave after a power cut
    (state / "doc" / "state.json").unlink()  # the state was not synced either

    again = tracker("check", "--config", cfg, "--json")
    assert again.code == 0, again.out
    assert again.source("doc")["status"] == "baseline"
    assert again.source("doc")["changes"] == []
    (kept,) = versions(state, "doc")
    assert (state / "doc" / "versions" / kept / "text.md").read_text("utf-8") == AGREEMENT
    assert [p for p in (state / "doc").rglob(".tmp-*")] == []
