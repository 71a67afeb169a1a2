"""The static report and its feeds, looked at in a real headless Chromium and a real feed parser.

The report of a real sequence of versions (a baseline, two changes, an
upgrade) is served from the local site and opened at a phone's width: no
request may fail or leave the machine, nothing may scroll sideways, the
changed clause shows its old and new text, and hostile page text stays text.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from xml.etree import ElementTree

import feedparser
import pytest
from playwright.sync_api import sync_playwright
from werkzeug import Response

from tracker.cli import load_config

from .chromium import CHROMIUM, needs_chromium
from .conftest import Site, versions
from .history_story import told
from .pages import change_clause, cloud_page

HOSTILE = "<script>window.__pwned = 1</script> <img src=x onerror=window.__pwned=2> <!channel>"


@pytest.fixture
def story(tmp_path, site, tracker):
    story = told(tmp_path, site, tracker)
    site.page("/doc", cloud_page(change_clause(story.text, "（正文完）", f"（正文完）{HOSTILE}")))
    assert story.check().code == 1
    return story


def serve(site: Site, folder: Path, prefix: str = "/report") -> str:
    """Every file of the report at ``prefix`` on the local site; anything else is a 404."""
    for path in folder.rglob("*"):
        if path.is_file():
            kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            body = path.read_bytes()
            route = f"{prefix}/{path.relative_to(folder).as_posix()}"
            site.page(route, handler=lambda _req, b=body, k=kind: Response(b, content_type=k))
    return site.url(prefix)


def built(story, changes: int = 3) -> Path:
    done = story.tracker("report", "--out", story.folder / "report")
    assert done.code == 0, done.err
    assert done.out.startswith(f"report: 1 source, {changes} changes; open ")
    return story.folder / "report"


class Visit:
    """One page opened in Chromium at 375 px: what it requested and what it shows."""

    def __init__(self, browser, url: str, local: str) -> None:
        self.requests: list[str] = []
        self.failed: list[str] = []
        context = browser.new_context(viewport={"width": 375, "height": 812})
        page = context.new_page()
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("requestfailed", lambda r: self.failed.append(r.url))
        page.on("response", lambda r: r.status >= 400 and self.failed.append(r.url))
        page.goto(url, wait_until="load")
        page.wait_for_timeout(200)  # a late request (an icon) would come now
        self.external = [u for u in self.requests if not u.startswith(local)]
        self.overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        self.text = page.inner_text("body")
        self.scripts = page.evaluate("document.querySelectorAll('script').length")
        self.pwned = page.evaluate("window.__pwned === undefined ? null : window.__pwned")
        self.page, self.context = page, context

    def side(self, which: str) -> str:
        return "\n".join(self.page.locator(f".sxs .{which}").all_inner_texts())


@pytest.fixture
def chromium():
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


@needs_chromium
def test_index_and_change_pages_load_nothing_and_fit_a_phone(story, site, chromium):
    base = serve(site, built(story))
    index = Visit(chromium, f"{base}/index.html", base)
    assert index.failed == [] and index.external == []
    assert index.requests == [f"{base}/index.html"]  # not even an icon
    assert index.overflow <= 0
    assert "腾讯会议 API 开发者协议" in index.text and "Recent changes" in index.text
    assert "[critical] 腾讯会议 API 开发者协议: 2.7 modified" in index.text
    fees = index.page.get_by_text("2.7 modified").get_attribute("href")
    change = Visit(chromium, f"{base}/{fees}", base)
    assert change.failed == [] and change.external == [] and change.overflow <= 0
    assert "提前10个自然日" in change.side("old") and "提前3个自然日" not in change.side("old")
    assert "提前3个自然日" in change.side("new") and "提前10个自然日" not in change.side("new")
    assert change.page.locator(".sxs .old del").all_inner_texts() == ["10"]
    assert change.page.locator(".sxs .new ins").all_inner_texts() == ["3"]
    assert "watch fees: 2.7" in change.text


@needs_chromium
def test_hostile_page_text_is_shown_as_text(story, site, chromium):
    base = serve(site, built(story))
    history = Visit(chromium, f"{base}/sources/doc.html", base)
    newest = history.page.locator("ul.rows a").first.get_attribute("href")
    change = Visit(chromium, f"{base}/sources/{newest}", base)
    assert change.failed == [] and change.external == []
    assert HOSTILE in change.side("new")
    assert change.scripts == 0 and change.pwned is None
    assert change.overflow <= 0


@needs_chromium
def test_a_source_page_lists_its_history_with_upgrades(story, site, chromium):
    base = serve(site, built(story))
    history = Visit(chromium, f"{base}/sources/doc.html", base)
    assert history.failed == [] and history.overflow <= 0
    rows = history.page.locator("ul.rows li").all_inner_texts()
    assert [r.split()[2] for r in rows] == ["fetch", "upgrade", "fetch", "fetch", "baseline"]
    assert "settings changed: selector" in rows[1]
    assert history.page.locator("ul.rows a").count() == 3  # a page per change


@needs_chromium
def test_diff_html_is_a_standalone_redline(story, site, chromium, tmp_path):
    out = tmp_path / "redline.html"
    done = story.tracker("diff", "doc", "0001", "0003", "--html", out)
    assert (done.code, done.out) == (0, f"wrote {out.resolve()}: 2 changes\n")
    site.page("/lone.html", out.read_text("utf-8"))
    visit = Visit(chromium, site.url("/lone.html"), site.url("/lone.html"))
    assert visit.failed == [] and visit.external == [] and visit.overflow <= 0
    assert [h.split()[0] for h in visit.page.locator("section.change h3").all_inner_texts()] == [
        "2.7",
        "9.1",
    ]


def test_the_feeds_are_valid_atom_holding_the_change(story):
    folder = built(story)
    feed = feedparser.parse((folder / "feed.xml").read_bytes())
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10"
    newest, *rest = feed.entries
    assert len(rest) == 2
    assert newest.title == "[info] 腾讯会议 API 开发者协议: 9.6 modified"
    html = newest.content[0].value
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert "9.6" in html and "<ins>" in html
    fees = feed.entries[2]
    assert "<del>10</del>" in fees.content[0].value and "<ins>3</ins>" in fees.content[0].value
    assert fees.link.endswith(".html") and len({e.id for e in feed.entries}) == 3
    own = feedparser.parse((folder / "sources" / "doc.xml").read_bytes())
    assert own.bozo == 0 and [e.id for e in own.entries] == [e.id for e in feed.entries]
    again = built(story)  # a refresh: the same ids, so a reader shows nothing twice
    assert feedparser.parse((again / "feed.xml").read_bytes()).entries[0].id == newest.id


def test_report_dir_is_refreshed_by_each_check(story, site):
    story.settings = {"report_dir": "site", "report_url": "https://example.com/terms-report/"}
    story.configure()
    assert story.check().code == 0
    index = story.folder / "site" / "index.html"
    assert "unchanged" in index.read_text("utf-8")
    text = change_clause(story.text, "以本协议内容为准", "以其他协议内容为准")
    site.page("/doc", cloud_page(text))
    assert story.check().code == 1
    page = index.read_text("utf-8")
    assert "9.6 modified" in page.split("Recent changes")[1].split("</li>")[0]
    # Messages point at the change's page, where a message cut short can send the reader.
    newest = versions(story.state, "doc")[-1]
    link = load_config(story.config).settings.report_link("doc", newest)
    assert link == f"https://example.com/terms-report/changes/doc/{newest}.html"
    assert (story.folder / "site" / "changes" / "doc" / f"{newest}.html").is_file()
    served = feedparser.parse((story.folder / "site" / "feed.xml").read_bytes())
    assert served.entries[0].link == link  # where it is served: absolute links
    site.page("/doc", "gone", status=500)
    assert story.check().code == 3
    page = index.read_text("utf-8")
    assert "badge error" in page and "HTTP 500" in page


def test_a_folder_tracker_did_not_write_is_never_replaced(story):
    mine = story.folder / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    done = story.tracker("report", "--out", mine)
    assert done.code == 2
    assert (
        done.err == f"tracker: report: {mine} holds files tracker did not write; "
        "choose an empty or new folder\n"
    )
    assert (mine / "notes.txt").read_text() == "keep me"
    empty = story.folder / "empty"
    empty.mkdir()
    assert story.tracker("report", "--out", empty).code == 0
    assert empty.is_symlink() and (empty / "index.html").exists()
    assert story.tracker("report").code == 2  # no --out, no report_dir


# -- issue 23, item 1: the report removes nothing it does not own --------------------------


def _keepsake(folder: Path) -> Path:
    """A folder of someone else's, with a folder inside: what a careless sweep would remove."""
    (folder / "precious").mkdir(parents=True)
    (folder / "precious" / "data.txt").write_text("keep me")
    return folder / "precious" / "data.txt"


