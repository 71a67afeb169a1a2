"""What a change means for the people bound by it (issue 20): when a text was seen."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from datetime import date as date_type

import pytest

from tests.conftest import Sink, doc_source, write_config
from tests.pages import AGREEMENT, change_clause, cloud_page
from tracker.compare.effective import effective_of

ASCII = str.maketrans("０１２３４５６７８９", "0123456789")
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


def date_of(text: str) -> date_type:
    return date_type.fromisoformat(text)


FEE_RULE = "2.8 腾讯将发布新的收费规则，新的收费规则自{when}起生效。"


@pytest.mark.parametrize(
    ("said", "date"),
    [
        ("2027年1月1日", "2027-01-01"),
        ("２０２７年２月３日", "2027-02-03"),  # full width
    ],
)
def test_a_changed_clause_says_when_it_takes_effect(site, tmp_path, tracker, said, date):
    site.page("/doc", cloud_page())
    source = doc_source(site.url("/doc"), timezone="Asia/Shanghai")
    cfg = write_config(tmp_path, [source])
    tracker("check", "-c", cfg)
    new = AGREEMENT.replace("2.7 ", FEE_RULE.format(when=said) + "\n\n2.7 ", 1)
    site.page("/doc", cloud_page(new))
    src = tracker("check", "-c", cfg, "--json").source("doc")
    [added] = [c for c in src["changes"] if c["clause"] == "2.8"]
    today = (datetime.now(UTC) + timedelta(hours=8)).date()
    after = (date_of(date) - today).days
    assert added["effective"] == {
        "date": date,
        "where": "2.8",
        "wording": f"自{said.translate(ASCII)}起生效",
        "after": after,
    }
    shown = tracker("diff", "doc", "-c", cfg).out
    assert f"Takes effect {date}, {after} days after it was first seen (2.8: “自" in shown


def test_a_period_after_posting_counts_from_the_first_sighting(site, tmp_path, tracker):
    site.page("/doc", cloud_page())
    cfg = write_config(tmp_path, [doc_source(site.url("/doc"))])
    tracker("check", "-c", cfg)
    new = change_clause(
        AGREEMENT, "9.2 本协议签订地", "9.2 本条修订于通知发出后7天后生效。本协议签订地"
    )
    site.page("/doc", cloud_page(new))
    [change] = tracker("check", "-c", cfg, "--json").source("doc")["changes"]
    today = datetime.now(UTC).date()
    assert change["effective"]["date"] == (today + timedelta(days=7)).isoformat()
    assert change["effective"]["after"] == 7


@pytest.mark.parametrize(
    ("text", "when"),
    [
        ("These Terms are effective January 1, 2027.", "2027-01-01"),
        ("Effective date: 2027-02-01", "2027-02-01"),
        ("The changes take effect 30 days after they are posted.", "2027-01-02"),
        ("本协议自2027年1月1日起施行。", "2027-01-01"),
        ("本规则于2027年3月1日正式实施", "2027-03-01"),
        ("9.2 本协议签订地为深圳。", None),
        ("腾讯于2020年1月1日成立。", None),  # a date, but not when anything takes effect
    ],
)
def test_the_words_that_say_when(text, when):
    found = effective_of(text, date_of("2026-12-03"))
    assert (found[0].isoformat() if found else None) == when
