"""kind = "apprise": every other service, through the same outbox, tested through apprise's
json:// schema against loopback sinks."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys

import pytest

from tests.conftest import Sink, doc_source, write_config
from tests.pages import AGREEMENT, change_clause, cloud_page
from tracker import cli
from tracker.notify import channel

pytest.importorskip("apprise")
TEN_TO_THREE = change_clause(AGREEMENT, "提前10个自然日", "提前3个自然日")


def json_url(sink: Sink) -> str:
    return "json://" + sink.url.removeprefix("http://")


@pytest.fixture
def two(site, monkeypatch):
    """Two services behind one apprise channel (one variable, separated as apprise reads it)."""
    a, b = Sink(site, "/apprise/a"), Sink(site, "/apprise/b")
    monkeypatch.setenv("TEST_APPRISE_URLS", f"{json_url(a)}, {json_url(b)}")
    return a, b


def configure(site, tmp_path, extra: str = "") -> str:
    site.page("/doc", cloud_page())
    table = '[[notify]]\nkind = "apprise"\nname = "team"\nurls_env = "TEST_APPRISE_URLS"\n'
    return write_config(tmp_path, [doc_source(site.url("/doc"))], {"retries": 0}, table + extra)


def test_a_change_reaches_each_service_once_as_markdown(site, tmp_path, tracker, two):
    a, b = two
    cfg = configure(site, tmp_path)
    assert tracker("check", "-c", cfg).code == 0
    site.page("/doc", cloud_page(TEN_TO_THREE))
    run = tracker("check", "-c", cfg, "--json")
    assert run.code == 1, run.out
    assert [(d["channel"], d["status"]) for d in run.json["deliveries"]] == [("team", "sent")]
    [one], [other] = a.bodies, b.bodies
    assert one == other
    assert one["title"].startswith("[warning] 腾讯会议 API 开发者协议: 2.7 modified")
    body = one["message"]
    assert "提前~~[-10-]~~**{+3+}**个自然日" in body and "Facts: 10个自然日 → 3个自然日" in body
    assert "`tracker diff doc 0002_" in body and "##" not in body
    assert tracker("check", "-c", cfg).code == 0
    assert (len(a.bodies), len(b.bodies)) == (1, 1)


def test_a_service_down_waits_alone_and_the_other_is_not_sent_twice(site, tmp_path, tracker, two):
    a, b = two
    cfg = configure(site, tmp_path)
    tracker("check", "-c", cfg)
    b.status = 503
    site.page("/doc", cloud_page(TEN_TO_THREE))
    run = tracker("check", "-c", cfg, "--json")
    assert run.code == 4
    [waits] = run.json["deliveries"]
    assert waits["status"] == "pending" and waits["error"].startswith("apprise 'team' #2 (json://)")
    assert "127.0.0.1" not in waits["error"] and "apprise/b" not in waits["error"]
    assert len(a.bodies) == 1 and b.bodies == []
    assert tracker("check", "-c", cfg).code == 4  # still down: still waiting
    b.status = 200
    assert tracker("check", "-c", cfg).code == 0
    assert (len(a.bodies), len(b.bodies)) == (1, 1)  # the first service never had it twice


def _die_after_first_part(cfg: str) -> None:
    """Child: run a check, and SIGKILL ourselves once the first service's delivery is kept."""
    keep = channel.Progress.mark

    def mark(self, part):
        keep(self, part)
        os.kill(os.getpid(), signal.SIGKILL)

    channel.Progress.mark = mark  # type: ignore[method-assign]
    cli.main(["check", "--config", cfg])
    os._exit(99)


def test_a_kill_between_two_services_sends_each_once(site, tmp_path, tracker, two):
    a, b = two
    cfg = configure(site, tmp_path)
    tracker("check", "-c", cfg)
    site.page("/doc", cloud_page(TEN_TO_THREE))
    child = multiprocessing.get_context("spawn").Process(
        target=_die_after_first_part, args=(str(cfg),)
    )
    child.start()
    child.join(60)
    assert child.exitcode == -signal.SIGKILL
    assert (len(a.bodies), len(b.bodies)) == (1, 0)
    assert tracker("check", "-c", cfg).code == 0
    assert (len(a.bodies), len(b.bodies)) == (1, 1)
    assert a.bodies[0] == b.bodies[0]


def test_without_apprise_installed_the_channel_says_how_and_the_rest_goes_on(
    site, tmp_path, tracker, two, monkeypatch
):
    hook = Sink(site, "/hook")
    cfg = configure(site, tmp_path, f'\n[[notify]]\nkind = "webhook"\nurl = "{hook.url}"\n')
    tracker("check", "-c", cfg)
    monkeypatch.setitem(sys.modules, "apprise", None)  # import apprise now fails
    site.page("/doc", cloud_page(TEN_TO_THREE))
    run = tracker("check", "-c", cfg, "--json")
    assert run.code == 4
    by = {d["channel"]: d for d in run.json["deliveries"]}
    assert by["webhook"]["status"] == "sent" and len(hook.bodies) == 1
    assert by["team"]["status"] == "pending"
    assert (
        by["team"]["error"]
        == "apprise 'team': apprise is not installed: pip install 'tracker[apprise]'"
    )
    status = tracker("status", "-c", cfg)
    assert status.code == 0 and "pip install 'tracker[apprise]'" in status.out
    monkeypatch.delitem(sys.modules, "apprise")  # installed again: the message goes
    assert tracker("check", "-c", cfg).code == 0
    a, b = two
    assert (len(a.bodies), len(b.bodies), len(hook.bodies)) == (1, 1, 1)


@pytest.mark.parametrize(
    ("table", "problem"),
    [
        ('urls = ["not a url"]', "notify[1].urls: URL #1 is not an apprise URL (schema://…)"),
        ("urls = []", "notify[1].urls: must be a string"),
        ("", "notify[1].urls: missing (or set urls_env)"),
    ],
)
def test_bad_apprise_urls_are_one_line(tmp_path, tracker, table, problem):
    source = doc_source("https://example.com/terms")
    cfg = write_config(tmp_path, [source], extra=f'[[notify]]\nkind = "apprise"\n{table}\n')
    run = tracker("status", "-c", cfg)
    assert run.code == 2 and problem in run.err and len(run.err.strip().splitlines()) == 1
