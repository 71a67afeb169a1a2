"""What a change means for the people bound by it (issue 20): when a text was seen."""

from __future__ import annotations

import json

from tests.conftest import Sink, doc_source, write_config
from tests.pages import AGREEMENT, change_clause, cloud_page

TEN_TO_THREE = change_clause(AGREEMENT, "提前10个自然日", "提前3个自然日")


def test_each_version_keeps_when_its_text_was_first_seen_and_the_old_one_last_seen(
    site, tmp_path, tracker
):
    hook = Sink(site, "/hook")
    site.page("/doc", cloud_page())
    extra = f'[[notify]]\nkind = "webhook"\nurl = "{hook.url}"\n'
    cfg = write_config(tmp_path, [doc_source(site.url("/doc"))], extra=extra)
    tracker("check", "-c", cfg)
    tracker("check", "-c", cfg)  # unchanged: the old text is seen again
    [row] = tracker("status", "-c", cfg, "--json").json["sources"]
    seen_last = row["last_check"]
    site.page("/doc", status=503)
    tracker("check", "-c", cfg)  # a failure sees nothing: the last sighting stands
    site.page("/doc", cloud_page(TEN_TO_THREE))
    src = tracker("check", "-c", cfg, "--json").source("doc")
    assert src["last_seen"] == seen_last
    assert src["first_seen"] and src["first_seen"] >= seen_last
    [alert] = hook.bodies
    assert (alert["first_seen"], alert["last_seen"]) == (src["first_seen"], src["last_seen"])

    newest, *_ = tracker("history", "doc", "-c", cfg, "--json").json["versions"]
    assert (newest["first_seen"], newest["last_seen"]) == (src["first_seen"], seen_last)
    meta = json.loads(
        next((tmp_path / "snapshots" / "doc" / "versions").glob("0002_*/meta.json")).read_text()
    )
    assert meta["first_seen"] == src["first_seen"] and meta["previous_last_seen"] == seen_last

    shown = tracker("diff", "doc", "-c", cfg).out
    day, hour = seen_last[:10], seen_last[11:16]
    assert f"the old text was last seen {day} {hour} UTC" in shown
    assert "First seen " in shown
