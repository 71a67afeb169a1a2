"""Nothing lost, nothing stuck: one bad message, answer or entry costs only itself.

Each test reproduces a defect the adversarial pass found (issue 11, items 1-5 and 20),
against real local HTTP sinks.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import ssl
import subprocess
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest
from werkzeug import Request, Response

from tests.conftest import Sink, doc_source, free_port, versions, write_config
from tests.pages import AGREEMENT, change_clause, cloud_page
from tracker import notify
from tracker.message import Message
from tracker.notify.courier import Courier

TEN_TO_THREE = change_clause(AGREEMENT, "提前10个自然日", "提前3个自然日")
EDITED = change_clause(AGREEMENT, "9.2 本协议签订地", "9.2 本协议的签订地")


@pytest.fixture
def hook(site):
    return Sink(site, "/hook")


def two_sources(site, tmp_path, tables: str, **settings):
    site.page("/a", cloud_page())
    site.page("/b", cloud_page())
    sources = [doc_source(site.url("/a"), "a"), doc_source(site.url("/b"), "b")]
    return write_config(tmp_path, sources, {"retries": 0, **settings}, extra=tables)


def webhook(url: str, name: str = "hook") -> str:
    return f'[[notify]]\nkind = "webhook"\nname = "{name}"\nurl = "{url}"\n'


def change_both(site):
    site.page("/a", cloud_page(TEN_TO_THREE))
    site.page("/b", cloud_page(EDITED))


def test_a_message_the_service_rejects_fails_alone_and_can_be_retried(
    site, tmp_path, tracker, hook
):
    cfg = two_sources(site, tmp_path, webhook(hook.url))
    tracker("check", "--config", cfg)
    change_both(site)
    hook.refuse = lambda body: body["id"] == "a"  # the service rejects that payload: a 400
    run = tracker("check", "--config", cfg, "--json")
    assert run.code == 4  # changed, and one message failed: it waits
    statuses = {d["source"]: d["status"] for d in run.json["deliveries"]}
    assert statuses == {"a": "failed", "b": "sent"}  # the other message went on
    assert [b["id"] for b in hook.bodies] == ["b"]

    listing = tracker("outbox", "--config", cfg)
    assert listing.code == 4 and "hook: failed" in listing.out and "HTTP 400" in listing.out
    [failed_id] = [e["id"] for e in tracker("outbox", "--config", cfg, "--json").json["pending"]]
    assert tracker("check", "--config", cfg).code == 4  # a failed message is not retried by itself
    assert [b["id"] for b in hook.bodies] == ["b"]

    hook.refuse = None
    assert tracker("outbox", "--retry", failed_id, "--config", cfg).code == 4  # pending again
    delivered = tracker("outbox", "--deliver", "--config", cfg)
    assert delivered.code == 0 and [b["id"] for b in hook.bodies] == ["b", "a"]


def test_drop_gives_up_on_one_message(site, tmp_path, tracker, hook):
    cfg = two_sources(site, tmp_path, webhook(hook.url))
    tracker("check", "--config", cfg)
    change_both(site)
    hook.refuse = lambda body: body["id"] == "a"
    tracker("check", "--config", cfg)
    [failed_id] = [e["id"] for e in tracker("outbox", "--config", cfg, "--json").json["pending"]]
    assert tracker("outbox", "--drop", failed_id, "--config", cfg).code == 0
    assert tracker("outbox", "--config", cfg).code == 0
    assert tracker("outbox", "--drop", "no-such-id", "--config", cfg).code == 2


@notify.register
@dataclass(frozen=True, kw_only=True)
class Unbuildable(notify.Channel):
    """A channel whose messages cannot be built: what a bug or a hostile value would do."""

    kind: ClassVar[str] = "test-unbuildable"

    async def send(self, message: Message, courier: Courier) -> None:
        if message.outcome.id == "a":
            raise ValueError("Header values may not contain linefeed or carriage return characters")


def test_a_message_that_cannot_be_built_is_that_deliverys_failure_not_the_runs(
    site, tmp_path, tracker, hook
):
    tables = '[[notify]]\nkind = "test-unbuildable"\nname = "unbuildable"\n' + webhook(hook.url)
    cfg = two_sources(site, tmp_path, tables)
    tracker("check", "--config", cfg)
    change_both(site)
    run = tracker("check", "--config", cfg, "--json")
    assert run.code == 4, run.err
    deliveries = {(d["source"], d["channel"]): d for d in run.json["deliveries"]}
    broken = deliveries["a", "unbuildable"]
    assert (
        broken["status"] == "failed"
        and "cannot be sent: ValueError: Header values" in broken["error"]
    )
    assert deliveries["b", "unbuildable"]["status"] == "sent"
    assert sorted(b["id"] for b in hook.bodies) == ["a", "b"]  # every other channel went on
    assert "Traceback" not in run.err


def test_a_redirect_is_not_a_delivery(site, tmp_path, tracker, hook):
    target = Sink(site, "/moved-here")
    cfg = two_sources(site, tmp_path, webhook(hook.url))
    tracker("check", "--config", cfg)
    site.page("/a", cloud_page(TEN_TO_THREE))
    hook.answers = [(301, {"Location": target.url})]
    run = tracker("check", "--config", cfg, "--json")
    [delivery] = run.json["deliveries"]
    assert delivery["status"] == "failed" and "HTTP 301, a redirect" in delivery["error"]
    assert target.bodies == [] and run.code == 4


def test_a_429_is_retried_after_the_time_it_asks_for(site, tmp_path, tracker, hook):
    cfg = two_sources(site, tmp_path, webhook(hook.url), retries=1, backoff="10ms")
    tracker("check", "--config", cfg)
    site.page("/a", cloud_page(TEN_TO_THREE))
    hook.answers = [(429, {"Retry-After": "1"})]
    run = tracker("check", "--config", cfg, "--json")
    [delivery] = run.json["deliveries"]
    assert delivery["status"] == "sent" and delivery["attempts"] == 2
    first, second = hook.arrivals
    assert second - first >= 1.0  # a lower bound the server set, not a timing goal


def test_a_long_outage_never_drops_an_alert(site, tmp_path, tracker, hook):
    cfg = two_sources(site, tmp_path, webhook(hook.url))
    tracker("check", "--config", cfg)
    site.page("/a", cloud_page(TEN_TO_THREE))
    hook.status = 503
    for _ in range(6):
        assert tracker("check", "--config", cfg).code in (1, 4)
    [entry] = tracker("outbox", "--config", cfg, "--json").json["pending"]
    assert entry["deliveries"]["hook"]["status"] == "pending"
    hook.status = 200
    assert tracker("check", "--config", cfg).code == 0 and len(hook.bodies) == 1


def test_a_deleted_outbox_is_rebuilt_from_the_versions(site, tmp_path, tracker, hook):
    cfg = two_sources(site, tmp_path, webhook(hook.url))
    tracker("check", "--config", cfg)
    site.page("/a", cloud_page(TEN_TO_THREE))
    hook.status = 503
    tracker("check", "--config", cfg)
    shutil.rmtree(tmp_path / "snapshots" / "outbox")
    listing = tracker("outbox", "--config", cfg, "--json")
    assert listing.code == 4 and [e["source"]["id"] for e in listing.json["pending"]] == ["a"]
    assert listing.json["requeued"] == [listing.json["pending"][0]["id"]]
    hook.status = 200
    assert tracker("check", "--config", cfg).code == 0
    assert [b["id"] for b in hook.bodies] == ["a"]  # exactly once
    shutil.rmtree(tmp_path / "snapshots" / "outbox")  # delivered: nothing to re-queue
    assert tracker("outbox", "--config", cfg).code == 0 and len(hook.bodies) == 1


@pytest.mark.parametrize("damage", ["{garbled", "[]", "{}", '{"id": 1}'])
def test_a_damaged_entry_is_set_aside_reported_and_its_alert_queued_again(
    site, tmp_path, tracker, hook, damage
):
    cfg = two_sources(site, tmp_path, webhook(hook.url))
    tracker("check", "--config", cfg)
    site.page("/a", cloud_page(TEN_TO_THREE))
    hook.status = 503
    tracker("check", "--config", cfg)
    [entry] = (tmp_path / "snapshots" / "outbox").glob("*.json")
    entry.write_text(damage, "utf-8")
    for command in ("status", "outbox"):
        assert "Traceback" not in tracker(command, "--config", cfg).err
    listing = tracker("outbox", "--config", cfg)
    assert f"damaged entry set aside: outbox/damaged/{entry.name}" in listing.out
    assert listing.code == 4
    hook.status = 200
    assert tracker("check", "--config", cfg).code == 0
    assert [b["id"] for b in hook.bodies] == ["a"]
    assert (tmp_path / "snapshots" / "outbox" / "damaged" / entry.name).exists()  # kept


def test_the_same_change_recorded_twice_has_one_message_id(site, tmp_path, tracker, hook):
    """A torn latest text and a lost state.json re-record the change: no second alert."""
    cfg = two_sources(site, tmp_path, webhook(hook.url))
    tracker("check", "--config", cfg)
    site.page("/a", cloud_page(TEN_TO_THREE))
    tracker("check", "--config", cfg)
    assert len(hook.bodies) == 1
    state = tmp_path / "snapshots" / "a"
    [_, v2] = versions(tmp_path / "snapshots", "a")
    (state / "versions" / v2 / "text.md").write_text("torn", "utf-8")
    (state / "state.json").unlink()
    run = tracker("check", "--config", cfg, "--json")
    src = next(s for s in run.json["sources"] if s["id"] == "a")
    assert src["status"] == "changed" and any("set aside in damaged/" in n for n in src["notes"])
    assert len(hook.bodies) == 1  # the same message id: known, not sent again
    recorded = json.loads(
        (state / "versions" / versions(tmp_path / "snapshots", "a")[-1] / "alert.json").read_text()
    )
    assert recorded["id"] == hook.bodies[0]["message_id"]


class _KeepAlive(BaseHTTPRequestHandler):
    """A webhook endpoint that keeps connections open, as real ones do."""

    protocol_version = "HTTP/1.1"
    ports: ClassVar[list[int]] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        type(self).ports.append(self.client_address[1])
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: object) -> None:
        pass


def test_one_delivery_run_shares_one_connection(site, tmp_path, tracker):
    """Before: a new client (a TLS context, a connection) per message: 40 ms of CPU each."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _KeepAlive)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        sources = []
        for n in range(5):
            site.page(f"/{n}", cloud_page())
            sources.append(doc_source(site.url(f"/{n}"), f"s{n}"))
        url = f"http://127.0.0.1:{server.server_port}/hook"
        cfg = write_config(tmp_path, sources, {"retries": 0}, extra=webhook(url))
        tracker("check", "--config", cfg)
        for n in range(5):
            site.page(f"/{n}", cloud_page(TEN_TO_THREE))
        assert tracker("check", "--config", cfg).code == 1
        assert len(_KeepAlive.ports) == 5 and len(set(_KeepAlive.ports)) == 1
    finally:
        server.shutdown()