@pytest.mark.parametrize("how", ["link", "folder"])
def test_a_builds_folder_tracker_did_not_make_is_refused_and_left_alone(story, how):
    """Before: `.DIR.builds` was created with exist_ok and every folder in it but the new
    build removed, through a link too."""
    out = story.folder / "site"
    builds = story.folder / ".site.builds"
    if how == "link":
        target = story.folder / "elsewhere"
        kept = _keepsake(target)
        builds.symlink_to(target)
    else:
        kept = _keepsake(builds)
    done = story.tracker("report", "--out", out)
    assert done.code == 2 and "tracker did not make" in done.err, done.err
    assert kept.read_text() == "keep me" and not out.exists()


def test_a_refused_out_leaves_nothing_behind(story):
    """Before: `report --out /` created `/..builds/` before refusing."""
    mine = story.folder / "mine"
    _keepsake(mine)
    assert story.tracker("report", "--out", mine).code == 2
    assert not (story.folder / ".mine.builds").exists()
    root = story.tracker("report", "--out", "/")
    assert root.code == 2 and "not a folder tracker can write a report to" in root.err
    assert not Path("/..builds").exists()


def test_builds_of_an_earlier_release_are_still_ours(story):
    """A builds folder 0.1.0 made (its lock and its builds, no marker) is taken over."""
    out = story.folder / "site"
    assert story.tracker("report", "--out", out).code == 0
    (story.folder / ".site.builds" / ".tracker-builds").unlink()  # as 0.1.0 left it
    assert story.tracker("report", "--out", out).code == 0
    assert (out / "index.html").exists()


