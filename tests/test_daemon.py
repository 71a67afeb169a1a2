"""`tracker daemon` as a real subprocess against a local site, on a 1-second schedule."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from werkzeug import Request, Response

from tests.chromium import needs_chromium
from tests.conftest import ROOT, doc_source, run_subprocess, versions, write_config
from tests.pages import AGREEMENT, change_clause, cloud_page
from tests.test_render import SHELL
from tracker.cli import load_config

pytestmark = [pytest.mark.daemon, pytest.mark.slow]

TEN_TO_THREE = change_clause(AGREEMENT, "提前10个自然日", "提前3个自然日")


class Hook:
    def __init__(self, site) -> None:
        self.bodies: list[dict] = []
        site.page("/hook", handler=self._handle)
        self.url = site.url("/hook")

    def _handle(self, request: Request) -> Response:
        self.bodies.append(json.loads(request.get_data()))
        return Response("ok")

    def events(self, event: str) -> list[dict]:
        return [b for b in self.bodies if b["event"] == event]


class DaemonProcess:
    def __init__(self, cfg: Path, log: Path, *extra: str) -> None:
        self.log = log
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tracker", "daemon", "--config", str(cfg), *extra],
            stdout=subprocess.DEVNULL,
            stderr=log.open("w"),
            env=env,
        )

    def lines(self, *needles: str) -> list[str]:
        text = self.log.read_text("utf-8") if self.log.exists() else ""
        return [line for line in text.splitlines() if all(n in line for n in needles)]

    def wait_for(self, predicate, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            assert self.proc.poll() is None, f"daemon exited: {self.log.read_text()}"
            time.sleep(0.1)
        raise AssertionError(f"timed out; daemon log:\n{self.log.read_text()}")

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=10)


@pytest.fixture
def daemon(tmp_path):
    started: list[DaemonProcess] = []

    def start(cfg: Path, *extra: str) -> DaemonProcess:
        d = DaemonProcess(cfg, tmp_path / f"daemon{len(started)}.log", *extra)
        started.append(d)
        return d

    yield start
    for d in started:
        if d.proc.poll() is None:
            d.proc.kill()
            d.proc.wait()


SETTINGS = {"interval": "1s", "outbox_interval": "1s", "retries": 0, "timeout": "5s"}


def _config(tmp_path, site, hook, sources=None, **settings):
    extra = f'[[notify]]\nkind = "webhook"\nurl = "{hook.url}"\n' if hook else ""
    sources = sources or [doc_source(site.url("/doc"))]
    return write_config(tmp_path, sources, {**SETTINGS, **settings}, extra=extra)


def test_repeated_checks_one_log_line_each_and_status(site, tmp_path, daemon):
    site.page("/doc", cloud_page())
    cfg = _config(tmp_path, site, None)
    d = daemon(cfg)
    d.wait_for(lambda: len(d.lines("check", "source=doc")) >= 3)
    first, *rest = d.lines("check", "source=doc")
    assert "status=baseline" in first and "duration=" in first
    assert all("status=unchanged" in line for line in rest)
    status = run_subprocess("status", "--config", cfg, "--json")
    assert status.code == 0
    payload = json.loads(status.out)
    assert payload["daemon"]["pid"] == d.proc.pid
    [row] = payload["sources"]
    assert row["id"] == "doc" and row["next_run"] and row["last_status"] == "unchanged"
    assert row["failures"] == 0 and row["pending_alerts"] == 0
    human = run_subprocess("status", "--config", cfg)
    assert f"daemon: running (pid {d.proc.pid}" in human.out and "doc" in human.out
    assert d.stop() == 0


def test_a_change_is_alerted_exactly_once(site, tmp_path, daemon):
    site.page("/doc", cloud_page())
    hook = Hook(site)
    d = daemon(_config(tmp_path, site, hook))
    d.wait_for(lambda: d.lines("status=unchanged"))
    site.page("/doc", cloud_page(TEN_TO_THREE))
    d.wait_for(lambda: hook.events("change"))
    checks = len(d.lines("check", "source=doc"))
    d.wait_for(lambda: len(d.lines("check", "source=doc")) >= checks + 3)
    [alert] = hook.events("change")
    assert alert["changes"][0]["clause"] == "2.7"
    assert len(d.lines("status=changed")) == 1
    assert d.stop() == 0


def test_a_period_of_503s_is_survived(site, tmp_path, daemon):
    site.page("/doc", cloud_page())
    hook = Hook(site)
    d = daemon(_config(tmp_path, site, hook))
    d.wait_for(lambda: d.lines("status=unchanged"))
    site.page("/doc", "unavailable", status=503)
    d.wait_for(lambda: len(d.lines("status=error", "HTTP 503")) >= 4)
    site.page("/doc", cloud_page())
    errors = len(d.lines("status=error"))
    d.wait_for(lambda: d.lines("status=unchanged") and len(d.lines("check")) > errors + 2)
    d.wait_for(lambda: hook.events("recovered"))
    assert len(hook.events("failing")) == 1 and hook.events("change") == []
    assert d.proc.poll() is None
    assert d.stop() == 0


def test_a_concurrent_check_causes_no_duplicate_alert(site, tmp_path, daemon):
    site.page("/doc", cloud_page())
    hook = Hook(site)
    cfg = _config(tmp_path, site, hook)
    d = daemon(cfg)
    d.wait_for(lambda: d.lines("status=unchanged"))
    site.page("/doc", cloud_page(TEN_TO_THREE))
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "tracker", "check", "--config", str(cfg)],
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(3)
    ]
    codes = [p.wait(timeout=60) for p in runs]
    assert set(codes) <= {0, 1}
    d.wait_for(lambda: hook.events("change"))
    checks = len(d.lines("check", "source=doc"))
    d.wait_for(lambda: len(d.lines("check", "source=doc")) >= checks + 2)
    assert len(hook.events("change")) == 1
    versions = list((tmp_path / "snapshots" / "doc" / "versions").iterdir())
    assert len(versions) == 2
    assert d.stop() == 0


def test_sigterm_exits_0_promptly_even_during_a_fetch(site, tmp_path, daemon):
    def slow(request: Request) -> Response:
        time.sleep(8)
        return Response(cloud_page(), content_type="text/html; charset=utf-8")

    site.page("/doc", handler=slow)
    d = daemon(_config(tmp_path, site, None, timeout="20s"))
    d.wait_for(lambda: any(r.path == "/doc" for r in site.requests))
    started = time.monotonic()
    assert d.stop() == 0
    assert time.monotonic() - started < 4
    assert d.lines("stopping")


def test_reload_on_sighup_and_on_file_change(site, tmp_path, daemon):
    site.page("/doc", cloud_page())
    site.page("/other", cloud_page())
    cfg = _config(tmp_path, site, None)
    d = daemon(cfg)
    d.wait_for(lambda: d.lines("source=doc"))

    _config(
        tmp_path,
        site,
        None,
        sources=[doc_source(site.url("/doc")), doc_source(site.url("/other"), "other")],
    )
    d.proc.send_signal(signal.SIGHUP)
    d.wait_for(lambda: d.lines("reloaded", "added=other"))
    d.wait_for(lambda: d.lines("check", "source=other"))

    cfg.write_text(cfg.read_text() + "\n[[source]]\nid = 'broken'\n")  # no url: invalid
    d.wait_for(lambda: d.lines("reload-failed", "source.broken.url"))
    seen = len(d.lines("check", "source=other"))
    d.wait_for(
        lambda: len(d.lines("check", "source=other")) > seen
    )  # the old config stays in force

    _config(tmp_path, site, None)  # a valid file again, without "other": picked up without a signal
    d.wait_for(lambda: d.lines("reloaded", "file changed"))
    # The same interval checks doc again and again: once it has been checked after the reload
    # (any check of other in flight then has ended), and twice more, other has had its turns.
    checks = len(d.lines("check", "source=doc"))
    d.wait_for(lambda: len(d.lines("check", "source=doc")) > checks)
    seen = len(d.lines("check", "source=other"))
    d.wait_for(lambda: len(d.lines("check", "source=doc")) > checks + 2)
    assert len(d.lines("check", "source=other")) == seen
    assert d.stop() == 0


def test_a_second_daemon_on_the_same_state_refuses_to_start(site, tmp_path, daemon):
    site.page("/doc", cloud_page())
    cfg = _config(tmp_path, site, None)
    first = daemon(cfg)
    first.wait_for(lambda: first.lines("started"))
    second = daemon(cfg)
    assert second.proc.wait(timeout=20) == 2
    assert second.lines("another tracker daemon is running")
    assert first.stop() == 0


def test_log_format_json(site, tmp_path, daemon):
    site.page("/doc", cloud_page())
    d = daemon(_config(tmp_path, site, None), "--log-format", "json")
    d.wait_for(lambda: d.lines('"event": "check"'))
    record = json.loads(d.lines('"event": "check"')[0])
    assert record["source"] == "doc" and record["status"] == "baseline" and "duration" in record
    assert d.stop() == 0


def test_a_reload_closes_the_old_client_once_no_check_uses_it(site, tmp_path):
    from tracker.run.clients import Clients

    cfg = load_config(_config(tmp_path, site, None))
    site.page("/doc", cloud_page())

    async def scenario() -> None:
        clients = Clients()
        await clients.renew(cfg.settings)
        async with clients.borrow() as first:  # a check is using it
            assert first is not None
            await clients.renew(cfg.settings)  # a reload
            assert clients.open() == [first, clients.current]
            page = await first.fetch(site.url("/doc"))  # still open for the check in flight
            assert page.status == 200
        assert clients.open() == [clients.current]  # the check ended: the old one is closed
        with pytest.raises(RuntimeError, match="closed"):
            await first.fetch(site.url("/doc"))
        await clients.close()

    asyncio.run(scenario())


# -- issue 11: the daemon's defects, each reproduced ----------------------------------------


def test_every_delivery_is_one_log_line(site, tmp_path, daemon):
    """Before: every delivery raised TypeError in the log call, and none was logged."""
    hook = Hook(site)
    site.page("/doc", cloud_page())
    d = daemon(_config(tmp_path, site, hook))
    d.wait_for(lambda: d.lines("source=doc", "status=baseline"))
    site.page("/doc", cloud_page(TEN_TO_THREE))
    d.wait_for(lambda: d.lines("delivery", "source=doc", "channel=webhook", "status=sent"))
    [line] = d.lines("delivery", "status=sent")
    assert "attempts=1" in line and "Traceback" not in d.log.read_text()
    assert d.stop() == 0


def test_a_hung_delivery_neither_delays_checks_nor_stopping(site, tmp_path, daemon):
    """Before: SIGTERM waited 34 s for the hung send, and checks were skipped meanwhile."""
    hung = []

    def hang(request: Request) -> Response:
        hung.append(time.monotonic())
        time.sleep(30)
        return Response("too late")

    site.page("/hook", handler=hang)
    site.page("/doc", cloud_page())
    cfg = _config(tmp_path, site, None, timeout="10s", retries=2)
    cfg.write_text(cfg.read_text() + f'[[notify]]\nkind = "webhook"\nurl = "{site.url("/hook")}"\n')
    d = daemon(cfg)
    d.wait_for(lambda: d.lines("source=doc", "status=baseline"))
    site.page("/doc", cloud_page(TEN_TO_THREE))
    d.wait_for(lambda: bool(hung))
    checks = len(d.lines("check", "source=doc"))
    d.wait_for(lambda: len(d.lines("check", "source=doc")) >= checks + 2, timeout=8)  # go on
    assert not d.lines("maximum number of running instances", "_check")  # no check skipped
    started = time.monotonic()
    assert d.stop() == 0
    assert time.monotonic() - started < 5  # the bound for systemd's TimeoutStopSec
    # The send was cut short, so it was never marked: the next start delivers it.
    queued = list((tmp_path / "snapshots" / "outbox").glob("*.json"))
    assert (
        len(queued) == 1
        and json.loads(queued[0].read_text())["deliveries"]["webhook"]["status"] == "pending"
    )


def test_reloads_keep_each_sources_next_run(site, tmp_path, daemon):
    """Before: each reload pushed every source a full interval away: never checked again."""
    for sid in ("a", "b", "c"):
        site.page(f"/{sid}", cloud_page())
    sources = [doc_source(site.url(f"/{sid}"), sid) for sid in ("a", "b", "c")]
    d = daemon(_config(tmp_path, site, None, sources=sources, interval="2s"))
    d.wait_for(lambda: all(d.lines("check", f"source={sid}") for sid in ("a", "b", "c")))
    before = {sid: len(d.lines("check", f"source={sid}")) for sid in ("a", "b", "c")}
    deadline = time.monotonic() + 6
    while time.monotonic() < deadline:  # a SIGHUP every half second: 12 reloads
        d.proc.send_signal(signal.SIGHUP)
        time.sleep(0.5)
    after = {sid: len(d.lines("check", f"source={sid}")) for sid in ("a", "b", "c")}
    assert all(after[sid] >= before[sid] + 2 for sid in after), (before, after)
    assert len(d.lines("reloaded")) >= 10
    assert d.stop() == 0


def test_the_status_file_is_written_at_most_every_few_seconds(site, tmp_path, daemon):
    sources = []
    for n in range(20):
        site.page(f"/{n}", cloud_page())
        sources.append(doc_source(site.url(f"/{n}"), f"s{n}"))
    d = daemon(_config(tmp_path, site, None, sources=sources))
    status = tmp_path / "snapshots" / "daemon.json"
    d.wait_for(status.exists)
    seen: set[int] = set()

    def sixty_checks_seen() -> bool:  # sampling the file's writes until then
        with contextlib.suppress(FileNotFoundError):
            seen.add(status.stat().st_mtime_ns)
        return len(d.lines("check")) >= 60

    d.wait_for(sixty_checks_seen, timeout=30)
    assert len(seen) <= 4, len(seen)  # 20 sources × 1 s: 60 checks, written 3 s apart
    assert d.stop() == 0


def test_json_logs_are_json_on_every_line_tracebacks_and_warnings_included(tmp_path):
    """Before: tracebacks and library warnings went out as plain text (30 of 41 lines)."""
    script = (
        "import logging, warnings\n"
        "from tracker import logs\n"
        "logs.for_daemon('json', False)\n"
        "log = logging.getLogger('tracker.run.daemon')\n"
        "logs.event(log, logging.INFO, 'check', source='doc', status='unchanged')\n"
        "try:\n    1 / 0\nexcept ZeroDivisionError:\n    log.exception('internal error')\n"
        "warnings.warn('a library says something', UserWarning)\n"
        "logging.getLogger('apscheduler.scheduler').warning('Run time of job was missed')\n"
        "logging.getLogger('asyncio').error('Task exception was never retrieved')\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=30,
    )
    lines = proc.stderr.splitlines()
    records = [json.loads(line) for line in lines]  # every line, or this raises
    assert len(records) == 5
    assert records[0]["event"] == "check" and records[0]["source"] == "doc"
    assert "ZeroDivisionError" in records[1]["traceback"]
    assert (
        records[2]["logger"] == "py.warnings"
        and "a library says something" in records[2]["message"]
    )


def test_an_absurd_interval_in_a_live_reload_is_refused_and_the_watcher_goes_on(
    site, tmp_path, daemon
):
    """Before: OverflowError in the scheduler killed the configuration watcher, silently."""
    site.page("/doc", cloud_page())
    cfg = _config(tmp_path, site, None)
    d = daemon(cfg)
    d.wait_for(lambda: d.lines("check", "source=doc"))
    good = cfg.read_text()
    cfg.write_text(good.replace('interval = "1s"', 'interval = "99999999999999d"'))
    later = cfg.stat().st_mtime + 10  # each edit with its own modification time
    os.utime(cfg, (later, later))
    d.wait_for(lambda: d.lines("reload-failed", "longer than a year"))
    cfg.write_text(good + "\n# edited\n")
    os.utime(cfg, (later + 10, later + 10))
    d.wait_for(lambda: d.lines("reloaded", "file changed"))
    assert d.stop() == 0


def test_the_daemon_keeps_the_report_current(site, tmp_path, daemon):
    site.page("/doc", cloud_page())
    cfg = _config(tmp_path, site, None, report_dir="site")
    index = tmp_path / "site" / "index.html"
    d = daemon(cfg)
    d.wait_for(lambda: index.exists() and "badge unchanged" in index.read_text("utf-8"))
    site.page("/doc", cloud_page(TEN_TO_THREE))
    d.wait_for(lambda: "2.7 modified" in index.read_text("utf-8"))
    site.page("/doc", "down", status=503)
    d.wait_for(lambda: "HTTP 503" in index.read_text("utf-8"))
    assert d.stop() == 0
    assert [p.name for p in (tmp_path / ".site.builds").iterdir() if p.is_dir()] == [
        os.readlink(tmp_path / "site").split("/")[-1]
    ]  # the builds before were swept


# -- issue 23, item 15 ---------------------------------------------------------------------


def test_a_stale_status_file_with_a_live_pid_and_missing_keys(tmp_path, tracker):
    """Before: tracker status crashed on it."""
    cfg = _config(tmp_path, None, None, sources=[doc_source("https://example.com/")])
    (tmp_path / "snapshots").mkdir()
    status = tmp_path / "snapshots" / "daemon.json"
    for stale in ({"pid": os.getpid()}, {"pid": os.getpid(), "next_runs": [1]}, [os.getpid()]):
        status.write_text(json.dumps(stale), "utf-8")
        run = tracker("status", "--config", cfg)
        assert run.code == 0 and "Traceback" not in run.err, run.err
        assert tracker("status", "--config", cfg, "--json").code == 0


def test_a_sighup_after_an_edit_reloads_once(site, tmp_path, daemon):
    """Before: the signal reloaded, then the file watcher saw the edit and reloaded again."""
    site.page("/doc", cloud_page())
    cfg = _config(tmp_path, site, None)
    d = daemon(cfg)
    d.wait_for(lambda: d.lines("check", "source=doc"))
    cfg.write_text(cfg.read_text() + "\n# edited\n")
    d.proc.send_signal(signal.SIGHUP)
    d.wait_for(lambda: d.lines("reloaded"))
    checks = len(d.lines("check", "source=doc"))  # the watcher looks once a second:
    d.wait_for(lambda: len(d.lines("check", "source=doc")) >= checks + 3)  # it has looked
    assert len(d.lines("reloaded")) == 1, d.lines("reloaded")
    assert d.stop() == 0


@pytest.mark.parametrize(("journald", "stamped"), [(False, True), (True, False)])
def test_text_logs_carry_the_time_unless_journald_reads_them(journald, stamped):
    script = (
        "import logging\n"
        "from tracker import logs\n"
        "logs.for_daemon('text', False)\n"
        "logs.event(logging.getLogger('tracker.run.daemon'), logging.INFO, 'check', source='doc')\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "JOURNAL_STREAM"}
    if journald:
        env["JOURNAL_STREAM"] = "8:12345"
    proc = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env={**env, "PYTHONPATH": str(ROOT)},
        timeout=30,
    )
    [line] = proc.stderr.splitlines()
    stamp = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ "
    expected = (stamp if stamped else "") + "INFO check source=doc"
    assert re.fullmatch(expected, line), line


@needs_chromium
@pytest.mark.parametrize("command", ["daemon", "check"])
def test_a_sigterm_during_a_render_ends_without_a_traceback(site, tmp_path, command):
    asked = threading.Event()
    gate = threading.Event()

    def hanging_api(_request):
        asked.set()  # the page is rendering, waiting for its text
        gate.wait(30)
        return Response("{}", content_type="application/json")

    site.page("/api/rule", handler=hanging_api)
    site.page("/rule", SHELL.format(api="/api/rule"))
    source = {"id": "rule", "url": site.url("/rule"), "selector": [".rule-content"]}
    cfg = _config(tmp_path, site, None, [{**source, "render": "always"}], timeout="30s")
    log = tmp_path / "stderr.log"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "tracker", command, "--config", str(cfg)],
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
        env=env,
    )
    try:
        assert asked.wait(30), log.read_text()
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=20)
    finally:
        gate.set()
        if proc.poll() is None:
            proc.kill()
    said = log.read_text("utf-8")
    assert "Traceback" not in said and "Error" not in said, said
    assert code in (0, 143, -signal.SIGTERM), (code, said)
    assert versions(tmp_path / "snapshots", "rule") == []  # nothing half-recorded
