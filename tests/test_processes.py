"""A large check spread over processes (its parts): same results, same records, limits kept."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from werkzeug import Request, Response

from tests.conftest import ROOT, Sink, doc_source, run_subprocess, versions, write_config
from tests.pages import AGREEMENT, change_clause, cloud_page
from tracker.cli import load_config
from tracker.config import Config
from tracker.notify.queue import listeners_for
from tracker.run import processes

pytestmark = pytest.mark.slow


def _load(tmp_path: Path, n: int, **settings: object) -> Config:
    sources = [doc_source(f"http://127.0.0.1:9/{i}", f"s{i}") for i in range(n)]
    return load_config(write_config(tmp_path, sources, settings))


@pytest.mark.parametrize(
    ("n", "settings", "cores", "expected"),
    [
        (3, {}, 8, 1),  # auto: too few sources to be worth a second interpreter
        (450, {}, 8, 2),  # auto: one per 200 sources...
        (1000, {}, 2, 2),  # ...and no more than there are cores
        (1000, {}, 1, 1),
        (5, {"processes": 3}, 1, 3),  # asked for: cores do not matter
        (2, {"processes": 3}, 8, 2),  # never more parts than sources
        (9, {"processes": 4, "per_host": 2}, 8, 2),  # each part needs a fetch per host
        (9, {"processes": 4, "concurrency": 3}, 8, 3),
        (9, {"processes": 1}, 8, 1),
    ],
)
def test_processes_for(tmp_path, n, settings, cores, expected):
    assert processes.processes_for(_load(tmp_path, n, **settings), cores=cores) == expected


def test_split_deals_sources_round_robin_and_shares_the_limits(tmp_path):
    cfg = _load(tmp_path, 7, per_host=5, concurrency=16, processes=3)
    parts = processes.split(cfg, 3)
    assert [[s.id for s in p.sources] for p in parts] == [
        ["s0", "s3", "s6"],
        ["s1", "s4"],
        ["s2", "s5"],
    ]
    assert [p.settings.per_host for p in parts] == [2, 2, 1]
    assert [p.settings.concurrency for p in parts] == [6, 5, 5]
    assert {p.settings.processes for p in parts} == {1}
    assert {p.settings.state_dir for p in parts} == {cfg.settings.state_dir}


@pytest.mark.parametrize("value", ["two", 0, True, 1.5])
def test_processes_must_be_auto_or_a_whole_number(tmp_path, tracker, value):
    cfg = write_config(tmp_path, [doc_source("http://127.0.0.1:9/")], {"processes": value})
    run = tracker("check", "--config", cfg)
    assert run.code == 2
    assert run.err.strip().endswith('tracker.processes: must be "auto" or a whole number >= 1')


def test_a_run_in_parts_reports_in_order_and_alerts_once(site, tmp_path):
    """Baseline, then one change in each part: exact statuses, one webhook post per change."""
    ids = [f"doc-{n}" for n in range(6)]
    for sid in ids:
        site.page(f"/{sid}", cloud_page(change_clause(AGREEMENT, "9.2 ", f"9.2 ({sid}) ")))
    hook = Sink(site, "/hook")
    webhook = f'[[notify]]\nkind = "webhook"\nurl = "{hook.url}"\n'
    sources = [doc_source(site.url(f"/{sid}"), sid) for sid in reversed(ids)]
    cfg = write_config(tmp_path, sources, {"processes": 2}, extra=webhook)

    first = run_subprocess("check", "--config", cfg, "--json")
    assert first.code == 0, first.err
    assert [s["id"] for s in first.json["sources"]] == list(reversed(ids))
    assert {s["status"] for s in first.json["sources"]} == {"baseline"}
    assert first.err == ""

    # doc-5 and doc-4 come first and second in the config: one in each part.
    for sid in ("doc-5", "doc-4"):
        changed = change_clause(AGREEMENT, "提前10个自然日", "提前3个自然日")
        site.page(f"/{sid}", cloud_page(change_clause(changed, "9.2 ", f"9.2 ({sid}) ")))
    second = run_subprocess("check", "--config", cfg, "--json")
    assert second.code == 1, second.err
    statuses = {s["id"]: s["status"] for s in second.json["sources"]}
    assert statuses == {sid: "changed" if sid in ("doc-5", "doc-4") else "unchanged" for sid in ids}
    assert [c["clause"] for c in second.source("doc-4")["changes"]] == ["2.7"]
    assert sorted(p["id"] for p in hook.bodies) == ["doc-4", "doc-5"]
    assert [d["status"] for d in second.json["deliveries"]] == ["sent", "sent"]

    third = run_subprocess("check", "--config", cfg, "--json")
    assert third.code == 0 and len(hook.bodies) == 2
    assert all(
        len(versions(tmp_path / "snapshots", sid)) == (2 if sid in ("doc-5", "doc-4") else 1)
        for sid in ids
    )


@pytest.mark.skipif(
    not Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children").exists(),
    reason="needs Linux's /proc/PID/task/TID/children to find the worker processes",
)
def test_a_part_whose_process_dies_is_an_error_for_its_sources_only(site, tmp_path):
    """The second part's process is killed mid-fetch: its source fails; nothing is lost."""
    site.page("/a", cloud_page())

    def kill_the_part(request: Request) -> Response:
        for child in _children(os.getpid()):
            if "tracker.run.processes" in Path(f"/proc/{child}/cmdline").read_text():
                os.kill(child, signal.SIGKILL)  # the run reaps it, and reports its status
        return Response(cloud_page(), content_type="text/html; charset=utf-8")

    site.page("/b", handler=kill_the_part)
    sources = [doc_source(site.url("/a"), "a"), doc_source(site.url("/b"), "b")]
    cfg = load_config(write_config(tmp_path, sources, {"processes": 2}))

    results = asyncio.run(processes.check(cfg, listeners_for(cfg)))
    assert [(r.source.id, r.status) for r in results] == [("a", "baseline"), ("b", "error")]
    assert results[1].error == "internal error: worker process exited with status -9"
    assert results[1].source is cfg.sources[1]
    assert versions(tmp_path / "snapshots", "b") == []

    site.page("/b", cloud_page())
    again = asyncio.run(processes.check(cfg, listeners_for(cfg)))
    assert [(r.source.id, r.status) for r in again] == [("a", "unchanged"), ("b", "baseline")]


