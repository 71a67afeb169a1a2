"""``kind = "json"``: an agreement read from a JSON endpoint's field, end to end."""

from __future__ import annotations

import hashlib
import json

import pytest
from werkzeug import Request, Response

from tests.conftest import versions, write_config
from tests.pages import AGREEMENT, AGREEMENT_MD, body_html, change_clause


class Endpoint:
    """A JSON API with ETags, whose body a test can change."""

    def __init__(self, site, path: str = "/api/agreement") -> None:
        self.data: object = {"code": 0, "data": {"items": [{"body": body_html(AGREEMENT)}]}}
        self.raw: bytes | None = None  # served as is when set
        self.statuses: list[int] = []
        site.page(path, handler=self._serve)
        self.url = site.url(path)

    def _serve(self, request: Request) -> Response:
        body = (
            self.raw if self.raw is not None else json.dumps(self.data, ensure_ascii=False).encode()
        )
        etag = '"' + hashlib.sha1(body).hexdigest() + '"'
        status = 304 if request.headers.get("If-None-Match") == etag else 200
        self.statuses.append(status)
        return Response(b"" if status == 304 else body, status=status, headers={"ETag": etag},
                        content_type="application/json; charset=utf-8")  # fmt: skip


def json_source(url: str, **kw) -> dict:
    return {"id": "api", "kind": "json", "url": url, "field": "data.items.0.body", **kw}


def test_a_json_source_is_tracked_end_to_end(site, tmp_path, tracker):
    api = Endpoint(site)
    cfg = write_config(tmp_path, [json_source(api.url)])
    assert tracker("check", "--config", cfg, "--json").source("api")["status"] == "baseline"
    assert (
        tmp_path
        / "snapshots"
        / "api"
        / "versions"
        / versions(tmp_path / "snapshots", "api")[0]
        / "text.md"
    ).read_text() == AGREEMENT

    unchanged = tracker("check", "--config", cfg, "--json").source("api")
    assert unchanged["status"] == "unchanged" and api.statuses[-1] == 304  # conditional GET

    api.data = {
        "code": 0,
        "data": {
            "items": [
                {"body": body_html(change_clause(AGREEMENT, "提前10个自然日", "提前3个自然日"))}
            ]
        },
    }
    run = tracker("check", "--config", cfg, "--json")
    assert run.code == 1 and [c["clause"] for c in run.source("api")["changes"]] == ["2.7"]


def test_markdown_fields_read_as_the_baseline_does(site, tmp_path, tracker):
    api = Endpoint(site)
    api.data = {"content": AGREEMENT_MD}
    cfg = write_config(tmp_path, [json_source(api.url, field="content", format="markdown")])
    tracker("check", "--config", cfg)
    [v1] = versions(tmp_path / "snapshots", "api")
    assert (tmp_path / "snapshots" / "api" / "versions" / v1 / "text.md").read_text() == AGREEMENT


@pytest.mark.parametrize(
    ("data", "raw", "problem"),
    [
        (
            {"code": 0, "data": {"items": []}},
            None,
            "no field 'data.items.0.body' in the JSON: data.items has a list of 0",
        ),
        ({"code": 0, "data": {"list": []}}, None, "data has keys list"),
        ({"code": 0, "data": {"items": [{"body": 5}]}}, None, "holds a int, not text"),
        (None, b"<html>not json</html>", "the response is not JSON"),
        (
            None,
            b"[" * 100_000 + b"]" * 100_000,
            "the response is not usable JSON (nested too deep)",
        ),
    ],
    ids=["index-missing", "key-missing", "not-text", "invalid-json", "nested-too-deep"],
)
def test_a_json_source_that_cannot_be_read_is_an_error(site, tmp_path, tracker, data, raw, problem):
    api = Endpoint(site)
    cfg = write_config(tmp_path, [json_source(api.url)])
    tracker("check", "--config", cfg)
    api.data, api.raw = data, raw
    src = tracker("check", "--config", cfg, "--json").source("api")
    assert src["status"] == "error" and problem in src["error"], src["error"]
    assert len(versions(tmp_path / "snapshots", "api")) == 1  # never "the agreement was deleted"


@pytest.mark.parametrize(
    ("extra", "key", "problem"),
    [
        ({"field": None}, "field", "missing"),
        ({"format": "pdf"}, "format", "'pdf' is not one of html, markdown, text"),
        ({"render": "always"}, "render", 'applies to kind = "page" sources, not json'),
        ({"field": "data..x"}, "field", "'data..x' is not a dotted path"),
    ],
)
def test_json_source_settings_are_checked(tmp_path, tracker, extra, key, problem):
    src = {
        k: v for k, v in json_source("https://example.com/api", **extra).items() if v is not None
    }
    cfg = write_config(tmp_path, [src])
    run = tracker("check", "--config", cfg)
    assert run.code == 2 and f"source.api.{key}: {problem}" in run.err