def test_an_entry_delivered_everywhere_but_left_queued_by_a_kill_is_filed(
    site, tmp_path, tracker, hook
):
    """A run killed between marking the last channel sent and filing the entry left it in the
    queue: the next delivery files it, sends nothing again, and the outbox is empty (the kill
    test found this in a refactor)."""
    cfg = two_sources(site, tmp_path, webhook(hook.url))
    tracker("check", "--config", cfg)
    change_both(site)
    assert tracker("check", "--config", cfg).code == 1 and len(hook.bodies) == 2
    outbox = tmp_path / "snapshots" / "outbox"
    filed = sorted((outbox / "sent").glob("a__*.json"))[-1]
    shutil.move(filed, outbox / filed.name)  # as the kill left it: sent, but still queued
    run = tracker("check", "--config", cfg, "--json")
    assert run.code == 0 and run.json["deliveries"] == [] and len(hook.bodies) == 2
    assert not (outbox / filed.name).exists() and (outbox / "sent" / filed.name).exists()
    assert tracker("outbox", "--config", cfg).code == 0


def test_a_message_for_a_channel_no_longer_configured_waits_until_dropped(
    site, tmp_path, tracker, hook
):
    """Before: it was marked dropped, printed nowhere, and `tracker outbox` said every alert
    was delivered (exit 0)."""
    cfg = two_sources(site, tmp_path, webhook(hook.url))
    tracker("check", "--config", cfg)
    site.page("/a", cloud_page(TEN_TO_THREE))
    hook.status = 503
    assert tracker("check", "--config", cfg).code == 4
    renamed = tmp_path / "renamed.toml"
    renamed.write_text(cfg.read_text().replace('name = "hook"', 'name = "renamed"'), "utf-8")
    hook.status = 200
    run = tracker("check", "--config", renamed, "--json")
    assert run.code == 4, run.out
    [delivery] = run.json["deliveries"]
    assert delivery["channel"] == "hook" and delivery["status"] == "failed"
    assert "channel 'hook' is no longer configured" in delivery["error"]
    listing = tracker("outbox", "--config", renamed)
    assert listing.code == 4 and "hook: failed" in listing.out
    assert "no longer configured" in listing.out and hook.bodies == []
    [entry] = tracker("outbox", "--config", renamed, "--json").json["pending"]
    assert tracker("outbox", "--drop", entry["id"], "--config", renamed).code == 0
    assert tracker("outbox", "--config", renamed).code == 0


