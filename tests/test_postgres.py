"""PostgreSQL as the store: the commands against it, shards and deliverers at once, kills.

A real server the tests start (``tests/postgres.py``); each test has its own database.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import psycopg
import pytest
from werkzeug import Request, Response

from tests.conftest import ROOT, Sink, doc_source, run_subprocess, wait_until, write_config
from tests.pages import AGREEMENT, change_clause, cloud_page
from tracker.run.shards import shard_of

pytestmark = pytest.mark.slow

DSN_VAR = "TRACKER_TEST_DSN"
HOOK = '\n[[notify]]\nkind = "webhook"\nurl = "{url}"\n'
TEN_TO_THREE = ("提前10个自然日", "提前3个自然日")


def _page(sid: str, changed: bool = False) -> str:
    text = change_clause(AGREEMENT, "9.2 ", f"9.2 ({sid}) ")
    return cloud_page(change_clause(text, *TEN_TO_THREE) if changed else text)


def _setup(site, tmp_path: Path, ids: list[str], hook: Sink | None = None, **settings):
    for sid in ids:
        site.page(f"/{sid}", _page(sid))
    extra = HOOK.format(url=hook.url) if hook else ""
    sources = [doc_source(site.url(f"/{sid}"), sid) for sid in ids]
    return write_config(tmp_path, sources, {"store_env": DSN_VAR, **settings}, extra=extra)


def _start(*args: object, dsn: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), DSN_VAR: dsn}
    return subprocess.Popen(
        [sys.executable, "-m", "tracker", *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _finish(procs: list[subprocess.Popen[str]]) -> list[tuple[int, str, str]]:
    out = []
    for proc in procs:
        stdout, stderr = proc.communicate(timeout=120)
        out.append((proc.returncode, stdout, stderr))
    return out


def test_the_commands_work_against_the_database(site, tmp_path, tracker, pg_url, monkeypatch):
    monkeypatch.setenv(DSN_VAR, pg_url)
    hook = Sink(site, "/hook")
    cfg = _setup(site, tmp_path, ["doc"], hook)
    assert tracker("check", "--config", cfg).code == 0
    site.page("/doc", _page("doc", changed=True))
    run = tracker("check", "--config", cfg, "--json")
    assert run.code == 1 and run.source("doc")["status"] == "changed"
    assert [b["changes"][0]["clause"] for b in hook.bodies] == ["2.7"]
    assert not (tmp_path / "snapshots" / "doc").exists()  # the versions are in the database
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT count(*) FROM versions").fetchone() == (2,)
        assert conn.execute("SELECT version FROM tracker_schema").fetchall() == [(1,)]

    history = tracker("history", "doc", "--config", cfg, "--json")
    assert history.code == 0 and len(history.json["versions"]) == 2
    diff = tracker("diff", "doc", "--config", cfg)
    assert diff.code == 0 and "2.7" in diff.out
    show = tracker("show", "doc", "latest", "--config", cfg)
    assert show.code == 0 and "提前3个自然日" in show.out
    status = tracker("status", "--config", cfg, "--json")
    assert status.code == 0 and status.json["sources"][0]["last_status"] == "changed"
    assert tracker("check", "--config", cfg).code == 0 and len(hook.bodies) == 1
    assert tracker("outbox", "--config", cfg, "--json").json["pending"] == []
    report = tracker("report", "--config", cfg, "--out", tmp_path / "report")
    assert report.code == 0
    page = next((tmp_path / "report" / "changes" / "doc").glob("*.html")).read_text("utf-8")
    assert "提前" in page and "2.7" in page


def test_a_bad_store_setting_is_one_line_naming_the_key(site, tmp_path, pg_url):
    cfg = _setup(site, tmp_path, ["doc"])
    unset = run_subprocess("check", "--config", cfg, env={DSN_VAR: ""})
    assert unset.code == 2 and "tracker.store_env" in unset.err
    assert f"environment variable {DSN_VAR} is not set" in unset.err
    assert "Traceback" not in unset.err
    (tmp_path / "wrong").mkdir()
    wrong = write_config(tmp_path / "wrong", [], {"store": "mysql://x"})
    bad = run_subprocess("check", "--config", wrong)
    assert bad.code == 2 and "tracker.store" in bad.err and "postgresql://" in bad.err
    port = pg_url.split("@127.0.0.1:")[1].split("/")[0]
    down = f"postgresql://tracker:hunter2@127.0.0.1:{int(port) + 1}/none"
    gone = run_subprocess("check", "--config", cfg, env={DSN_VAR: down})
    assert gone.code == 3 and "Traceback" not in gone.err and "hunter2" not in gone.err
    assert "tracker:***@127.0.0.1" in gone.err and "Connection refused" in gone.err
    assert len(gone.err.strip().splitlines()) == 1
    with psycopg.connect(pg_url, autocommit=True) as conn:  # a newer tracker was here
        conn.execute("CREATE TABLE tracker_schema (version integer PRIMARY KEY)")
        conn.execute("INSERT INTO tracker_schema VALUES (99)")
    newer = run_subprocess("status", "--config", cfg, env={DSN_VAR: pg_url})
    assert newer.code == 3 and "schema is version 99" in newer.err and "upgrade" in newer.err


def test_many_processes_on_an_empty_database_create_the_schema_once(tmp_path, pg_url):
    cfg = write_config(tmp_path, [doc_source("http://127.0.0.1:9/")], {"store_env": DSN_VAR})
    procs = [_start("status", "--config", cfg, dsn=pg_url) for _ in range(6)]
    results = _finish(procs)
    assert [code for code, _, _ in results] == [0] * 6, results
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT version FROM tracker_schema").fetchall() == [(1,)]


def test_three_shards_and_two_deliverers_at_once_send_each_change_once(site, tmp_path, pg_url):
    """Rounds of three shards at once (each delivering when it ends), then, with the channel
    down during one round, two deliverers at once over what waited."""
    ids = [f"doc-{n:02d}" for n in range(36)]
    bodies: list[str] = []
    down = threading.Event()

    def slow_hook(request: Request) -> Response:  # slow enough that deliverers overlap
        if down.is_set():
            return Response("down", status=503)
        bodies.append(request.get_json()["message_id"])
        time.sleep(0.05)
        return Response("ok")

    site.page("/hook", handler=slow_hook)
    cfg = _setup(site, tmp_path, ids, retries=0)
    cfg.write_text(cfg.read_text("utf-8") + HOOK.format(url=site.url("/hook")), "utf-8")
    shards = [f"{k}/3" for k in range(3)]
    first, second = set(ids[::3]), set(ids[1::6])  # 12 and 6 changes, in every shard
    for number, (changes, channel_down) in enumerate(
        [(set(), False), (first, False), (second, True), (set(), False)]
    ):
        for sid in changes:
            site.page(f"/{sid}", _page(sid, changed=sid in first or sid in second))
        site.requests.clear()
        (down.set if channel_down else down.clear)()
        procs = [
            _start("check", "--config", cfg, "--json", "--shard", k, dsn=pg_url) for k in shards
        ]
        results = _finish(procs)
        checked = [s["id"] for _, out, _ in results for s in json.loads(out)["sources"]]
        assert sorted(checked) == ids, f"round {number}: each source checked once"
        hits = Counter(r.path.lstrip("/") for r in site.requests if r.path != "/hook")
        assert hits == Counter(ids), f"round {number}: each page fetched once"
        owners = {shard_of(sid, 3) for sid in changes}
        wanted = [(4 if channel_down else 1) if k in owners else 0 for k in range(3)]
        assert [code for code, _, _ in results] == wanted, f"round {number}"
        if channel_down:  # the channel is back: two deliverers at once
            down.clear()
            deliverers = [_start("outbox", "--config", cfg, "--deliver", dsn=pg_url)]
            deliverers.append(_start("outbox", "--config", cfg, "--deliver", dsn=pg_url))
            assert [code for code, _, _ in _finish(deliverers)] == [0, 0]
    sent = Counter(bodies)
    assert set(sent.values()) == {1}, sent  # never twice
    assert Counter(m.split("__")[0] for m in sent) == Counter([*first, *second])


def test_a_shard_killed_while_sending_sends_every_change_on_its_next_run(site, tmp_path, pg_url):
    ids = [f"doc-{n:02d}" for n in range(12)]
    mine = [sid for sid in ids if shard_of(sid, 2) == 0]
    arrived, hold = threading.Event(), threading.Event()
    bodies: list[str] = []

    def slow_hook(request: Request) -> Response:
        bodies.append(request.get_json()["message_id"])
        arrived.set()
        hold.wait(30)  # the first delivery hangs until the shard is killed
        return Response("ok")

    site.page("/hook", handler=slow_hook)
    cfg = _setup(site, tmp_path, ids, None, retries=0, timeout="60s")
    cfg.write_text(cfg.read_text("utf-8") + HOOK.format(url=site.url("/hook")), "utf-8")
    assert _finish([_start("check", "--config", cfg, "--shard", "0/2", dsn=pg_url)])[0][0] == 0
    for sid in mine:
        site.page(f"/{sid}", _page(sid, changed=True))
    shard = _start("check", "--config", cfg, "--shard", "0/2", dsn=pg_url)
    wait_until(arrived.is_set, 60)
    shard.send_signal(signal.SIGKILL)
    shard.communicate(timeout=30)
    hold.set()
    again = _finish([_start("check", "--config", cfg, "--shard", "0/2", "--json", dsn=pg_url)])
    assert again[0][0] == 0, again  # nothing new on the pages: the messages went out
    sent = Counter(bodies)
    assert {m.split("__")[0] for m in sent} == set(mine)  # every change sent...
    assert len(sent) == len(mine)  # ...under one message id each
    repeats = [m for m, n in sent.items() if n > 1]
    assert repeats == [bodies[0]] and sent[bodies[0]] == 2, sent  # only the one cut short


def test_a_store_is_copied_into_postgresql_and_back_and_twice_changes_nothing(
    site, tmp_path, tracker, pg_url, monkeypatch
):
    hook = Sink(site, "/hook")
    hook.status = 503  # the message waits in the outbox
    ids = ["doc", "other"]
    folder_cfg = _setup(site, tmp_path, ids, hook, retries=0)
    folder_cfg = folder_cfg.rename(tmp_path / "folder.toml")
    text = folder_cfg.read_text("utf-8").replace('store_env = "TRACKER_TEST_DSN"\n', "")
    folder_cfg.write_text(text, "utf-8")
    assert tracker("check", "--config", folder_cfg).code == 0
    site.page("/doc", _page("doc", changed=True))
    assert tracker("check", "--config", folder_cfg).code == 4  # changed, and undelivered
    monkeypatch.setenv(DSN_VAR, pg_url)
    first = tracker("store", "copy", "--config", folder_cfg, "--to-env", DSN_VAR)
    assert first.code == 0, first.err
    assert "copied 3 versions of 2 sources, 2 states and 1 waiting messages" in first.out
    again = tracker("store", "copy", "--config", folder_cfg, "--to-env", DSN_VAR)
    assert "copied 0 versions of 2 sources, 0 states and 0 waiting messages" in again.out
    assert "(3 versions were there already)" in again.out

    db_cfg = tmp_path / "db.toml"
    db_cfg.write_text(text.replace("[tracker]\n", f'[tracker]\nstore_env = "{DSN_VAR}"\n'), "utf-8")
    hook.status = 200
    run = tracker("check", "--config", db_cfg, "--json")  # nothing new: the copy is current
    assert run.code == 0 and {s["status"] for s in run.json["sources"]} == {"unchanged"}
    assert [b["message_id"].split("__")[0] for b in hook.bodies if "message_id" in b] == ["doc"]
    history = tracker("history", "doc", "--config", db_cfg, "--json").json["versions"]
    folder_history = tracker("history", "doc", "--config", folder_cfg, "--json").json["versions"]
    assert [v["version"] for v in history] == [v["version"] for v in folder_history]
    assert [v["origin"] for v in history] == [v["origin"] for v in folder_history]

    back = tmp_path / "back"
    home = tracker("store", "copy", "--config", db_cfg, "--to", back)
    assert home.code == 0 and "copied 3 versions of 2 sources" in home.out
    for sid in ids:
        theirs = sorted(p.name for p in (tmp_path / "snapshots" / sid / "versions").iterdir())
        assert sorted(p.name for p in (back / sid / "versions").iterdir()) == theirs
        for name in theirs:
            for part in ("text.md", "page.html.gz"):
                mine = (back / sid / "versions" / name / part).read_bytes()
                was = (tmp_path / "snapshots" / sid / "versions" / name / part).read_bytes()
                assert mine == was or (part == "page.html.gz" and _gunzip(mine) == _gunzip(was))
    same = tracker("store", "copy", "--config", db_cfg, "--to-env", DSN_VAR)
    assert same.code == 2 and "the target is the configured store itself" in same.err


def _gunzip(data: bytes) -> bytes:
    import gzip

    return gzip.decompress(data)


def test_two_daemons_on_one_database_never_check_one_source_at_once(site, tmp_path, pg_url):
    ids = [f"doc-{n}" for n in range(4)]
    lock = threading.Lock()
    inside: Counter[str] = Counter()
    overlaps: list[str] = []
    fetched: Counter[str] = Counter()
    changed: set[str] = set()

    def slow(sid: str):
        def serve(request: Request) -> Response:
            with lock:
                inside[sid] += 1
                fetched[sid] += 1
                if inside[sid] > 1:
                    overlaps.append(sid)
            time.sleep(0.15)  # long enough for the other daemon to try the same source
            with lock:
                inside[sid] -= 1
            body = _page(sid, changed=sid in changed)
            return Response(body, content_type="text/html; charset=utf-8")

        return serve

    for sid in ids:
        site.page(f"/{sid}", handler=slow(sid))
    hook = Sink(site, "/hook")
    sources = [doc_source(site.url(f"/{sid}"), sid) for sid in ids]
    settings = {"store_env": DSN_VAR, "interval": "1s", "outbox_interval": "1s"}
    daemons = []
    for name in ("one", "two"):  # two machines: a state folder each, one database
        (tmp_path / name).mkdir()
        cfg = write_config(tmp_path / name, sources, settings, extra=HOOK.format(url=hook.url))
        daemons.append(_start("daemon", "--config", cfg, dsn=pg_url))
    try:
        wait_until(lambda: min(fetched[sid] for sid in ids) >= 4, 60)
        changed.update(ids[:2])  # two changes, each to be sent once by either daemon
        seen = dict(fetched)
        wait_until(lambda: min(fetched[sid] - seen[sid] for sid in ids) >= 4, 60)
        wait_until(lambda: len(hook.bodies) >= 2, 30)
    finally:
        for proc in daemons:
            proc.send_signal(signal.SIGTERM)
        results = _finish(daemons)
    assert overlaps == [], overlaps
    assert all(code == 0 for code, _, _ in results), results
    with psycopg.connect(pg_url) as conn:
        versions = conn.execute("SELECT source, count(*) FROM versions GROUP BY 1").fetchall()
    assert sorted(versions) == [(sid, 2 if sid in changed else 1) for sid in ids]
    sent = Counter(body["message_id"] for body in hook.bodies)
    assert sorted(m.split("__")[0] for m in sent) == ids[:2] and set(sent.values()) == {1}


def test_accept_reextract_promises_and_discover_work_against_the_database(
    site, tmp_path, tracker, pg_url, monkeypatch
):
    from tests.test_identity import API_PAGE, BASELINE, NAME, SID

    monkeypatch.setenv(DSN_VAR, pg_url)
    site.page("/doc", cloud_page(API_PAGE, title="API 概览"))
    source = doc_source(site.url("/doc"), sid=SID, name=NAME, baseline=str(BASELINE))
    cfg = write_config(tmp_path, [source], {"store_env": DSN_VAR})
    refused = tracker("check", "--config", cfg, "--json")
    assert refused.code == 3 and "does not look like" in refused.source(SID)["error"]
    accepted = tracker("accept", SID, "--config", cfg)
    assert accepted.code == 0 and "accepted without an alert" in accepted.out
    history = tracker("history", SID, "--config", cfg, "--json").json["versions"]
    assert [v["origin"] for v in history] == ["accepted", "baseline"]

    site.page("/doc", cloud_page())  # the agreement again, read with a wider selector
    assert tracker("check", "--config", cfg).code == 1
    source["selector"] = [".doc-main"]
    cfg = write_config(tmp_path, [source], {"store_env": DSN_VAR})
    redone = tracker("reextract", SID, "--config", cfg)
    assert redone.code == 0, redone.err
    history = tracker("history", SID, "--config", cfg, "--json").json["versions"]
    assert history[0]["origin"] == "upgrade" and history[0]["settings"] == ["selector"]

    promised = tracker("promises", SID, "--config", cfg, "--json")
    assert promised.code == 0 and "2.7" in promised.out
    assert tracker("discover", "--config", cfg, "--json").code == 0


def test_a_digest_from_the_database_is_sent_once_by_two_deliverers(
    site, tmp_path, tracker, pg_url, monkeypatch
):
    from tests.test_delivery import EDITED, two_sources
    from tests.test_digest import DAILY

    monkeypatch.setenv(DSN_VAR, pg_url)
    hook = Sink(site, "/hook")
    cfg = two_sources(site, tmp_path, DAILY.format(url=hook.url), store_env=DSN_VAR)
    tracker("check", "--config", cfg)
    site.page("/a", cloud_page(EDITED))
    site.page("/b", cloud_page(EDITED))
    run = tracker("check", "--config", cfg, "--json")
    assert run.code == 1 and hook.bodies == []  # held for the digest, on time
    with psycopg.connect(pg_url, autocommit=True) as conn:  # as if held since yesterday
        yesterday = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 86400))
        conn.execute(
            "UPDATE outbox SET created = %s,"
            " message = jsonb_set(message, '{created}', to_jsonb(%s::text))",
            (yesterday, yesterday),
        )
    deliverers = [_start("outbox", "--config", cfg, "--deliver", dsn=pg_url) for _ in range(2)]
    assert [code for code, _, _ in _finish(deliverers)] == [0, 0]
    [sent] = [b for b in hook.bodies if b.get("event") == "digest"]
    assert sorted(m["id"] for m in sent["messages"]) == ["a", "b"]
    assert len(hook.bodies) == 1
    listing = tracker("outbox", "--config", cfg, "--json")
    assert listing.code == 0 and listing.json["pending"] == []


def test_a_check_split_over_processes_queues_into_the_database(
    site, tmp_path, tracker, pg_url, monkeypatch
):
    monkeypatch.setenv(DSN_VAR, pg_url)
    hook = Sink(site, "/hook")
    ids = [f"doc-{n}" for n in range(4)]
    cfg = _setup(site, tmp_path, ids, hook, processes=2)  # a worker process hears changes too
    assert tracker("check", "--config", cfg).code == 0
    for sid in ids:
        site.page(f"/{sid}", _page(sid, changed=True))
    run = tracker("check", "--config", cfg, "--json")
    assert run.code == 1 and {s["status"] for s in run.json["sources"]} == {"changed"}
    assert sorted(b["message_id"].split("__")[0] for b in hook.bodies) == ids


def test_retry_and_drop_act_on_one_message_in_the_database(
    site, tmp_path, tracker, pg_url, monkeypatch
):
    monkeypatch.setenv(DSN_VAR, pg_url)
    hook = Sink(site, "/hook")
    hook.status = 400  # refused for good: the message fails, and waits for --retry
    cfg = _setup(site, tmp_path, ["doc"], hook, retries=0)
    tracker("check", "--config", cfg)
    site.page("/doc", _page("doc", changed=True))
    assert tracker("check", "--config", cfg).code == 4
    [entry] = tracker("outbox", "--config", cfg, "--json").json["pending"]
    assert entry["deliveries"]["webhook"]["status"] == "failed"
    assert tracker("outbox", "--config", cfg, "--retry", "nope").code == 2
    retried = tracker("outbox", "--config", cfg, "--retry", entry["id"], "--json")
    assert retried.json["pending"][0]["deliveries"]["webhook"]["status"] == "pending"
    dropped = tracker("outbox", "--config", cfg, "--drop", entry["id"], "--json")
    assert dropped.code == 0 and dropped.json["pending"] == []
    assert tracker("outbox", "--config", cfg, "--drop", entry["id"]).code == 2  # nothing left
