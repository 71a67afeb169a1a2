"""Digests: changes below a channel's immediate_severity, sent together once a day or week.

Each is delivered exactly once through the outbox, across outages and kills, and counted
at a real loopback sink.  A digest comes due at ``digest_at``: the tests move what was
held back to yesterday instead of waiting for a clock.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import Sink
from tests.pages import cloud_page
from tests.test_delivery import EDITED, TEN_TO_THREE, change_both, two_sources
from tests.test_notify import WATCH, notify_tables
from tracker.notify import digest
from tracker.notify.webhook import WebhookChannel

DAILY = '[[notify]]\nkind = "webhook"\nname = "hook"\nurl = "{url}"\ndigest = "daily"\n'
DAILY += 'digest_at = "00:00"\n'


@pytest.fixture
def hook(site):
    return Sink(site, "/hook")


def edit_both(site):
    """Two changes below critical: each is held for the digest."""
    site.page("/a", cloud_page(EDITED))
    site.page("/b", cloud_page(EDITED))


def outbox_dir(cfg: Path) -> Path:
    return cfg.parent / "snapshots" / "outbox"


def make_due(cfg: Path) -> list[str]:
    """Move every held message back to yesterday, so today's 00:00 digest has come due."""
    ids = []
    for path in sorted(outbox_dir(cfg).glob("*.json")):
        entry = json.loads(path.read_text())
        if any(h["status"] == "held" for h in entry["deliveries"].values()):
            created = datetime.now(UTC) - timedelta(days=1)
            entry["created"] = created.strftime("%Y-%m-%dT%H:%M:%SZ")
            path.write_text(json.dumps(entry))
            ids.append(entry["id"])
    return ids


def held_and_due(site, tmp_path, tracker, hook) -> Path:
    """Two changes held for a daily digest that has come due; the configuration."""
    cfg = two_sources(site, tmp_path, DAILY.format(url=hook.url))
    tracker("check", "--config", cfg)
    edit_both(site)
    tracker("check", "--config", cfg)
    assert len(make_due(cfg)) == 2
    return cfg


def digests(hook: Sink) -> list[dict]:
    return [b for b in hook.bodies if b.get("event") == "digest"]


def test_changes_below_critical_wait_and_go_as_one_digest(site, tmp_path, tracker, hook):
    cfg = two_sources(site, tmp_path, DAILY.format(url=hook.url))
    tracker("check", "--config", cfg)
    edit_both(site)
    run = tracker("check", "--config", cfg, "--json")
    assert run.code == 1 and hook.bodies == []  # changed; held, on time: not exit 4
    listing = tracker("outbox", "--config", cfg)
    assert listing.code == 0 and "hook: held for its digest" in listing.out
    assert "nothing waits: 2 changes are held for digests, on time" in listing.out

    held = make_due(cfg)
    assert len(held) == 2
    run = tracker("check", "--config", cfg, "--json")  # cron's next run sends what came due
    assert run.code == 0
    [sent] = hook.bodies
    assert sent["event"] == "digest" and sent["message_id"].startswith("digest__hook__")
    assert [m["id"] for m in sent["messages"]] == ["a", "b"]
    assert sorted(m["message_id"] for m in sent["messages"]) == sorted(held)
    assert all(m["changes"] for m in sent["messages"])  # each source's changes, listed

    assert tracker("check", "--config", cfg).code == 0
    assert tracker("outbox", "--deliver", "--config", cfg).code == 0
    assert len(hook.bodies) == 1  # gathered messages are never sent again
    assert "outbox is empty" in tracker("outbox", "--config", cfg).out


def test_critical_and_failing_go_at_once(site, tmp_path, tracker, hook):
    cfg = two_sources(site, tmp_path, DAILY.format(url=hook.url) + WATCH)
    tracker("check", "--config", cfg)
    change_both(site)  # a: 10 days' notice cut to 3, critical; b: a small edit
    assert tracker("check", "--config", cfg).code == 1
    assert [(b["event"], b["id"]) for b in hook.bodies] == [("change", "a")]
    site.page("/a", status=500)
    for _ in range(3):
        tracker("check", "--config", cfg)
    assert [b["event"] for b in hook.bodies] == ["change", "failing"]  # at once, not held