@pytest.mark.skipif(
    not Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children").exists(),
    reason="needs Linux's /proc/PID/task/TID/children to find the worker processes",
)
def test_ctrl_c_stops_every_process_with_one_message(site, tmp_path):
    """SIGINT to the process group mid-fetch: exit 130, one line, no child left running."""
    arrived, release = threading.Semaphore(0), threading.Event()

    def slow(request: Request) -> Response:
        arrived.release()
        release.wait(10)
        return Response(cloud_page(), content_type="text/html; charset=utf-8")

    site.page("/a", handler=slow)
    site.page("/b", handler=slow)
    sources = [doc_source(site.url("/a"), "a"), doc_source(site.url("/b"), "b")]
    cfg = write_config(tmp_path, sources, {"processes": 2})
    proc = subprocess.Popen(
        [sys.executable, "-m", "tracker", "check", "--config", str(cfg)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal gives it
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        for _ in range(2):  # both parts are fetching
            assert arrived.acquire(timeout=20)
        children = _children(proc.pid)
        assert children  # the second part runs in a process of its own
        os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=20)
        assert proc.returncode == 130
        assert err == "tracker: interrupted\n"
        deadline = time.monotonic() + 10  # the ones that outlive it see it go, then end
        while (running := [p for p in children if _alive(p)]) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert running == []  # and not one still waiting for its page
    finally:
        release.set()
        if proc.poll() is None:
            proc.kill()


def _alive(pid: int) -> bool:
    """Whether ``pid`` still runs (an ended process nobody reaped yet is a zombie, "Z")."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _children(pid: int) -> list[int]:
    """The processes ``pid`` started, all of its threads included (Linux /proc)."""
    tasks = Path(f"/proc/{pid}/task")
    return [int(c) for task in tasks.iterdir() for c in (task / "children").read_text().split()]


def test_when_no_process_can_be_started_one_process_checks_everything(
    site, tmp_path, monkeypatch, caplog
):
    site.page("/a", cloud_page())
    site.page("/b", cloud_page())
    sources = [doc_source(site.url("/a"), "a"), doc_source(site.url("/b"), "b")]
    cfg = load_config(write_config(tmp_path, sources, {"processes": 2}))

    def no_more_processes(*args, **kwargs):
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(processes.subprocess, "Popen", no_more_processes)
    results = asyncio.run(processes.check(cfg, listeners_for(cfg)))
    assert [(r.source.id, r.status) for r in results] == [("a", "baseline"), ("b", "baseline")]
    assert "could not start a worker process ([Errno 11] Resource temporarily unavailable)" in (
        caplog.text
    )
