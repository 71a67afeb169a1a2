"""Alerts that arrive: Slack, email and webhook against real local servers, and the outbox."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal

import pytest

from tests.conftest import doc_source, free_port, write_config
from tests.pages import AGREEMENT, change_clause, cloud_page
from tracker import cli
from tracker.cli import load_config
from tracker.notify import queue

TEN_TO_THREE = change_clause(AGREEMENT, "提前10个自然日", "提前3个自然日")
WATCH = """
[[watch]]
name = "fee-notice"
clauses = ["2.7", "9.1"]
severity = "critical"
"""


def notify_tables(slack=None, hook=None, smtp=None, extra=None) -> str:
    extra = extra or {}
    out = []
    if slack:
        out.append(
            f'[[notify]]\nkind = "slack"\nwebhook_url_env = "TEST_SLACK_URL"\n{extra.get("slack", "")}'
        )
    if hook:
        out.append(f'[[notify]]\nkind = "webhook"\nurl = "{hook.url}"\n{extra.get("hook", "")}')
    if smtp:
        out.append(
            f'[[notify]]\nkind = "email"\nhost = "127.0.0.1"\nport = {smtp.port}\n'
            'username = "tracker"\npassword_env = "TEST_SMTP_PASSWORD"\n'
            'from = "tracker@example.com"\nto = ["legal@example.com", "dev@example.com"]\n'
            f"{extra.get('email', '')}"
        )
    return WATCH + "\n" + "\n".join(out)


def setup_site(site, tmp_path, extra, **settings):
    site.page("/doc", cloud_page())
    cfg = write_config(
        tmp_path, [doc_source(site.url("/doc"))], {"retries": 1, **settings}, extra=extra
    )
    return cfg


def test_a_change_reaches_every_channel_once(site, tmp_path, tracker, sinks, smtp, env):
    slack, hook = sinks
    cfg = setup_site(site, tmp_path, notify_tables(slack, hook, smtp))
    assert tracker("check", "--config", cfg).code == 0
    assert slack.bodies == hook.bodies == smtp.messages == []  # a baseline is not news

    site.page("/doc", cloud_page(TEN_TO_THREE))
    run = tracker("check", "--config", cfg, "--json")
    assert run.code == 1
    assert [(d["channel"], d["status"]) for d in run.json["deliveries"]] == [
        ("slack", "sent"),
        ("webhook", "sent"),
        ("email", "sent"),
    ]
    [s], [h], [m] = slack.bodies, hook.bodies, smtp.messages
    assert "2.7" in s["text"] and len(s["blocks"]) >= 3
    shown = "".join(b.get("text", {}).get("text", "") for b in s["blocks"])
    assert "~[-10-]~" in shown and "*{+3+}*" in shown  # struck and bold, and marked
    assert h["id"] == "doc" and h["event"] == "change" and h["changes"][0]["clause"] == "2.7"
    assert h["alerts"] == [{"watch": "fee-notice", "severity": "critical", "clauses": ["2.7"]}]
    assert {k for k in run.source("doc")} - {"elapsed"} <= set(
        h
    )  # --json's shape, but the run's time
    assert m["Subject"] == "[tracker] [critical] 腾讯会议 API 开发者协议: 2.7 modified"
    assert smtp.recipients == [["legal@example.com", "dev@example.com"]]
    assert smtp.logins == [("tracker", "s3cret-smtp")]
    text = m.get_body(("plain",)).get_content()
    html_part = m.get_body(("html",)).get_content()
    assert "提前[-10-]{+3+}个自然日" in text and "Facts: 10个自然日 → 3个自然日" in text
    assert '<del style="' in html_part and "[-</span>10<span" in html_part
    assert "{+</span>3<span" in html_part

    again = tracker("check", "--config", cfg, "--json")
    assert again.code == 0 and again.json["deliveries"] == []
    assert (len(slack.bodies), len(hook.bodies), len(smtp.messages)) == (1, 1, 1)
    assert tracker("outbox", "--config", cfg).code == 0


def test_slack_down_email_up_then_slack_back(site, tmp_path, tracker, sinks, smtp, env):
    slack, _ = sinks
    cfg = setup_site(site, tmp_path, notify_tables(slack, None, smtp))
    tracker("check", "--config", cfg)
    slack.status = 503
    site.page("/doc", cloud_page(TEN_TO_THREE))
    run = tracker("check", "--config", cfg, "--json")
    assert run.code == 4  # changed (1), but an alert waits (4): the highest wins
    statuses = {d["channel"]: d["status"] for d in run.json["deliveries"]}
    assert statuses == {"slack": "pending", "email": "sent"}  # a 503 is transient: it waits
    assert "HTTP 503" in next(d["error"] for d in run.json["deliveries"] if d["channel"] == "slack")
    assert len(smtp.messages) == 1 and slack.bodies == []
    listed = tracker("outbox", "--config", cfg, "--json")
    assert listed.code == 4
    [entry] = listed.json["pending"]
    assert entry["deliveries"]["email"]["status"] == "sent"
    assert (
        entry["deliveries"]["slack"]["status"] == "pending"
        and entry["deliveries"]["slack"]["attempts"] == 2
    )

    slack.status = 200
    later = tracker("check", "--config", cfg, "--json")
    assert later.code == 0
    assert [(d["channel"], d["status"]) for d in later.json["deliveries"]] == [("slack", "sent")]
    assert len(slack.bodies) == 1 and len(smtp.messages) == 1
    assert tracker("outbox", "--config", cfg, "--json").json["pending"] == []


def test_smtp_refusing_the_connection(site, tmp_path, tracker, sinks, env):
    class Closed:
        port = free_port()

    cfg = setup_site(site, tmp_path, notify_tables(None, None, Closed))
    tracker("check", "--config", cfg)
    site.page("/doc", cloud_page(TEN_TO_THREE))
    run = tracker("check", "--config", cfg, "--json")
    assert run.code == 4
    [delivery] = run.json["deliveries"]
    assert delivery["status"] == "pending" and "connection refused" in delivery["error"].lower()
    assert "s3cret-smtp" not in run.out + run.err
    assert len(tracker("outbox", "--config", cfg, "--json").json["pending"]) == 1


def _die_at(target: str, cfg: str) -> None:
    """Child process: run `tracker check` and SIGKILL ourselves when ``target`` is reached."""

    def die(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGKILL)

    setattr(queue.Outbox, target, die)
    cli.main(["check", "--config", cfg])
    os._exit(99)


@pytest.mark.parametrize(
    "target", ["enqueue", "pending"], ids=["before-queueing", "before-sending"]
)
def test_a_run_killed_between_recording_and_sending_loses_nothing(
    site, tmp_path, tracker, sinks, env, target
):
    slack, hook = sinks
    cfg = setup_site(site, tmp_path, notify_tables(slack, hook))
    tracker("check", "--config", cfg)
    site.page("/doc", cloud_page(TEN_TO_THREE))
    child = multiprocessing.get_context("fork").Process(target=_die_at, args=(target, str(cfg)))
    child.start()
    child.join(60)
    assert child.exitcode == -signal.SIGKILL
    assert slack.bodies == [] and hook.bodies == []

    run = tracker("check", "--config", cfg, "--json")  # the page is unchanged now...
    assert run.source("doc")["status"] == "unchanged"
    assert run.code == 0
    assert len(slack.bodies) == 1 and len(hook.bodies) == 1  # ...but the alert arrives, once
    assert hook.bodies[0]["changes"][0]["clause"] == "2.7"
    tracker("check", "--config", cfg)
    assert len(slack.bodies) == 1 and len(hook.bodies) == 1


HOSTILE = (
    "9.2 <!channel> 请访问 <https://evil.example|点此领奖> & <script>alert(1)</script> <b>粗</b>"
)


def test_hostile_page_text_is_escaped_for_slack_and_email(
    site, tmp_path, tracker, sinks, smtp, env
):
    slack, _ = sinks
    cfg = setup_site(site, tmp_path, notify_tables(slack, None, smtp))
    tracker("check", "--config", cfg)
    hostile_html = cloud_page(
        body="<p>"
        + HOSTILE.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        + "</p>"
        + "".join(f"<p>{line}</p>" for line in AGREEMENT.splitlines()[1:])
    )
    site.page("/doc", hostile_html)
    tracker("check", "--config", cfg)
    posted = json.dumps(slack.bodies, ensure_ascii=False)
    assert "<!channel>" not in posted and "<https://evil.example|" not in posted
    assert "&lt;!channel&gt;" in posted and "&lt;https://evil.example|点此领奖&gt;" in posted
    assert "&amp;" in posted
    html_part = smtp.messages[-1].get_body(("html",)).get_content()
    assert "<script>" not in html_part and "&lt;script&gt;" in html_part
    assert "<b>粗</b>" not in html_part


def test_min_severity_routing(site, tmp_path, tracker, sinks, env):
    slack, hook = sinks
    extra = notify_tables(
        slack, hook, extra={"slack": 'min_severity = "critical"', "hook": 'min_severity = "info"'}
    )
    cfg = setup_site(site, tmp_path, extra)
    tracker("check", "--config", cfg)
    site.page(
        "/doc", cloud_page(change_clause(AGREEMENT, "4.2.6 为防止", "4.2.6 为及时防止"))
    )  # info
    tracker("check", "--config", cfg)
    assert len(hook.bodies) == 1 and slack.bodies == []
    site.page(
        "/doc", cloud_page(change_clause(AGREEMENT, "提前10个自然日", "提前3个自然日"))
    )  # critical
    tracker("check", "--config", cfg)
    assert len(hook.bodies) == 2 and len(slack.bodies) == 1


def test_a_failing_source_alerts_once_and_once_on_recovery(site, tmp_path, tracker, sinks, env):
    _, hook = sinks
    cfg = setup_site(site, tmp_path, notify_tables(None, hook), retries=0)
    tracker("check", "--config", cfg)
    site.page("/doc", "down", status=503)
    codes = [tracker("check", "--config", cfg).code for _ in range(5)]
    assert codes == [3, 3, 3, 3, 3]
    assert [b["event"] for b in hook.bodies] == ["failing"]
    assert hook.bodies[0]["failures"] == 3 and "HTTP 503" in hook.bodies[0]["error"]
    site.page("/doc", cloud_page())
    assert tracker("check", "--config", cfg).code == 0
    tracker("check", "--config", cfg)
    assert [b["event"] for b in hook.bodies] == ["failing", "recovered"]
    assert hook.bodies[1]["status"] == "unchanged"


def test_notify_test_sends_a_sample_to_every_channel(site, tmp_path, tracker, sinks, smtp, env):
    slack, hook = sinks
    cfg = setup_site(site, tmp_path, notify_tables(slack, hook, smtp))
    run = tracker("notify", "--test", "--config", cfg)
    assert run.code == 0
    assert (
        "✓ slack 'slack': sent" in run.out
        and "✓ webhook 'webhook': sent" in run.out
        and "✓ email 'email': sent" in run.out
    )
    assert hook.bodies[0]["event"] == "test" and len(slack.bodies) == 1 and len(smtp.messages) == 1
    slack.status = 500
    failed = tracker("notify", "--test", "--config", cfg)
    assert failed.code == 4 and "✗ slack 'slack': HTTP 500" in failed.out


def test_secrets_never_reach_output_or_logs(site, tmp_path, tracker, sinks, smtp, env):
    slack, _ = sinks
    slack.status = 503
    cfg = setup_site(site, tmp_path, notify_tables(slack, None, smtp))
    tracker("check", "--config", cfg)
    site.page("/doc", cloud_page(TEN_TO_THREE))
    run = tracker("check", "--config", cfg, "--verbose")
    listed = tracker("outbox", "--config", cfg, "--verbose")
    everything = run.out + run.err + listed.out + listed.err
    assert "XXXXsecretXXXX" not in everything and "s3cret-smtp" not in everything
    stored = "".join(p.read_text() for p in (tmp_path / "snapshots").rglob("*.json"))
    assert "XXXXsecretXXXX" not in stored and "s3cret-smtp" not in stored


def test_a_missing_secret_is_that_channels_failure_alone(
    site, tmp_path, tracker, sinks, monkeypatch
):
    """Only sending needs a secret: every source is checked, every other command works, and
    the channel's messages wait until its variable is set, then go exactly once."""
    slack, hook = sinks
    monkeypatch.delenv("TEST_SLACK_URL", raising=False)
    cfg = setup_site(site, tmp_path, notify_tables(slack, hook))
    first = tracker("check", "--config", cfg, "--json")
    assert first.code == 0 and first.json["sources"][0]["status"] == "baseline"
    site.page("/doc", cloud_page(TEN_TO_THREE))
    changed = tracker("check", "--config", cfg, "--json")
    assert changed.code == 4 and changed.json["sources"][0]["status"] == "changed"
    waits = [d for d in changed.json["deliveries"] if d["channel"] == "slack"]
    assert [d["status"] for d in waits] == ["pending"]
    assert waits[0]["error"] == "slack 'slack': environment variable TEST_SLACK_URL is not set"
    assert len(hook.bodies) == 1 and slack.bodies == []  # the webhook was served all the same
    status = tracker("status", "--config", cfg)
    assert status.code == 0
    assert (
        "✗ slack 'slack' cannot send: environment variable TEST_SLACK_URL is not set" in status.out
    )
    as_json = tracker("status", "--config", cfg, "--json").json["channels"]
    assert {c["name"]: c["problem"] for c in as_json} == {
        "slack": "environment variable TEST_SLACK_URL is not set",
        "webhook": None,
    }
    listed = tracker("outbox", "--config", cfg)
    assert listed.code == 4 and "environment variable TEST_SLACK_URL is not set" in listed.out
    assert tracker("history", "--config", cfg, "doc").code == 0
    assert tracker("diff", "--config", cfg, "doc").code == 0
    assert "TEST_SLACK_URL" in tracker("notify", "--test", "--config", cfg).out
    monkeypatch.setenv("TEST_SLACK_URL", slack.url)  # set: the waiting message goes, once
    assert tracker("check", "--config", cfg).code == 0
    assert tracker("check", "--config", cfg).code == 0
    assert len(slack.bodies) == 1
    assert [b["event"] for b in hook.bodies] == ["change", "test"]


