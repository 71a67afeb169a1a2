"""What a change means for the people bound by it (issue 20): when a text was seen."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from datetime import date as date_type

import pytest

from tests.conftest import ROOT, Sink, doc_source, wait_until, write_config
from tests.pages import AGREEMENT, change_clause, cloud_page
from tracker.compare.effective import effective_of

CLOUD_2019 = (
    ROOT.parent
    / "shared/corpus/tencent-cloud-intl-2019"
    / "2019-04-19_5fb61abc23_PRC_Terms_of_Service_Chinese__intl.md"
)
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


def test_the_old_text_was_last_seen_by_the_last_unchanged_check(site, tmp_path, tracker):
    """An unchanged check only touches the state; it saw the text all the same.  Before,
    a change said the old text was last seen when the state was last written (here the
    first check), not at the unchanged checks since: off by a second here, by days for a
    page checked hourly between two writes."""
    site.page("/doc", cloud_page())
    cfg = write_config(tmp_path, [doc_source(site.url("/doc"))])
    tracker("check", "-c", cfg)
    first = tracker("status", "-c", cfg, "--json").json["sources"][0]["last_check"]
    wait_until(lambda: datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") != first)
    tracker("check", "-c", cfg)  # unchanged: a touch
    [row] = tracker("status", "-c", cfg, "--json").json["sources"]
    assert row["last_check"] > first and row["last_status"] == "unchanged"
    site.page("/doc", cloud_page(TEN_TO_THREE))
    src = tracker("check", "-c", cfg, "--json").source("doc")
    assert src["status"] == "changed" and src["last_seen"] == row["last_check"]


def date_of(text: str) -> date_type:
    return date_type.fromisoformat(text)


FEE_RULE = "2.8 本条关于数据保存期限的规定自{when}起生效。"  # no promise covers it


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


# -- notice promised against notice given -------------------------------------------------

FEES_FROM = "2.8 新的收费规则自{when}起生效，届时腾讯将按该规则收取费用。"


def china_today() -> date_type:
    return (datetime.now(UTC) + timedelta(hours=8)).date()


def cn(day: date_type) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


@pytest.fixture
def fees(site, tmp_path, tracker):
    """The developer agreement checked once; then a fee rule effective in ``days``."""
    hook = Sink(site, "/hook")
    site.page("/doc", cloud_page())
    extra = f'[[notify]]\nkind = "webhook"\nurl = "{hook.url}"\n'
    source = doc_source(site.url("/doc"), timezone="Asia/Shanghai")
    cfg = write_config(tmp_path, [source], extra=extra)
    tracker("check", "-c", cfg)

    def effective_in(days: int):
        rule = FEES_FROM.format(when=cn(china_today() + timedelta(days=days)))
        site.page("/doc", cloud_page(AGREEMENT.replace("2.7 ", rule + "\n\n2.7 ", 1)))
        run = tracker("check", "-c", cfg, "--json")
        [added] = [c for c in run.source("doc")["changes"] if c["clause"] == "2.8"]
        return run, added, hook

    return effective_in


def test_a_fee_rule_effective_sooner_than_2_7_promises_is_critical(fees):
    run, added, hook = fees(5)
    assert added["notice"] == {
        "covers": "fees",
        "given": 4,  # the whole days after the first sighting and before the day it applies
        "promised": 10,
        "counted": "natural days",
        "clause": "2.7",
        "agreement": "腾讯会议 API 开发者协议",
        "enough": False,
        "guessed": False,
    }
    assert added["severity"] == "critical" and run.source("doc")["severity"] == "critical"
    [alert] = hook.bodies
    assert alert["severity"] == "critical"
    seen, when = china_today(), china_today() + timedelta(days=5)
    line = (
        f"Fee rules (2.8) effective {when}, first seen {seen}: 4 natural days' notice; "
        "《腾讯会议 API 开发者协议》 2.7 promises 10: too short."
    )
    assert line in run_text(alert)


def test_a_fee_rule_with_enough_notice_is_not_critical_for_that(fees):
    _, added, _ = fees(30)
    assert added["notice"]["given"] == 29 and added["notice"]["enough"] is True
    assert added["severity"] != "critical"


def run_text(body: dict) -> str:
    """What a person reads of a webhook body: its change lines, as the console prints."""
    from tracker.message import Outcome
    from tracker.notify.text import meaning_lines

    return "\n".join(meaning_lines(Outcome.from_json(body)))


def test_working_days_skip_the_national_day_holiday():
    from tracker.compare.workdays import days_between

    first, last = date_type(2026, 9, 30), date_type(2026, 10, 12)
    assert days_between(first, last, working=True).days == 3  # 10-08, 10-09, 10-10 (make-up)
    assert days_between(first, last).days == 11
    later = days_between(date_type(2030, 1, 6), date_type(2030, 1, 14), working=True)
    assert later.guessed and later.days == 5  # a year not published yet: Monday to Friday


def test_promises_of_the_developer_agreement(tracker, tmp_path):
    from tracker.compare.promises import promises

    found = {p.clause: p for p in promises(AGREEMENT)}
    assert (found["2.7"].covers, found["2.7"].period, found["2.7"].counted) == (
        "fees",
        10,
        "natural days",
    )
    assert found["9.1"].period is None and found["9.1"].wording == "有权在必要时单方修改"


def test_tracker_promises_lists_the_developer_agreements_promises(site, tmp_path, tracker):
    site.page("/doc", cloud_page())
    cfg = write_config(tmp_path, [doc_source(site.url("/doc"))])
    before = tracker("promises", "-c", cfg)
    assert before.code == 0 and "nothing recorded yet" in before.out
    tracker("check", "-c", cfg)
    run = tracker("promises", "doc", "-c", cfg, "--json")
    [source] = run.json["sources"]
    rows = {p["clause"]: p for p in source["promises"]}
    assert rows["2.7"] == {
        "clause": "2.7",
        "covers": "fees",
        "period": 10,
        "unit": "自然日",
        "counted": "natural days",
        "wording": "提前10个自然日",
    }
    assert rows["9.1"]["period"] is None and rows["9.1"]["counted"] == "none"
    human = tracker("promises", "-c", cfg).out
    assert "2.7" in human and "提前10个自然日" in human and "有权在必要时单方修改" in human


@pytest.mark.skipif(not CLOUD_2019.exists(), reason="../shared/corpus is absent")
def test_promises_of_the_2019_cloud_service_agreement():
    from tracker.compare.promises import promises

    found = [
        (p.clause, str(p.covers), p.period, p.counted) for p in promises(CLOUD_2019.read_text())
    ]
    assert found == [
        ("3.4.1", "maintenance", 24, "hours"),
        ("3.4.2", "maintenance", 30, "natural days"),
        ("3.4.5", "termination", 30, "natural days"),
        ("5.4", "assignment", 90, "natural days"),
        ("7.2", "termination", 15, "natural days"),
    ]