@pytest.mark.parametrize(
    "field", [("attempts", "x"), ("status", 5), ("error", ["x"]), ("sent_at", 1)]
)
def test_a_wrong_typed_entry_blocks_nothing_and_is_queued_again(
    site, tmp_path, tracker, hook, field
):
    """Before: `"attempts": "x"` passed the shape check and raised in the delivery loop on
    every run, so no message of any source went out; and the first `tracker outbox` after an
    entry was set aside said all was delivered (exit 0)."""
    cfg = two_sources(site, tmp_path, webhook(hook.url))
    tracker("check", "--config", cfg)
    change_both(site)
    hook.status = 503
    tracker("check", "--config", cfg)
    outbox = tmp_path / "snapshots" / "outbox"
    [entry] = outbox.glob("a__*.json")
    data = json.loads(entry.read_text("utf-8"))
    key, value = field
    data["deliveries"]["hook"][key] = value
    entry.write_text(json.dumps(data), "utf-8")
    listing = tracker("outbox", "--config", cfg, "--json")
    assert listing.code == 4  # the first call already: its message waits
    assert sorted(e["source"]["id"] for e in listing.json["pending"]) == ["a", "b"]
    assert listing.json["damaged"] == [entry.name]
    hook.status = 200
    assert tracker("check", "--config", cfg).code == 0
    assert sorted(b["id"] for b in hook.bodies) == ["a", "b"]


