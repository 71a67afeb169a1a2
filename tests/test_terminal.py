"""A terminal people live with: JSON Lines when piped, readable without colour, long clauses
cut to the change, no markup, no traceback when the reader goes away.

The terminal cases run tracker in a real pseudo-terminal (:mod:`tests.terminal`).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
import time

import pytest
from werkzeug import Response

from tests.conftest import ROOT, doc_source, run_subprocess, write_config
from tests.pages import AGREEMENT, change_clause, cloud_page
from tests.terminal import Session, in_pty

LONG_EDIT = change_clause(AGREEMENT, "三方邮件组", "三方邮件群组")  # inside a 325-character clause
COLOUR = re.compile(r"\x1b\[(?:\d+;)*(?:3[0-8]|9[0-7])(?:;\d+)*m")  # a foreground colour
ESCAPE = re.compile(r"\x1b\[[0-9;]*m")
CSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")  # any control sequence: colour, cursor, erase
TEN_TO_THREE = change_clause(AGREEMENT, "提前10个自然日", "提前3个自然日")


@pytest.fixture
def changed(site, tmp_path, tracker):
    """A source whose clause 2.7 just changed, recorded: ``diff`` shows it again."""
    site.page("/doc", cloud_page())
    cfg = write_config(tmp_path, [doc_source(site.url("/doc"))])
    tracker("check", "-c", cfg)
    site.page("/doc", cloud_page(TEN_TO_THREE))
    assert tracker("check", "-c", cfg).code == 1
    return cfg


def test_json_is_one_line_per_run_when_piped(site, tmp_path, tracker):
    site.page("/doc", cloud_page())
    cfg = write_config(tmp_path, [doc_source(site.url("/doc"))])
    runs = tmp_path / "runs.jsonl"
    for _ in range(2):  # as the README says: tracker check --json >> runs.jsonl
        with runs.open("a") as out:
            cmd = [sys.executable, "-m", "tracker", "check", "--json", "-c", str(cfg)]
            subprocess.run(cmd, stdout=out, cwd=ROOT, check=False, timeout=60)
    lines = runs.read_text("utf-8").splitlines()
    assert len(lines) == 2
    assert [json.loads(line)["sources"][0]["status"] for line in lines] == [
        "baseline",
        "unchanged",
    ]
    pretty = tracker("status", "-c", cfg, "--json", "--pretty")
    assert pretty.out.startswith("{\n  ") and json.loads(pretty.out)["sources"]


def test_json_is_indented_on_a_terminal(site, tmp_path, tracker):
    site.page("/doc", cloud_page())
    cfg = write_config(tmp_path, [doc_source(site.url("/doc"))])
    tracker("check", "-c", cfg)
    screen = in_pty("status", "--json", "-c", cfg)
    assert screen.code == 0 and screen.raw.startswith("{\r\n  ")


@pytest.mark.parametrize(
    ("env", "flag", "colour"),
    [
        ({}, "auto", True),
        ({"NO_COLOR": "1"}, "auto", False),
        ({"TERM": "dumb"}, "auto", False),
        ({}, "never", False),
        ({"NO_COLOR": "1"}, "always", True),
    ],
)
def test_changes_are_coloured_or_marked(changed, env, flag, colour):
    screen = in_pty("diff", "doc", "-c", changed, "--color", flag, env=env)
    assert screen.code == 0
    if colour:
        assert COLOUR.search(screen.raw) and "[-10-]" not in screen.raw
    else:  # NO_COLOR takes colour away, not bold: the marks carry the change
        assert not COLOUR.search(screen.raw) and "[-" in screen.raw and "{+" in screen.raw
        assert "提前[-10-]{+3+}个自然日" in ESCAPE.sub("", screen.raw)


def test_always_colours_a_pipe_too(changed, tracker):
    run = tracker("diff", "doc", "-c", changed, "--color", "always")
    assert "\x1b[" in run.out and "[-10-]" not in run.out
    assert "提前[-10-]{+3+}个自然日" in tracker("diff", "doc", "-c", changed).out


def test_a_long_clause_is_cut_to_its_change(site, tmp_path, tracker):
    site.page("/doc", cloud_page())
    cfg = write_config(tmp_path, [doc_source(site.url("/doc"))])
    tracker("check", "-c", cfg)
    site.page("/doc", cloud_page(LONG_EDIT))
    run = tracker("check", "-c", cfg)
    [line] = [x for x in run.out.splitlines() if "{+群+}" in x]
    assert "…" in line and len(line.strip()) < 160  # the change with some context
    assert "3.6.3 为合理保护您" not in run.out
    whole = tracker("diff", "doc", "-c", cfg, "--full").out
    [line] = [x for x in whole.splitlines() if "{+群+}" in x]
    assert "…" not in line and line.strip().startswith("3.6.3 为合理保护您")
    assert line.strip().endswith("由此造成您或他方损失的，您自行承担。")


def test_emphasis_is_never_shown_as_marks(site, tmp_path, tracker):
    site.page("/doc", cloud_page())
    cfg = write_config(tmp_path, [doc_source(site.url("/doc"))])
    tracker("check", "-c", cfg)
    bold = change_clause(AGREEMENT, "9.2 本协议签订地", "9.2 本协议**签订地**")
    site.page("/doc", cloud_page(bold.replace("提前10个自然日", "提前**3**个自然日")))
    run = tracker("check", "-c", cfg)
    assert run.code == 1 and "**" not in run.out and "##" not in run.out
    assert "提前[-10-]{+3+}个自然日" in run.out
    assert "emphasis" in run.out  # 9.2 changed emphasis alone, and says so
    coloured = tracker("diff", "doc", "-c", cfg, "--color", "always").out
    assert "**" not in coloured and "\x1b[1" in coloured  # bold as the terminal shows bold


def test_piping_into_head_is_not_an_error(site, tmp_path, tracker):
    site.page("/doc", cloud_page())
    cfg = write_config(tmp_path, [doc_source(site.url("/doc"))])
    tracker("check", "-c", cfg)
    shell = (
        f"{sys.executable} -m tracker show doc -c {cfg} | head -1; "
        f"{sys.executable} -m tracker check --dry-run -c {cfg} | head -c 10"
    )
    done = subprocess.run(
        ["bash", "-c", shell], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert done.stderr == ""  # no traceback, no "Exception ignored … BrokenPipeError"
    assert done.stdout.startswith("# 腾讯会议 API 开发者协议") or done.stdout


def test_a_usage_error_still_says_so_when_piped(tmp_path):
    run = run_subprocess("check", "--color", "sometimes")
    assert run.code == 2 and "--color" in run.err


def test_show_reads_as_a_reader_sees_it_on_a_terminal(site, tmp_path, tracker):
    bold = change_clause(AGREEMENT, "9.2 本协议签订地", "9.2 本协议**签订地**")
    site.page("/doc", cloud_page(bold))
    cfg = write_config(tmp_path, [doc_source(site.url("/doc"))])
    tracker("check", "-c", cfg)
    screen = in_pty("show", "doc", "-c", cfg)
    plain = ESCAPE.sub("", screen.raw)
    assert screen.code == 0 and "9.2 本协议签订地" in plain and "腾讯会议 API 开发者协议" in plain
    assert "**" not in plain and "# " not in plain
    stored = in_pty("show", "doc", "-c", cfg, "--markdown").raw  # the stored Markdown, as piped
    assert "9.2 本协议**签订地**" in stored and stored == tracker(
        "show", "doc", "-c", cfg
    ).out.replace("\n", "\r\n")


def test_a_progress_line_counts_the_run_and_each_line_comes_in_order(site, tmp_path, tracker):
    gate = threading.Event()
    site.page("/p2", handler=lambda _req: gate.wait(30) and Response(cloud_page(), 200))
    for n in (0, 1, 3, 4):
        site.page(f"/p{n}", cloud_page())
    sources = [doc_source(site.url(f"/p{n}"), f"p{n}") for n in range(5)]
    cfg = write_config(tmp_path, sources, {"timeout": 30})
    session = Session("check", "-c", cfg)
    seen = session.expect(r"checking: 4 of 5 done(\x1b\[[0-9;]*m)* · 0 changed")  # p2 still out
    plain = ESCAPE.sub("", seen)
    assert re.search(r"\+ p0 .*baseline", plain) and re.search(r"\+ p1 .*baseline", plain)
    assert not re.search(r"\+ p3 ", plain)  # done, but shown after p2: configuration order
    gate.set()
    screen = session.end()
    assert screen.code == 0
    shown = re.split(r"[\r\n]+", CSI.sub("", screen.raw))
    lines = [x for x in shown if re.match(r"\+ p\d ", x)]
    assert [x.split()[1] for x in lines] == ["p0", "p1", "p2", "p3", "p4"]  # each once
    last = screen.raw.rindex("checking: 5 of 5 done")
    assert "\x1b[2K" in screen.raw[last:]  # and the progress line is erased at the end


def test_no_progress_line_when_piped_or_for_json(site, tmp_path, tracker):
    sources = []
    for n in range(5):
        site.page(f"/p{n}", cloud_page())
        sources.append(doc_source(site.url(f"/p{n}"), f"p{n}"))
    cfg = write_config(tmp_path, sources)
    piped = tracker("check", "-c", cfg)
    assert "checking:" not in piped.out and len(piped.out.splitlines()) == 5
    on_terminal = in_pty("check", "--json", "-c", cfg)
    assert "checking:" not in on_terminal.raw and json.loads(on_terminal.raw)["sources"]


def test_a_sources_time_is_its_own_not_its_wait_for_a_turn(site, tmp_path, tracker):
    def slow(_req):
        time.sleep(1.5)  # a slow page: the others wait for the one fetch slot meanwhile
        return Response(cloud_page(), 200)

    site.page("/p0", handler=slow)
    sources = [doc_source(site.url("/p0"), "p0")]
    for n in range(1, 4):
        site.page(f"/p{n}", cloud_page())
        sources.append(doc_source(site.url(f"/p{n}"), f"p{n}"))
    cfg = write_config(tmp_path, sources, {"concurrency": 1})
    run = tracker("check", "-c", cfg, "--json")
    elapsed = {s["id"]: s["elapsed"] for s in run.json["sources"]}
    assert elapsed["p0"] >= 1.5
    assert all(elapsed[f"p{n}"] < 1.0 for n in range(1, 4)), elapsed


def test_status_fits_80_columns(site, tmp_path, tracker):
    ids = ["meeting-api-agreement", "meeting-software-license-and-service-agreement-zh-cn", "c"]
    for sid in ids:
        site.page(f"/{sid}", cloud_page())
    cfg = write_config(tmp_path, [doc_source(site.url(f"/{sid}"), sid) for sid in ids])
    tracker("check", "-c", cfg)
    site.page(f"/{ids[0]}", cloud_page(TEN_TO_THREE))
    tracker("check", "-c", cfg)
    screen = in_pty("status", "-c", cfg, env={"COLUMNS": "80"})
    lines = re.split(r"\r?\n", CSI.sub("", screen.raw).rstrip())
    assert screen.code == 0 and max(len(line) for line in lines) <= 80, lines
    header = next(line for line in lines if line.startswith("source"))
    assert header.split() == "source checked status changed fails alerts".split()
    assert any(line.startswith("meeting-api-agreement") and "changed" in line for line in lines)
    assert lines[-1].startswith("times in UTC")
