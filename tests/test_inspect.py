"""`tracker inspect URL`: the right container, the right answer about JavaScript, a block that works."""

from __future__ import annotations

import re

from werkzeug import Request, Response

from tests.pages import busy_page, cloud_page
from tests.test_render import CHROMIUM, App, needs_chromium


def _block(out: str) -> str:
    m = re.search(r"Paste into tracker.toml:\n\n(\[\[source\]\]\n(?:.+\n)+)", out)
    assert m, out
    return m.group(1)


@needs_chromium
def test_a_static_page_needs_no_javascript_and_its_block_works(site, tmp_path, tracker):
    site.page("/doc", cloud_page())
    run = tracker("inspect", site.url("/doc"))
    assert run.code == 0, run.err
    assert "JavaScript: not needed" in run.out
    block = _block(run.out)
    assert 'selector = "#docArticleContent"' in block and "render" not in block
    _works(tmp_path, tracker, block)


@needs_chromium
def test_a_javascript_page_and_the_json_it_loads(site, tmp_path, tracker):
    app = App(site)
    run = tracker("inspect", app.url)
    assert run.code == 0, run.err
    assert "JavaScript: needed" in run.out
    assert f"JSON: {site.url('/api/rule')} holds it in field html (html," in run.out
    block = _block(run.out)
    assert 'selector = ".rule-content"' in block and 'render = "auto"' in block
    _works(tmp_path, tracker, block, browser=True)
    json_block = run.out.split("Or read the JSON itself, without a browser:\n\n", 1)[1]
    assert 'kind = "json"' in json_block and 'field = "html"' in json_block
    _works(tmp_path / "json", tracker, json_block)


def serve_busy(site, path: str = "/busy") -> str:
    """Serve :func:`busy_page`, one load after another."""
    loads = iter(range(10_000))

    def answer(_: Request) -> Response:
        return Response(busy_page(next(loads)), content_type="text/html; charset=utf-8")

    site.page(path, handler=answer)
    return site.url(path)


def test_lines_that_change_between_two_loads_are_marked_and_left_out(site, tmp_path, tracker):
    url = serve_busy(site)
    run = tracker("inspect", url)
    assert run.code == 0, run.err
    assert "Changes from one load to the next (" in run.out
    marked = [line[4:] for line in run.out.splitlines() if line.startswith("  ~ ")]
    assert marked[0].startswith("阅读量：") and "计费概述" in marked, marked
    assert not any("腾讯" in m for m in marked)  # no line of the agreement
    block = _block(run.out)
    assert 'selector = "article"' in block
    assert 'remove = ["div.related"]' in block and "计费概述" not in block
    assert re.search(r'ignore = \["\^[^"]*阅读量[:：]', block), block
    _works(tmp_path, tracker, block)
    cfg = tmp_path / "tracker.toml"
    for _ in range(3):  # the counter climbs, the list turns: not one alert
        again = tracker("check", "--config", cfg, "--json")
        assert [s["status"] for s in again.json["sources"]] == ["unchanged"], again.out


def _works(folder, tracker, block: str, browser: bool = False) -> None:
    """The printed block, pasted as is under a [tracker] table, records a baseline."""
    folder.mkdir(exist_ok=True)
    settings = f'[tracker]\nbrowser = "{CHROMIUM}"\n' if browser else "[tracker]\n"
    cfg = folder / "tracker.toml"
    cfg.write_text(settings + "\n" + block, "utf-8")
    run = tracker("check", "--config", cfg, "--json")
    assert [s["status"] for s in run.json["sources"]] == ["baseline"], run.out


def test_every_candidate_is_listed_as_written(site, tracker):
    site.page("/doc", cloud_page())
    out = tracker("inspect", site.url("/doc")).out
    assert "[role=main]" in out and ".J-mainDetail" in out  # never taken for markup


def test_a_page_with_no_agreement_anywhere_says_so(site, tracker):
    site.page("/tiny", "<html><body><p>hello</p></body></html>")
    out = tracker("inspect", site.url("/tiny")).out
    assert "No container holds agreement text" in out and "JavaScript: not needed" not in out


def test_inspect_refuses_a_url_that_is_not_one(tracker):
    run = tracker("inspect", "http://[::1/x")
    assert run.code == 2 and "URL: 'http://[::1/x' is not a valid URL" in run.err