@pytest.mark.parametrize(
    ("table", "key", "problem"),
    [
        ('kind = "pager"', "notify[1].kind", "is not one of"),
        ('kind = "webhook"', "notify[1].url", "missing"),
        ('kind = "webhook"\nurl = "ftp://x"', "notify[1].url", "not an http(s) URL"),
        (
            'kind = "webhook"\nurl = "https://x"\nmin_severity = "loud"',
            "notify[1].min_severity",
            "not one of",
        ),
        (
            'kind = "webhook"\nurl = "https://x"\nchannel = "#legal"',
            "notify[1].channel",
            "unknown key",
        ),
        (
            'kind = "email"\nhost = "h"\nfrom = "a@b"\nto = ["nobody"]',
            "notify[1].to",
            "email addresses",
        ),
        (
            'kind = "email"\nhost = "h"\nfrom = "a@b"\nto = ["a@b"]\nssl = true\nstarttls = true',
            "notify[1].ssl",
            "not both",
        ),
        (
            'kind = "slack"\nwebhook_url = "https://x"\nwebhook_url_env = "Y"',
            "notify[1].webhook_url",
            "not both",
        ),
    ],
)
def test_bad_notify_config(tmp_path, tracker, table, key, problem):
    cfg = write_config(
        tmp_path, [doc_source("https://example.com/")], extra=f"[[notify]]\n{table}\n"
    )
    run = tracker("check", "--config", cfg)
    assert run.code == 2 and f": {key}: " in run.err and problem in run.err


