"""A settings change is never a change of the agreement: upgrades, and tracker reextract."""

from __future__ import annotations

import json

from .conftest import Sink, versions, write_config
from .history_story import BASELINE, FEES, told
from .pages import AGREEMENT, change_clause, cloud_page, redesigned_page

HOOK = '\n[[notify]]\nkind = "webhook"\nname = "hook"\nurl = "{}"\n'


def meta(story, name):
    return json.loads((story.state / "doc" / "versions" / name / "meta.json").read_text())


def test_a_wider_selector_is_an_upgrade_never_an_alert(tmp_path, site, tracker):
    hook = Sink(site, "/hook")
    story = told(tmp_path, site, tracker, upgrade=False)
    story.extra += HOOK.format(hook.url)
    story.configure()
    delivered = len(hook.bodies)
    story.configure(selector=[".doc-main"])
    done = story.check()
    assert done.code == 0, done.out
    doc = done.source("doc")
    assert doc["status"] == "unchanged" and doc["changes"] == []
    assert "recorded as upgrade 0004_" in doc["notes"][0]
    names = versions(story.state, "doc")
    upgrade = meta(story, names[-1])
    assert upgrade["origin"] == "upgrade" and upgrade["previous"] == names[-2]
    assert upgrade["upgrade"] == {"settings": ["selector"], "how": "reread"}
    assert upgrade["settings"]["selector"] == [".doc-main"]
    assert not (story.state / "doc" / "versions" / names[-1] / "alert.json").exists()
    assert len(hook.bodies) == delivered  # nothing sent for it
    # What the new selector took in is in the upgrade, so it is never reported later.
    assert "# 腾讯会议 API 开发者协议" in story.tracker("show", "doc").out
    again = story.check()
    assert again.code == 0 and again.source("doc")["notes"] == []
    assert versions(story.state, "doc") == names


def test_a_change_made_with_a_settings_change_is_reported_alone(tmp_path, site, tracker):
    story = told(tmp_path, site, tracker, upgrade=False)
    text = change_clause(story.tracker("show", "doc").out, "第三方软件或技术", "第三方的软件或技术")
    site.page("/doc", cloud_page(text))
    story.configure(selector=[".doc-main"])
    done = story.check()
    assert done.code == 1
    doc = done.source("doc")
    assert [c["clause"] for c in doc["changes"]] == ["3.4.4"]  # not the title it now takes in
    assert "recorded as upgrade" in doc["notes"][0]
    origins = [meta(story, n)["origin"] for n in versions(story.state, "doc")]
    assert origins == ["baseline", "fetch", "fetch", "upgrade", "fetch"]


def test_a_selector_the_stored_page_lacks_makes_the_next_fetch_the_upgrade(tmp_path, site, tracker):
    story = told(tmp_path, site, tracker, upgrade=False)
    text = story.tracker("show", "doc").out
    site.page("/doc", redesigned_page(text))  # the site moved the body; the user follows it
    story.configure(selector=["#newDocBody"])
    done = story.check()
    assert done.code == 0, done.out
    notes = done.source("doc")["notes"]
    assert notes[0].startswith("settings changed (selector); the stored page of 0003_")
    assert "cannot be read with them (selector '#newDocBody' matched nothing" in notes[0]
    assert "this fetch recorded as upgrade" in notes[1]
    upgrade = meta(story, versions(story.state, "doc")[-1])
    assert upgrade["upgrade"] == {"settings": ["selector"], "how": "fetch"}
    assert story.check().code == 0


def test_a_new_url_serving_the_same_agreement_is_an_upgrade(tmp_path, site, tracker):
    story = told(tmp_path, site, tracker, upgrade=False)
    site.page("/moved", site.routes["/doc"].body)
    story.configure(url=site.url("/moved"))
    done = story.check()
    assert done.code == 0 and done.source("doc")["changes"] == []
    upgrade = meta(story, versions(story.state, "doc")[-1])
    assert upgrade["upgrade"] == {"settings": ["url"], "how": "fetch"}
    assert upgrade["url"] == site.url("/moved")


def test_a_new_url_serving_another_document_is_refused_not_upgraded(tmp_path, site, tracker):
    story = told(tmp_path, site, tracker, upgrade=False)
    before = versions(story.state, "doc")
    other = "\n".join(
        f"第{i}条 本隐私政策第{i}条的内容，说明我们如何收集和使用您的个人信息。"
        for i in range(1, 40)
    )
    site.page("/privacy", cloud_page(other, title="隐私政策"))
    story.configure(url=site.url("/privacy"))
    done = story.check()
    assert done.code == 3
    assert "does not look like 《腾讯会议 API 开发者协议》" in done.source("doc")["error"]
    assert versions(story.state, "doc") == before


def test_changing_ignore_records_nothing(tmp_path, site, tracker):
    story = told(tmp_path, site, tracker, upgrade=False)
    before = versions(story.state, "doc")
    story.configure(ignore=["^最近更新时间", "阅读量"])
    done = story.check()
    assert done.code == 0 and done.source("doc")["notes"] == []
    assert versions(story.state, "doc") == before


def test_reextract_reads_the_stored_page_again(tmp_path, site, tracker):
    story = told(tmp_path, site, tracker, upgrade=False)
    before = versions(story.state, "doc")
    story.configure(selector=[".doc-main"])
    done = story.tracker("reextract", "doc")
    assert done.code == 0, done.err
    names = versions(story.state, "doc")
    assert len(names) == len(before) + 1
    assert done.out == (
        f"doc: recorded upgrade {names[-1]} from the page of {before[-1]} "
        "(settings changed: selector), without an alert\n"
    )
    assert story.check().code == 0  # the live page is compared with the upgrade: the same
    assert versions(story.state, "doc") == names
    again = story.tracker("reextract")
    assert again.code == 0
    assert again.out == f"doc: the stored page of {names[-1]} reads the same; nothing to do\n"


def test_reextract_needs_a_stored_page(tmp_path, site, tracker):
    story = told(tmp_path, site, tracker, upgrade=False)
    site.page("/doc", cloud_page(AGREEMENT))
    fresh = {**story.source, "id": "fresh", "baseline": str(BASELINE)}
    write_config(story.folder, [fresh], story.settings)
    assert story.check().code == 0  # the baseline only: the page read the same
    done = story.tracker("reextract", "fresh")
    assert done.code == 3
    assert done.err.startswith("tracker: fresh: version 0001_") and "keeps no page" in done.err
    unknown = story.tracker("reextract", "nope")
    assert unknown.code == 2 and "no source with id 'nope'" in unknown.err
    assert FEES[0] in AGREEMENT