def test_a_digest_goes_once_through_an_outage(site, tmp_path, tracker, hook):
    cfg = held_and_due(site, tmp_path, tracker, hook)
    hook.status = 503
    assert tracker("check", "--config", cfg).code == 4  # the digest waits, owed
    assert hook.bodies == []
    assert "digest" in tracker("outbox", "--config", cfg).out
    hook.status = 200
    assert tracker("check", "--config", cfg).code == 0
    assert tracker("check", "--config", cfg).code == 0
    assert len(digests(hook)) == 1 and len(hook.bodies) == 1


def _die_once_the_digest_is_filed(cfg: str) -> None:
    """Kill this process once the digest is sent and filed, before what it gathered is."""
    from tracker import cli
    from tracker.notify.queue import Outbox

    file_if_done = Outbox.file_if_done

    def file_then_die(self, entry):
        file_if_done(self, entry)
        if entry.id.startswith(digest.PREFIX) and entry.done:
            os.kill(os.getpid(), signal.SIGKILL)

    Outbox.file_if_done = file_then_die  # type: ignore[method-assign]
    cli.main(["check", "--config", cfg])
    os._exit(99)


def test_a_kill_after_the_digest_is_sent_sends_nothing_again(site, tmp_path, tracker, hook):
    cfg = held_and_due(site, tmp_path, tracker, hook)
    child = multiprocessing.get_context("spawn").Process(
        target=_die_once_the_digest_is_filed, args=(str(cfg),)
    )
    child.start()
    child.join(60)
    assert child.exitcode == -signal.SIGKILL
    assert len(digests(hook)) == 1
    listing = tracker("outbox", "--config", cfg)
    assert "held for its digest" in listing.out  # the kill left them marked held
    assert tracker("check", "--config", cfg).code == 0
    assert tracker("outbox", "--deliver", "--config", cfg).code == 0
    assert len(hook.bodies) == 1  # the next run marks them, sends nothing
    assert "outbox is empty" in tracker("outbox", "--config", cfg).out


def test_a_change_held_after_the_digest_was_made_waits_for_the_next(site, tmp_path, tracker, hook):
    cfg = two_sources(site, tmp_path, DAILY.format(url=hook.url))
    tracker("check", "--config", cfg)
    site.page("/a", cloud_page(EDITED))
    tracker("check", "--config", cfg)
    make_due(cfg)
    tracker("check", "--config", cfg)
    assert [m["id"] for m in digests(hook)[0]["messages"]] == ["a"]
    site.page("/b", cloud_page(EDITED))  # held now: after today's digest time
    tracker("check", "--config", cfg)
    assert len(hook.bodies) == 1
    assert "held for its digest" in tracker("outbox", "--config", cfg).out


def test_turning_the_digest_off_sends_what_it_held(site, tmp_path, tracker, hook):
    cfg = two_sources(site, tmp_path, DAILY.format(url=hook.url))
    tracker("check", "--config", cfg)
    edit_both(site)
    tracker("check", "--config", cfg)
    cfg.write_text(cfg.read_text().replace('digest = "daily"\n', ""))
    assert tracker("check", "--config", cfg).code == 0
    assert sorted(b["id"] for b in hook.bodies) == ["a", "b"]
    assert digests(hook) == []


def test_immediate_severity_lowers_what_goes_at_once(site, tmp_path, tracker, hook):
    tables = DAILY.format(url=hook.url) + 'immediate_severity = "info"\n'
    tables += WATCH.replace('"critical"', '"warning"')
    cfg = two_sources(site, tmp_path, tables)
    tracker("check", "--config", cfg)
    site.page("/a", cloud_page(TEN_TO_THREE))
    tracker("check", "--config", cfg)
    assert [b["id"] for b in hook.bodies] == ["a"]


