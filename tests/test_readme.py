"""The README's set-up commands, systemd unit and crontab line, tested as written where possible."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time

import pytest
from apscheduler.triggers.cron import CronTrigger

from tests.conftest import ROOT, doc_source, write_config
from tests.pages import cloud_page
from tracker.cli import load_config

README = (ROOT / "README.md").read_text("utf-8")


def _block(lang: str) -> str:
    m = re.search(rf"```{lang}\n(.*?)```", README, re.S)
    assert m, f"no ```{lang} block in the README"
    return m.group(1)


def test_readme_has_exactly_two_setup_commands_and_ci_runs_the_second():
    setup = _block("sh")
    commands = [line for line in setup.splitlines() if line and not line.startswith("#")]
    assert len(commands) == 2
    run_main, run_tests = commands
    assert run_main.endswith("tracker check") and "pip install" in run_main
    assert "pytest" in run_tests and "[test]" in run_tests
    assert run_tests in (ROOT / ".ci" / "run").read_text()


def _install(tmp_path, text: str) -> str:
    """The README's text with /opt/tracker pointing at a real checkout-like folder."""
    opt = tmp_path / "opt"
    (opt / ".venv" / "bin").mkdir(parents=True)
    tracker = opt / ".venv" / "bin" / "tracker"
    tracker.write_text(f'#!/bin/sh\nPYTHONPATH={ROOT} exec {sys.executable} -m tracker "$@"\n')
    tracker.chmod(0o755)
    return text.replace("/opt/tracker", str(opt))


def test_crontab_line(site, tmp_path):
    line = _block("crontab").strip()
    fields = line.split(None, 5)
    CronTrigger.from_crontab(" ".join(fields[:5]))  # a valid schedule
    site.page("/doc", cloud_page())
    command = _install(tmp_path, fields[5])
    write_config(tmp_path / "opt", [doc_source(site.url("/doc"))])
    proc = subprocess.run(["/bin/sh", "-c", command], timeout=60)
    assert proc.returncode == 0
    runs = (tmp_path / "opt" / "runs.jsonl").read_text()
    assert '"status": "baseline"' in runs
    assert (tmp_path / "opt" / "errors.log").read_text() == ""


def _unit_value(unit: str, key: str) -> str:
    m = re.search(rf"^{key}=(.*)$", unit, re.M)
    assert m, key
    return m.group(1)


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is absent")
def test_systemd_unit_verifies(tmp_path):
    unit = _install(tmp_path, _block("ini"))
    path = tmp_path / "tracker.service"
    path.write_text(unit)
    proc = subprocess.run(["systemd-analyze", "verify", str(path)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_systemd_unit_commands_run_as_written(site, tmp_path):
    unit = _install(tmp_path, _block("ini"))
    site.page("/doc", cloud_page())
    write_config(tmp_path / "opt", [doc_source(site.url("/doc"))], {"interval": "1s"})
    log = tmp_path / "daemon.log"
    daemon = subprocess.Popen(
        _unit_value(unit, "ExecStart").split(),
        cwd=_unit_value(unit, "WorkingDirectory"),
        stderr=log.open("w"),
    )
    try:
        deadline = time.monotonic() + 20
        while "status=" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        reload = _unit_value(unit, "ExecReload").replace("$MAINPID", str(daemon.pid))
        subprocess.run(reload.split(), check=True)
        while "reloaded" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert "reloaded why=SIGHUP" in log.read_text()
        daemon.send_signal(signal.SIGTERM)  # what systemctl stop sends
        assert daemon.wait(timeout=int(_unit_value(unit, "TimeoutStopSec"))) == 0
    finally:
        if daemon.poll() is None:
            daemon.kill()
    assert os.path.exists(tmp_path / "opt" / "snapshots" / "doc")


def test_readme_and_example_say_which_default_urls_are_known_and_which_is_a_guess():
    from pathlib import Path

    urls = {s.id: s.url for s in load_config(cwd=Path("/nonexistent")).sources}
    guess = urls.pop("meeting-api-agreement")
    known = list(urls.values())
    baseline = (ROOT / "tracker" / "data" / "meeting-api-agreement.md").read_text("utf-8")
    assert all(url in baseline for url in known)  # the agreement's own links...
    assert guess not in baseline  # ...and nothing of the kind for its own address
    honest = README.split("**Which default URLs are known.**", 1)[1].split("\n\n", 1)[0]
    honest = " ".join(honest.split())
    assert all(url in honest for url in known) and "developer agreement's own links" in honest
    assert guess in honest and "best guess" in honest and "url`" in honest
    example = (ROOT / "config.example.toml").read_text("utf-8")
    before_guess = example.split(f'url = "{guess}"', 1)[0].rsplit("\n\n", 1)[1]
    assert "best guess" in before_guess and "put the right URL here" in before_guess
    before_known = example.split(f'url = "{known[0]}"', 1)[0].rsplit("\n\n", 1)[1]
    assert "URLs are known" in before_known


def test_every_command_is_documented_with_its_output():
    from tracker.cli import build_parser

    parser = build_parser()
    [commands] = [a for a in parser._actions if a.dest == "command"]
    for name in commands.choices:
        assert f"tracker {name}" in README, f"`tracker {name}` is not in the README"
    looks = ("history", "diff", "show", "reextract", "report")
    for sample in (f"$ tracker {name}" for name in looks):
        assert sample in README
    assert "dry run: nothing recorded, nothing sent" in README
