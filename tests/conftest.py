"""Fixtures: a real local web site, a config writer and a way to run the CLI."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from tests import mail
from tracker import cli

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Route:
    """What one path of the test site answers; tests change it between runs."""

    body: bytes | str = ""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    handler: Callable[[Request], Response] | None = None


class Site:
    """A threaded loopback HTTP server whose pages can be swapped between runs."""

    def __init__(self, server: HTTPServer) -> None:
        self.server = server
        self.routes: dict[str, Route] = {}
        self.requests: list[Request] = []
        server.expect_request(re.compile(".*")).respond_with_handler(self._serve)

    def url(self, path: str) -> str:
        return self.server.url_for(path)

    def page(self, path: str, body: bytes | str = "", **kw: Any) -> Route:
        route = Route(body, **kw)
        self.routes[path] = route
        return route

    def _serve(self, request: Request) -> Response:
        self.requests.append(request)
        route = self.routes.get(request.path)
        if route is None:
            return Response("not found", status=404)
        if route.handler is not None:
            return route.handler(request)
        return Response(
            route.body, status=route.status, headers=route.headers, content_type=route.content_type
        )


class Sink:
    """A Slack or webhook endpoint on the local site that answers as told and keeps bodies.

    ``status`` answers every request; ``answers`` (status, headers) are used first, one
    per request; ``refuse`` answers 400 to the bodies it matches.  ``bodies`` holds
    what was accepted, ``arrivals`` when each request came (monotonic seconds).
    """

    def __init__(self, site: Site, path: str) -> None:
        self.path, self.status = path, 200
        self.answers: list[tuple[int, dict[str, str]]] = []
        self.refuse: Callable[[Any], bool] | None = None
        self.bodies: list[Any] = []
        self.arrivals: list[float] = []
        self.ports: list[int] = []  # the client's port of each request: one per connection
        site.page(path, handler=self._handle)
        self.url = site.url(path)

    def _handle(self, request: Request) -> Response:
        self.arrivals.append(time.monotonic())
        self.ports.append(int(request.environ.get("REMOTE_PORT", 0)))
        body = json.loads(request.get_data())
        if self.answers:
            status, headers = self.answers.pop(0)
            if status != 200:
                return Response("answered as told", status=status, headers=headers)
        elif self.status != 200:
            return Response("unavailable", status=self.status)
        if self.refuse is not None and self.refuse(body):
            return Response("invalid_blocks", status=400)
        self.bodies.append(body)
        return Response("ok")


SLACK_TOKEN = "T000/B000/XXXXsecretXXXX"


@pytest.fixture
def smtp() -> Iterator[Any]:
    """A real SMTP server (aiosmtpd) on loopback; ``messages`` holds what it received."""
    port = free_port()
    controller, box = mail.start(port)
    box.port = port
    yield box
    controller.stop()


@pytest.fixture
def sinks(site: Site) -> tuple[Sink, Sink]:
    """A Slack incoming webhook and a plain webhook, both on the local site."""
    return Sink(site, f"/slack/{SLACK_TOKEN}"), Sink(site, "/hook")


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, sinks: tuple[Sink, Sink]) -> None:
    """The secrets the notify tables name, from the environment as in production."""
    slack, _ = sinks
    monkeypatch.setenv("TEST_SLACK_URL", slack.url)
    monkeypatch.setenv("TEST_SMTP_PASSWORD", "s3cret-smtp")


@pytest.fixture(scope="session")
def _server() -> Iterator[HTTPServer]:
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def site(_server: HTTPServer) -> Iterator[Site]:
    """A fresh site per test on the session's server (stopping a server takes 0.5 s)."""
    _server.clear()
    yield Site(_server)
    _server.clear()


def free_port() -> int:
    """A loopback port with nothing listening on it (connection refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


FAST = {"retries": 0, "backoff": "10ms", "timeout": "2s", "lock_timeout": "2s"}


def toml_value(v: Any) -> str:
    return json.dumps(v, ensure_ascii=False) if not isinstance(v, bool) else str(v).lower()


def write_config(
    folder: Path,
    sources: list[dict[str, Any]],
    settings: dict[str, Any] | None = None,
    extra: str = "",
) -> Path:
    """Write a tracker.toml whose state lives in ``folder/snapshots``."""
    lines = ["[tracker]"]
    for k, v in {**FAST, **(settings or {})}.items():
        lines.append(f"{k} = {toml_value(v)}")
    for src in sources:
        lines.append("\n[[source]]")
        for k, v in src.items():
            lines.append(f"{k} = {toml_value(v)}")
    path = folder / "tracker.toml"
    path.write_text("\n".join(lines) + "\n" + extra, "utf-8")
    return path


def doc_source(url: str, sid: str = "doc", **kw: Any) -> dict[str, Any]:
    """A source shaped like the built-in cloud.tencent.com ones."""
    return {
        "id": sid,
        "name": "腾讯会议 API 开发者协议",
        "url": url,
        "selector": ["#docArticleContent", ".J-markdown-box"],
        "remove": [".doc-share"],
        "ignore": ["^最近更新时间"],
        **kw,
    }


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def json(self) -> dict[str, Any]:
        return json.loads(self.out)

    def source(self, sid: str) -> dict[str, Any]:
        return next(s for s in self.json["sources"] if s["id"] == sid)


@pytest.fixture
def tracker(capsys: pytest.CaptureFixture[str]) -> Callable[..., Run]:
    """Run the CLI in-process, as `tracker ARGS`."""

    def run(*args: str | Path) -> Run:
        code = cli.main([str(a) for a in args])
        out, err = capsys.readouterr()
        return Run(code, out, err)

    return run


def run_subprocess(
    *args: str | Path,
    cwd: Path | None = None,
    timeout: float = 60,
    env: dict[str, str] | None = None,
) -> Run:
    """Run `python -m tracker ARGS` as a real process (``env`` added to the environment)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    proc = subprocess.run(
        [sys.executable, "-m", "tracker", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=timeout,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


def versions(state: Path, sid: str) -> list[str]:
    folder = state / sid / "versions"
    return (
        sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))
        if (folder.exists())
        else []
    )


def wait_until(predicate: Callable[[], object], timeout: float = 20.0) -> None:
    """Wait for an event (``predicate`` turning true), failing the test if it never comes."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:g}s waiting for {predicate}")
        time.sleep(0.01)


@pytest.fixture(scope="session")
def _postgres() -> Iterator[Any]:
    from tests import postgres

    try:
        server = postgres.start()
    except RuntimeError as exc:
        pytest.skip(f"no PostgreSQL server can run here: {exc}")
    yield server
    server.stop()


@pytest.fixture
def pg_url(_postgres: Any) -> Iterator[str]:
    """The URL of a new, empty database on the tests' own PostgreSQL server."""
    from tracker.store import opened

    yield _postgres.fresh()
    opened.close_all()