def test_two_unnamed_channels_of_a_kind_must_be_named(tmp_path, tracker):
    """Before: they were named by position, so adding the second renamed the first, and the
    first one's waiting messages were dropped as for a channel no longer configured."""
    one = '[[notify]]\nkind = "webhook"\nurl = "https://a/"\n'
    two = one + '[[notify]]\nkind = "webhook"\nurl = "https://b/"\n'
    cfg = load_config(write_config(tmp_path, [doc_source("https://example.com/")], extra=one))
    assert [c.name for c in cfg.channels] == ["webhook"]  # alone, it is called by its kind
    path = write_config(tmp_path, [doc_source("https://example.com/")], extra=two)
    run = tracker("check", "--config", path)
    assert run.code == 2
    assert run.err.strip().endswith(
        "notify[2].name: two webhook channels need a name each (the one without keeps "
        "'webhook', so its waiting messages stay its own)"
    )
    named = two.replace('url = "https://b/"', 'url = "https://b/"\nname = "team"')
    cfg = load_config(write_config(tmp_path, [doc_source("https://example.com/")], extra=named))
    assert [c.name for c in cfg.channels] == ["webhook", "team"]


# -- issue 23, item 7: a page's control characters reach no terminal, mail reader or feed -----

ESCAPES = "\x1b]0;pwned\x07\x1b[2J\x1b]8;;https://evil.example\x1b\\点此\x1b]8;;\x1b\\\x9b31m"