def test_a_webhook_answer_is_read_only_as_far_as_its_status(site, tmp_path, tracker):
    """Before: an endless 200 body was read until memory ran out or the timeout cut it, and
    then the 200 was ignored and the message sent again."""
    posts: list[float] = []

    def endless():
        while True:
            yield b"x" * 65536

    def answer(request: Request) -> Response:
        posts.append(time.monotonic())
        return Response(endless(), status=200, content_type="text/plain")

    site.page("/hook", handler=answer)
    cfg = two_sources(site, tmp_path, webhook(site.url("/hook")), timeout="3s")
    tracker("check", "--config", cfg)
    site.page("/a", cloud_page(TEN_TO_THREE))
    started = time.monotonic()
    run = tracker("check", "--config", cfg, "--json")
    assert run.code == 1, run.out
    assert [d["status"] for d in run.json["deliveries"]] == ["sent"]
    assert time.monotonic() - started < 3  # decided on the status line, not the body
    assert tracker("check", "--config", cfg).code == 0 and len(posts) == 1  # never again


# -- issue 23, item 15 ---------------------------------------------------------------------


def test_an_unwritable_version_folder_costs_no_other_delivery(site, tmp_path, tracker, hook):
    """Before: failing to keep one change's delivery state in its version folder abandoned
    every other delivery of the run (one run late)."""
    cfg = two_sources(site, tmp_path, webhook(hook.url))
    tracker("check", "--config", cfg)
    change_both(site)
    hook.status = 503
    tracker("check", "--config", cfg)
    [a_version] = versions(tmp_path / "snapshots", "a")[-1:]
    record = tmp_path / "snapshots" / "a" / "versions" / a_version / "deliveries.json"
    record.unlink()
    record.mkdir()  # where the record is kept, something that cannot be replaced
    hook.status = 200
    run = tracker("check", "--config", cfg, "--json")
    assert sorted(b["id"] for b in hook.bodies) == ["a", "b"]
    assert [d["status"] for d in run.json["deliveries"]] == ["sent", "sent"]
    assert tracker("outbox", "--config", cfg).code == 0


