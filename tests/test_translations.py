"""Language versions (issue 20, item 6): a translation that never follows a change.

The clock is simulated by moving the Chinese change's first sighting back in its
version's ``meta.json``: 13 days later nothing is said, 15 days later the drift is said
once, as its own event, and never again for that change.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.conftest import Sink, doc_source, write_config
from tests.pages import AGREEMENT, change_clause, cloud_page

ENGLISH = "# Tencent Cloud Service Agreement\n\n" + "\n\n".join(
    f"{n}.1 Clause {n} of the English version, which translates the Chinese text faithfully."
    for n in range(1, 10)
)


def setup(site, tmp_path, tracker):
    hook = Sink(site, "/hook")
    site.page("/zh", cloud_page())
    site.page("/en", cloud_page(ENGLISH, title="Tencent Cloud Service Agreement"))
    sources = [
        doc_source(site.url("/zh"), "cloud-zh", name="腾讯云服务协议"),
        doc_source(
            site.url("/en"), "cloud-en", name="腾讯云服务协议 (English)", translation_of="cloud-zh"
        ),
    ]
    extra = f'[[notify]]\nkind = "webhook"\nurl = "{hook.url}"\n'
    cfg = write_config(tmp_path, sources, extra=extra)
    assert tracker("check", "-c", cfg).code == 0
    site.page("/zh", cloud_page(change_clause(AGREEMENT, "提前10个自然日", "提前3个自然日")))
    assert tracker("check", "-c", cfg).code == 1
    return cfg, hook


def age(tmp_path: Path, days: float) -> str:
    """Move the Chinese change's first sighting ``days`` back; the day it now falls on."""
    meta_path = next((tmp_path / "snapshots" / "cloud-zh" / "versions").glob("0002_*/meta.json"))
    meta = json.loads(meta_path.read_text())
    moment = datetime.now(UTC) - timedelta(days=days)
    meta["first_seen"] = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    meta_path.write_text(json.dumps(meta))
    return moment.strftime("%Y-%m-%d")


def drifts(hook: Sink) -> list[dict]:
    return [b for b in hook.bodies if b.get("event") == "drift"]


def test_a_translation_that_does_not_follow_is_said_once_after_drift_after(site, tmp_path, tracker):
    cfg, hook = setup(site, tmp_path, tracker)
    age(tmp_path, 13)
    run = tracker("check", "-c", cfg, "--json")
    assert run.json["drift"] == [] and drifts(hook) == []  # within 14 days: not yet

    day = age(tmp_path, 15)
    run = tracker("check", "-c", cfg, "--json")
    [drift] = run.json["drift"]
    assert drift["source"] == "cloud-en" and drift["original"] == "cloud-zh"
    assert drift["changed"] == day and drift["after_days"] == 14
    [event] = drifts(hook)
    assert event["id"] == "cloud-en" and event["severity"] == "warning"
    assert event["drift"]["original_name"] == "腾讯云服务协议"

    again = tracker("check", "-c", cfg, "--json")
    assert again.json["drift"] == [] and len(drifts(hook)) == 1  # said once


def test_the_drift_reads_as_a_sentence_on_the_terminal(site, tmp_path, tracker):
    cfg, _ = setup(site, tmp_path, tracker)
    day = age(tmp_path, 20)
    said = tracker("check", "-c", cfg).out
    assert (
        "! cloud-en: 《腾讯云服务协议 (English)》 has not followed the change of 《腾讯云服务协议》 "
        f"of {day} after 14 days"
    ) in said


def test_a_translation_that_follows_in_time_is_no_drift(site, tmp_path, tracker):
    cfg, hook = setup(site, tmp_path, tracker)
    site.page("/en", cloud_page(ENGLISH.replace("faithfully", "as faithfully as it can")))
    assert tracker("check", "-c", cfg).code == 1  # the English follows
    age(tmp_path, 15)
    run = tracker("check", "-c", cfg, "--json")
    assert run.json["drift"] == [] and drifts(hook) == []


def test_translation_of_must_name_another_source(tmp_path, tracker):
    source = {**doc_source("https://example.com/en", "en"), "translation_of": "zh"}
    cfg = write_config(tmp_path, [source])
    run = tracker("check", "-c", cfg)
    assert run.code == 2 and "source.en.translation_of" in run.err and "'zh'" in run.err