def test_terminal_escapes_in_a_page_drive_nothing(site, tmp_path, tracker, sinks, smtp, env):
    """Before: ESC, raw or as &#27;, reached the terminal through check, diff and show (a page
    could clear the screen, fake a hyperlink, set the window title), and email and Slack."""
    slack, _ = sinks
    cfg = setup_site(site, tmp_path, notify_tables(slack, None, smtp))
    tracker("check", "--config", cfg)
    raw = ESCAPES.replace("\x1b[2J", "&#27;[2J")  # written as an entity, too
    edited = change_clause(AGREEMENT, "9.2 本协议签订地", f"9.2 本协议{raw}签订地")
    site.page("/doc", cloud_page(edited).replace("&amp;#27;", "&#27;"))
    outputs = [
        tracker("check", "--config", cfg),
        tracker("diff", "doc", "--config", cfg),
        tracker("show", "doc", "--config", cfg),
        tracker("history", "doc", "--config", cfg),
        tracker("report", "--out", tmp_path / "site", "--config", cfg),
    ]
    shown = "".join(run.out + run.err for run in outputs)
    assert "␛" in shown  # shown, as a picture
    mail = smtp.messages[-1]
    sent = [
        shown,
        json.dumps(slack.bodies, ensure_ascii=False),
        mail["Subject"],
        mail.get_body(("plain",)).get_content(),
        mail.get_body(("html",)).get_content(),
        *(p.read_text("utf-8") for p in (tmp_path / "site").rglob("*.html")),
    ]
    for text in sent:
        assert not any(c in text for c in ("\x1b", "\x07", "\x9b")), text[:300]
