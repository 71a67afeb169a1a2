"""Signed webhooks: a receiver using the README's check accepts tracker's POSTs and rejects
forged and replayed ones."""

from __future__ import annotations

import re
import time

from werkzeug import Request, Response

from tests.conftest import ROOT, doc_source, write_config
from tests.pages import AGREEMENT, change_clause, cloud_page

SECRET = "whsec-7d1f0c2a9b"


def readme_verify():
    """The receiver's check, exactly as the README gives it."""
    readme = (ROOT / "README.md").read_text("utf-8")
    [code] = [b for b in re.findall(r"```python\n(.*?)```", readme, re.S) if "def verify" in b]
    scope: dict[str, object] = {}
    exec(code, scope)  # the README's own snippet, run as written
    return scope["verify"]


class Receiver:
    """A webhook endpoint that keeps each request's headers and raw body."""

    def __init__(self, site) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        site.page("/signed", handler=self._handle)
        self.url = site.url("/signed")

    def _handle(self, request: Request) -> Response:
        self.requests.append((dict(request.headers), request.get_data()))
        return Response("ok")


def test_a_signed_post_verifies_and_a_forged_or_replayed_one_does_not(
    site, tmp_path, tracker, monkeypatch
):
    verify = readme_verify()
    receiver = Receiver(site)
    monkeypatch.setenv("TEST_WEBHOOK_SECRET", SECRET)
    site.page("/doc", cloud_page())
    table = f'[[notify]]\nkind = "webhook"\nurl = "{receiver.url}"\nsecret_env = "TEST_WEBHOOK_SECRET"\n'
    cfg = write_config(tmp_path, [doc_source(site.url("/doc"))], extra=table)
    tracker("check", "-c", cfg)
    site.page("/doc", cloud_page(change_clause(AGREEMENT, "提前10个自然日", "提前3个自然日")))
    assert tracker("check", "-c", cfg).code == 1
    [(headers, body)] = receiver.requests
    assert verify(SECRET.encode(), headers, body)
    assert headers["X-Tracker-Message-Id"].startswith("doc__0001_")
    assert not verify(b"another-secret", headers, body)  # not signed by us
    assert not verify(SECRET.encode(), headers, body.replace(b"2.7", b"2.8"))  # forged
    stale = {**headers, "X-Tracker-Timestamp": str(int(time.time()) - 3600)}
    assert not verify(SECRET.encode(), stale, body)  # replayed an hour later
    assert not verify(
        SECRET.encode(), {k: v for k, v in headers.items() if "Signature" not in k}, body
    )
    assert SECRET not in tracker("outbox", "-c", cfg).out + tracker("status", "-c", cfg).out


def test_without_a_secret_nothing_is_signed(site, tmp_path, tracker):
    receiver = Receiver(site)
    site.page("/doc", cloud_page())
    cfg = write_config(
        tmp_path,
        [doc_source(site.url("/doc"))],
        extra=f'[[notify]]\nkind = "webhook"\nurl = "{receiver.url}"\n',
    )
    tracker("check", "-c", cfg)
    site.page("/doc", cloud_page(change_clause(AGREEMENT, "提前10个自然日", "提前3个自然日")))
    tracker("check", "-c", cfg)
    [(headers, _)] = receiver.requests
    assert "X-Tracker-Signature" not in headers and "X-Tracker-Timestamp" not in headers