class _Silent:
    """An SMTP server that accepts the connection and never says a word."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port = self.sock.getsockname()[1]


def test_an_smtp_server_that_never_answers_is_a_timeout(site, tmp_path, tracker):
    """Before: it was reported as "disconnected"."""
    silent = _Silent()
    table = (
        f'[[notify]]\nkind = "email"\nhost = "127.0.0.1"\nport = {silent.port}\n'
        'from = "a@b.c"\nto = "d@e.f"\n'
    )
    cfg = two_sources(site, tmp_path, table, timeout="1s")
    tracker("check", "--config", cfg)
    site.page("/a", cloud_page(TEN_TO_THREE))
    [delivery] = tracker("check", "--config", cfg, "--json").json["deliveries"]
    assert delivery["status"] == "pending" and "timed out after 1s" in delivery["error"]
    silent.sock.close()


def test_a_starttls_certificate_that_is_not_trusted_is_a_permanent_failure(site, tmp_path, tracker):
    """Before: it was retried for ever as transient; it holds until the configuration changes."""
    from aiosmtpd.controller import Controller

    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
         "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    port = free_port()

    class Box:
        async def handle_DATA(self, server, session, envelope):
            return "250 OK"

    controller = Controller(Box(), hostname="127.0.0.1", port=port, tls_context=context)
    controller.start()
    try:
        table = (
            f'[[notify]]\nkind = "email"\nhost = "127.0.0.1"\nport = {port}\nstarttls = true\n'
            'from = "a@b.c"\nto = "d@e.f"\n'
        )
        cfg = two_sources(site, tmp_path, table)
        tracker("check", "--config", cfg)
        site.page("/a", cloud_page(TEN_TO_THREE))
        [delivery] = tracker("check", "--config", cfg, "--json").json["deliveries"]
        assert delivery["status"] == "failed", delivery
        assert "certificate" in delivery["error"] and delivery["attempts"] == 1
    finally:
        controller.stop()


def test_what_killed_runs_left_in_the_outbox_is_swept(site, tmp_path, tracker, hook):
    """Before: .tmp-* files left in the outbox by killed runs stayed for ever."""
    cfg = two_sources(site, tmp_path, webhook(hook.url))
    tracker("check", "--config", cfg)
    site.page("/a", cloud_page(TEN_TO_THREE))
    tracker("check", "--config", cfg)
    outbox = tmp_path / "snapshots" / "outbox"
    stale, fresh = outbox / ".tmp-killed", outbox / "sent" / ".tmp-in-flight"
    for leftover in (stale, fresh):
        leftover.write_text("{half", "utf-8")
    old = time.time() - 3600
    os.utime(stale, (old, old))
    assert tracker("outbox", "--deliver", "--config", cfg).code == 0
    assert not stale.exists()  # an hour old: nobody is writing it
    assert fresh.exists()  # it may be another run's write under way