@pytest.mark.parametrize(
    ("every", "now", "due"),
    [
        ("daily", "2026-12-03T10:00", "2026-12-03T09:00"),  # today's has passed
        ("daily", "2026-12-03T08:59", "2026-12-02T09:00"),  # today's not yet: yesterday's
        ("daily", "2026-12-03T09:00", "2026-12-03T09:00"),  # on the minute
        ("weekly", "2026-12-03T10:00", "2026-11-30T09:00"),  # a Thursday: this Monday's
        ("weekly", "2026-11-30T08:00", "2026-11-23T09:00"),  # Monday, before the time
        ("weekly", "2026-11-30T09:30", "2026-11-30T09:00"),
    ],
)
def test_when_a_digest_comes_due(every, now, due):
    channel = WebhookChannel(name="hook", url="http://127.0.0.1/", digest=every)
    at = datetime.fromisoformat(now).replace(tzinfo=UTC)
    assert digest.due_at(channel, at) == datetime.fromisoformat(due).replace(tzinfo=UTC)
    step = timedelta(days=7 if every == "weekly" else 1)
    assert digest.next_due(channel, at) == digest.due_at(channel, at) + step


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ('digest = "hourly"', "digest"),
        ('digest_at = "9am"', 'must be a time of day, "HH:MM" (UTC)'),
        ('digest_at = "24:00"', "digest_at"),
        ('immediate_severity = "urgent"', "immediate_severity"),
    ],
)
def test_a_bad_digest_setting_is_one_line(site, tmp_path, tracker, hook, line, problem):
    tables = DAILY.format(url=hook.url)
    key = line.split(" =")[0]
    tables = "\n".join(x for x in tables.splitlines() if not x.startswith(f"{key} =")) + "\n"
    cfg = two_sources(site, tmp_path, tables + line + "\n")
    run = tracker("check", "--config", cfg)
    assert run.code == 2 and problem in run.err and len(run.err.strip().splitlines()) == 1


def test_slack_and_email_show_each_source_in_the_digest(site, tmp_path, tracker, sinks, smtp, env):
    slack, _ = sinks
    daily = 'digest = "daily"\ndigest_at = "00:00"\n'
    tables = notify_tables(slack=slack, smtp=smtp, extra={"slack": daily, "email": daily})
    cfg = two_sources(site, tmp_path, tables)
    tracker("check", "--config", cfg)
    edit_both(site)
    tracker("check", "--config", cfg)
    assert slack.bodies == [] and smtp.messages == []
    make_due(cfg)
    assert tracker("check", "--config", cfg).code == 0
    [body] = slack.bodies
    shown = json.dumps(body, ensure_ascii=False)
    assert "daily digest" in body["text"] and "2 changes in 2 sources" in body["text"]
    assert shown.count("9.2 本协议{+的+}签订地") == 0  # Slack marks with its own emphasis
    assert shown.count("*{+的+}*") == 2 and len(body["blocks"]) <= 50
    [mail] = smtp.messages
    assert "daily digest" in mail["Subject"]
    page = mail.get_body(("html",)).get_content()
    assert page.count("tracker diff a ") == 1 and page.count("tracker diff b ") == 1
    plain = mail.get_body(("plain",)).get_content()
    assert plain.count("9.2 本协议{+的+}签订地") == 2


def test_the_outbox_says_when_each_held_change_goes(site, tmp_path, tracker, hook):
    cfg = two_sources(site, tmp_path, DAILY.format(url=hook.url))
    tracker("check", "--config", cfg)
    site.page("/a", cloud_page(EDITED))
    tracker("check", "--config", cfg)
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%d 00:00 UTC")
    assert f"hook: held for its digest at {tomorrow}" in tracker("outbox", "-c", cfg).out
    [channel] = tracker("outbox", "-c", cfg, "--json").json["channels"]
    assert channel["next_digest"] == tomorrow.replace(" 00:00 UTC", "T00:00:00Z")