def test_a_control_character_in_a_page_keeps_every_feed_valid_xml(story, site):
    """Before: one control character in any page made feed.xml (every source's changes) invalid
    XML 1.0, and a strict reader dropped it all."""
    text = change_clause(story.text, "以本协议内容为准", "以本协议\x01内容\x0b为准\ufffe")
    site.page("/doc", cloud_page(text, title="协议\x02标题"))
    assert story.check().code == 1
    out = story.folder / "site"
    assert story.tracker("report", "--out", out).code == 0
    for path in (out / "feed.xml", out / "sources" / "doc.xml"):
        ElementTree.fromstring(path.read_bytes())  # a strict parser: raises on any forbidden char
        parsed = feedparser.parse(path.read_bytes())
        assert parsed.bozo == 0, parsed.get("bozo_exception")
        assert "␁" in parsed.entries[0].content[0].value


@pytest.fixture
def long_edit(story, site):
    """The story, then a two-character edit inside a 325-character clause, and emphasis."""
    text = change_clause(story.text, "三方邮件组", "三方邮件群组")
    text = change_clause(text, "9.2 本协议签订地", "9.2 本协议**签订地**")
    site.page("/doc", cloud_page(text))
    assert story.check().code == 1
    return story


@needs_chromium
def test_a_long_clause_is_cut_to_its_change_with_the_whole_one_click_away(
    long_edit, site, chromium
):
    base = serve(site, built(long_edit, changes=4))
    index = Visit(chromium, f"{base}/index.html", base)
    link = index.page.get_by_text("3.6.3 modified").first.get_attribute("href")
    change = Visit(chromium, f"{base}/{link}", base)
    assert "**" not in change.text and "##" not in change.text
    inline = change.page.locator(".inline").first.inner_text()
    assert "…" in inline and "[-" not in inline and "{+群+}" in inline and len(inline) < 200
    details = change.page.locator("details").first
    assert not details.locator(".sxs .new").is_visible()  # closed until asked
    details.locator("summary").click()
    whole = details.locator(".sxs .new .text").inner_text()
    assert whole.startswith("3.6.3 为合理保护您") and whole.endswith("您自行承担。")
    assert change.page.locator("strong", has_text="签订地").count() >= 1  # emphasis shown
