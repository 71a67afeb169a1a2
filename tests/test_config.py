"""Configuration: one clear line and exit 2 for every kind of mistake, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ROOT, run_subprocess
from tracker import config
from tracker.cli import load_config
from tracker.config import parse_duration

GOOD_SOURCE = '[[source]]\nid = "doc"\nurl = "https://example.com/terms"\n'

BAD = [
    ("[tracker]\nstate_dir = 'x'\ncolour = true\n" + GOOD_SOURCE, "tracker.colour", "unknown key"),
    (GOOD_SOURCE + "frequency = '6h'\n", "source.doc.frequency", "unknown key"),
    (GOOD_SOURCE + GOOD_SOURCE, "source.doc.id", "duplicate id 'doc'"),
    ('[[source]]\nid = "doc"\n', "source.doc.url", "missing"),
    ('[[source]]\nid = "doc"\nurl = "ftp://example.com"\n', "source.doc.url", "not an http(s) URL"),
    ('[[source]]\nurl = "https://example.com"\n', "source[1].id", "missing"),
    ('[[source]]\nid = "Doc_1"\nurl = "https://e.com"\n', "source[1].id", "[a-z0-9-]"),
    (GOOD_SOURCE + 'selector = "div[[["\n', "source.doc.selector", "invalid CSS selector"),
    (GOOD_SOURCE + 'remove = ["p:nth-child(x)"]\n', "source.doc.remove", "invalid CSS selector"),
    (GOOD_SOURCE + 'ignore = ["(unclosed"]\n', "source.doc.ignore", "invalid regex"),
    (GOOD_SOURCE + 'interval = "soon"\n', "source.doc.interval", "not a duration"),
    (GOOD_SOURCE + "min_length = -1\n", "source.doc.min_length", "whole number"),
    (GOOD_SOURCE + "selector = []\n", "source.doc.selector", "must not be empty"),
    (GOOD_SOURCE + 'baseline = "nope.md"\n', "source.doc.baseline", "no such file"),
    ("[tracker]\ntimeout = 'fast'\n" + GOOD_SOURCE, "tracker.timeout", "not a duration"),
    ("[tracker]\ntruncation_ratio = 2\n" + GOOD_SOURCE, "tracker.truncation_ratio", "below 1"),
    ("[tracker]\nstate_dir = 'x'\n", "source", "no [[source]] configured"),
    (
        GOOD_SOURCE + "[[watch]]\nname = 'w'\nclauses = ['2.7']\nseverity = 'urgent'\n",
        "watch.w.severity",
        "not one of",
    ),
    (
        GOOD_SOURCE + "[[watch]]\nname = 'w'\nsources = ['nope']\nclauses = ['1']\n",
        "watch.w.sources",
        "no source with id 'nope'",
    ),
    (GOOD_SOURCE + "[[watch]]\nname = 'w'\n", "watch.w", "needs clauses, keywords or amounts"),
    (
        GOOD_SOURCE + "[[watch]]\nname = 'w'\namounts = 'yes'\n",
        "watch.w.amounts",
        "must be true or false",
    ),
    (
        "[tracker]\nreport_dir = 'site'\nreport_url = 'site/'\n" + GOOD_SOURCE,
        "tracker.report_url",
        "not an http(s) URL",
    ),
    (
        "[tracker]\nreport_url = 'https://example.com/r'\n" + GOOD_SOURCE,
        "tracker.report_url",
        "needs report_dir",
    ),
    ("[tracker\nstate_dir = 1\n", None, "invalid TOML"),
    ("[[sorce]]\nid = 'x'\n", "sorce", "unknown key"),
    (
        GOOD_SOURCE + '[[notify]]\nkind = "webhook"\nurl = "https://e.com/h"\ncolour = 1\n',
        "notify[1].colour",
        "unknown key: not a key of webhook channels",
    ),
    (
        GOOD_SOURCE
        + '[[notify]]\nkind = "email"\nhost = "h"\nfrom = "a@b.c"\nto = "d@e.f"\nsender = "x"\n',
        "notify[1].sender",
        "unknown key: not a key of email channels",
    ),
    (GOOD_SOURCE + 'kind = "pdf"\n', "source.doc.kind", "'pdf' is not one of json, page"),
    (
        GOOD_SOURCE + 'render = "sometimes"\n',
        "source.doc.render",
        "is not one of auto, never, always",
    ),
    (GOOD_SOURCE + 'field = "data.x"\n', "source.doc.field", 'applies to kind = "json" sources'),
    (
        "[tracker]\nrender_concurrency = 0\n" + GOOD_SOURCE,
        "tracker.render_concurrency",
        "whole number >= 1",
    ),
    # Found by the adversarial pass: each accepted before, and failing later or crashing.
    ('[[source]]\nid = "doc"\nurl = "http://[::1/x"\n', "source.doc.url", "not a valid URL"),
    (
        '[[source]]\nid = "doc"\nurl = "http://127.0.0.1:99999/x"\n',
        "source.doc.url",
        "Port out of range",
    ),
    ('[[source]]\nid = "doc"\nurl = "https://example.com/a b"\n', "source.doc.url", "has spaces"),
    ('[tracker]\nstate_dir = "a\\u0000b"\n' + GOOD_SOURCE, "tracker.state_dir", "one line"),
    ("[tracker]\ntimeout = 0\n" + GOOD_SOURCE, "tracker.timeout", "more than zero"),
    ("[tracker]\ntimeout = -5\n" + GOOD_SOURCE, "tracker.timeout", "not a duration"),
    ("[tracker]\ninterval = '-1h'\n" + GOOD_SOURCE, "tracker.interval", "not a duration"),
    (GOOD_SOURCE + 'interval = "99999999999999d"\n', "source.doc.interval", "longer than a year"),
    (
        GOOD_SOURCE
        + "[[watch]]\nname = 'w'\nclauses = ['1']\n[[watch]]\nname = 'w'\nclauses = ['2']\n",
        "watch[2].name",
        "duplicate watch name 'w'",
    ),
    (GOOD_SOURCE + 'selector = "a:hover"\n', "source.doc.selector", "never a fetched page"),
    (GOOD_SOURCE + 'cron = "61 * * * *"\n', "source.doc.cron", "invalid cron expression"),
    (GOOD_SOURCE + 'cron = "0 9 * * 1-5"\ninterval = "1h"\n', "source.doc.cron", "not both"),
    ('[[source]]\nid = "outbox"\nurl = "https://e.com"\n', "source[1].id", "reserved"),
    (
        '[[source]]\nid = "' + "a" * 300 + '"\nurl = "https://e.com"\n',
        "source[1].id",
        "longer than 64",
    ),
    (GOOD_SOURCE + 'name = "a\\nb"\n', "source.doc.name", "one line"),
    (
        GOOD_SOURCE + '[[notify]]\nkind = "webhook"\nurl = "https://e.com/h"\nname = 5\n',
        "notify[1].name",
        "must be a string",
    ),
    (
        GOOD_SOURCE + '[[notify]]\nkind = "webhook"\nurl = "https://e.com/h"\nname = ["a"]\n',
        "notify[1].name",
        "must be a string",
    ),
    (
        GOOD_SOURCE + '[[notify]]\nkind = "webhook"\nurl = "https://e.com/h"\nname = "a\\rb"\n',
        "notify[1].name",
        "one line",
    ),
    # Found by the second adversarial pass: each accepted, then failing at run time.
    (
        GOOD_SOURCE + '[[notify]]\nkind = "webhook"\nurl = "http://"\n',
        "notify[1].url",
        "not an http(s) URL",
    ),
    (
        GOOD_SOURCE + '[[notify]]\nkind = "webhook"\nurl = "https://e.com/a b"\n',
        "notify[1].url",
        "has spaces",
    ),
    (
        GOOD_SOURCE + '[[notify]]\nkind = "slack"\nwebhook_url = "https://e.com:99999/x"\n',
        "notify[1].webhook_url",
        "Port out of range",
    ),
    (
        GOOD_SOURCE
        + '[[notify]]\nkind = "email"\nhost = "h\\r\\nX: y"\nfrom = "a@b.c"\nto = "d@e.f"\n',
        "notify[1].host",
        "one line",
    ),
    (
        GOOD_SOURCE
        + '[[notify]]\nkind = "email"\nhost = "h"\nfrom = "a@b.c\\nBcc: x@y.z"\nto = "d@e.f"\n',
        "notify[1].from",
        "one line",
    ),
    (
        GOOD_SOURCE
        + '[[notify]]\nkind = "email"\nhost = "h"\nfrom = "a@b.c"\nto = ["d@e.f\\r\\nBcc: x@y.z"]\n',
        "notify[1].to",
        "one line",
    ),
    (
        '[tracker]\nuser_agent = "a\\r\\nX-Evil: 1"\n' + GOOD_SOURCE,
        "tracker.user_agent",
        "one line",
    ),
    (
        '[tracker]\naccept_language = "zh\\nX: 1"\n' + GOOD_SOURCE,
        "tracker.accept_language",
        "one line",
    ),
    ('[tracker]\nuser_agent = "追踪器/1.0"\n' + GOOD_SOURCE, "tracker.user_agent", "ASCII"),
    ('[tracker]\nmax_bytes = "0"\n' + GOOD_SOURCE, "tracker.max_bytes", "is not a size"),
    ("[tracker]\nmax_bytes = 0\n" + GOOD_SOURCE, "tracker.max_bytes", "is not a size"),
    ("[tracker]\ntimeout = 1e-300\n" + GOOD_SOURCE, "tracker.timeout", "at least 0.1s"),
    ("[tracker]\nretries = 1000000\n" + GOOD_SOURCE, "tracker.retries", "from 0 to 20"),
    ('[tracker]\ninterval = "1ms"\n' + GOOD_SOURCE, "tracker.interval", "at least 1s"),
    (
        '[tracker]\noutbox_interval = "1ms"\n' + GOOD_SOURCE,
        "tracker.outbox_interval",
        "at least 1s",
    ),
    (GOOD_SOURCE + 'interval = "1ms"\n', "source.doc.interval", "at least 1s"),
    (GOOD_SOURCE + 'cron = "0 0 30 2 *"\n', "source.doc.cron", "never fires"),
    ("[tracker]\nx = " + "[" * 5000 + "]" * 5000 + "\n" + GOOD_SOURCE, None, "nested too deep"),
]


@pytest.mark.parametrize(("text", "key", "problem"), BAD)
def test_bad_config_names_file_key_and_problem(tmp_path, tracker, text, key, problem):
    path = tmp_path / "bad.toml"
    path.write_text(text, "utf-8")
    run = tracker("check", "--config", path)
    assert run.code == 2
    assert run.out == ""
    [line] = run.err.strip().splitlines()
    assert str(path) in line and problem in line
    if key:
        assert f": {key}:" in line


@pytest.mark.parametrize(
    "text",
    [BAD[0][0], BAD[7][0], BAD[20][0], "\xff\xfe not utf-8"],
    ids=["key", "css", "toml", "bytes"],
)
def test_bad_config_in_a_real_process_has_no_traceback(tmp_path, text):
    path = tmp_path / "bad.toml"
    path.write_bytes(text.encode("latin-1") if text.startswith("\xff") else text.encode())
    run = run_subprocess("check", "--config", path)
    assert run.code == 2
    assert "Traceback" not in run.err and len(run.err.strip().splitlines()) == 1
    assert str(path) in run.err


def test_missing_config_file(tmp_path):
    run = run_subprocess("check", "--config", tmp_path / "absent.toml")
    assert run.code == 2 and "absent.toml: file not found" in run.err


def test_usage_error_exits_2():
    run = run_subprocess("check", "--no-such-flag")
    assert run.code == 2 and "Traceback" not in run.err


def test_a_baseline_that_is_not_utf8_is_refused_when_the_file_is_read(tmp_path, tracker):
    """Before: accepted, then an internal error on every run."""
    (tmp_path / "signed.md").write_bytes("协议".encode("gb18030") + b"\xff\xfe")
    path = tmp_path / "tracker.toml"
    path.write_text(GOOD_SOURCE + "baseline = 'signed.md'\n", "utf-8")
    run = tracker("check", "--config", path)
    assert run.code == 2 and run.err.count("\n") == 1
    assert "source.doc.baseline: " in run.err and "not UTF-8 text" in run.err


def test_paths_are_relative_to_the_config_file(tmp_path):
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "signed.md").write_text("协议\n", "utf-8")
    path = tmp_path / "conf" / "tracker.toml"
    path.write_text(
        "[tracker]\nstate_dir = 'state'\n" + GOOD_SOURCE + "baseline = 'signed.md'\n", "utf-8"
    )
    cfg = load_config(path)
    assert cfg.settings.state_dir == tmp_path / "conf" / "state"
    assert cfg.sources[0].baseline == tmp_path / "conf" / "signed.md"


def test_local_tracker_toml_is_preferred_to_the_builtin_default(tmp_path):
    (tmp_path / "tracker.toml").write_text(GOOD_SOURCE, "utf-8")
    assert [s.id for s in load_config(cwd=tmp_path).sources] == ["doc"]


def test_builtin_default_watches_the_three_tencent_agreements(tmp_path):
    cfg = load_config(cwd=tmp_path)
    assert cfg.path == config.BUILTIN
    assert cfg.settings.state_dir == tmp_path / "snapshots"
    by_id = {s.id: s for s in cfg.sources}
    assert (
        by_id["cloud-service-agreement"].url
        == "https://cloud.tencent.com/document/product/301/1967"
    )
    assert by_id["meeting-license-agreement"].url == (
        "https://rule.tencent.com/rule/preview/ab9ea528-0bf1-47b3-a8c3-f001b98912e2"
    )
    assert by_id["meeting-api-agreement"].baseline is not None
    assert by_id["meeting-api-agreement"].baseline.is_file()
    critical = [w for w in cfg.watches if w.severity == "critical"]
    assert any({"2.7", "9.1"} <= set(w.clauses) for w in critical)


def test_example_config_documents_the_builtin_default():
    example = load_config(ROOT / "config.example.toml")
    default = load_config(cwd=Path("/nonexistent"))
    strip = lambda s: (s.id, s.name, s.url, s.selectors, s.remove, [p.pattern for p in s.ignore])  # noqa: E731
    assert [strip(s) for s in example.sources] == [strip(s) for s in default.sources]
    assert example.watches == default.watches
    assert example.sources[0].baseline.read_bytes() == default.sources[0].baseline.read_bytes()


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("30s", 30),
        ("30m", 1800),
        ("6h", 21600),
        ("1d", 86400),
        ("500ms", 0.5),
        (15, 15),
        ("2.5h", 9000),
    ],
)
def test_durations(value, seconds):
    assert parse_duration(value) == seconds


@pytest.mark.parametrize("value", ["soon", "-1s", "1w", True, -3, ""])
def test_invalid_durations(value):
    assert parse_duration(value) is None


@pytest.mark.parametrize(
    "args",
    [
        ("check", "--source", "nope"),
        ("accept", "nope"),
        ("history", "nope"),
        ("diff", "nope"),
        ("show", "nope"),
        ("reextract", "nope"),
    ],
    ids=lambda args: args[0],
)
def test_an_unknown_source_is_one_line_the_same_for_every_command(tmp_path, tracker, args):
    path = tmp_path / "tracker.toml"
    path.write_text(GOOD_SOURCE, "utf-8")
    run = tracker(*args, "--config", path)
    assert run.code == 2 and run.out == ""
    assert run.err == f"tracker: no source with id 'nope' in {path} (sources: doc)\n"
