"""Message formatting: Slack's limits, sensible cuts, subjects naming the top clause."""

from __future__ import annotations

from dataclasses import replace

from tracker.compare.changes import diff
from tracker.message import Message, Outcome
from tracker.model import Event, Status
from tracker.notify import email, slack, text


def _message(changes, name="腾讯会议 API 开发者协议", severity="warning", version=None):
    about = Outcome(
        "doc", name, "https://example.com/terms?a=1&b=2", Status.CHANGED,
        severity=severity, changes=tuple(changes), version=version,
    )  # fmt: skip
    return Message("doc__0002_x", Event.CHANGE, severity, "2026-12-01T00:00:00Z", about)


def test_slack_keeps_to_fifty_blocks_and_counts_the_rest():
    old = "\n".join(f"1.{n} 第{n}条的原文。" for n in range(1, 81))
    new = "\n".join(f"1.{n} 第{n}条的新文。" for n in range(1, 81))
    msg = _message(diff(old, new))
    blocks = slack.blocks(msg)
    assert len(blocks) == slack.BLOCK_LIMIT
    assert (
        blocks[-1]["type"] == "context"
        and "and 33 more changes" in blocks[-1]["elements"][0]["text"]
    )
    assert all(len(b["text"]["text"]) <= slack.TEXT_LIMIT for b in blocks if b["type"] == "section")


def test_long_clauses_are_cut_to_the_changes_with_context():
    old = "3.1 " + "甲" * 5000 + "提前10个自然日" + "乙" * 5000
    new = old.replace("10个", "3个")
    msg = _message(diff(old, new))
    [_, _, section] = slack.blocks(msg)
    body = section["text"]["text"]
    assert len(body) < 400 and "…" in body and "~[-10-]~" in body and "*{+3+}*" in body
    plain = text.plain_text(msg)
    assert "[-10-]{+3+}" in plain and len(plain) < 600


def test_a_huge_added_chapter_is_cut_with_a_count():
    new = "\n".join(["## 1. 新章节", *(f"1.{n} " + "很长的条款内容。" * 40 for n in range(1, 40))])
    msg = _message(diff("", new) or diff("## 0. 旧\n0.1 旧。", new))
    sections = [b for b in slack.blocks(msg) if b["type"] == "section"]
    assert all(len(b["text"]["text"]) <= slack.TEXT_LIMIT for b in sections)
    assert any("more characters)" in b["text"]["text"] for b in sections)


def test_header_and_subject_name_the_agreement_and_top_clause():
    old = "2.6 甲。\n2.7 提前10个自然日。\n9.1 乙。"
    new = "2.6 甲甲。\n2.7 提前3个自然日。\n9.1 乙。"
    changes = diff(old, new)
    changes = [replace(changes[0], severity="info"), replace(changes[1], severity="critical")]
    msg = _message(changes, name="很长的协议名称" * 30, severity="critical")
    subject = email.subject(msg)
    assert subject.startswith("[tracker] [critical] ") and subject.endswith(
        ": 2.7 modified and 1 more change"
    )
    header = slack.blocks(msg)[0]["text"]["text"]
    assert len(header) <= slack.HEADER_LIMIT and header.startswith("[critical] ")  # cut at the end


def test_slack_link_to_the_source_is_escaped():
    msg = _message(diff("1.1 甲。", "1.1 乙。"), name="A <b> & co")
    summary = slack.blocks(msg)[1]["text"]["text"]
    assert summary.startswith("<https://example.com/terms?a=1&amp;b=2|A &lt;b&gt; &amp; co>")


def test_a_message_cut_to_fit_keeps_its_most_severe_clauses_and_says_where_the_rest_is():
    """83 changes, one of them the warning that heads the message: Slack keeps 50 blocks."""
    old = "\n".join(f"{n}.1 条款{n}的原文。" for n in range(1, 84))
    new = old.replace("41.1 条款41的原文。", "41.1 条款41的原文，保留30天。")
    new = "\n".join(
        line.replace("原文", "新文") if not line.startswith("41.1") else line
        for line in new.splitlines()
    )
    changes = diff(old, new)
    assert len(changes) == 83
    changes = [replace(c, severity="warning" if c.clause == "41.1" else "info") for c in changes]
    msg = _message(changes, version="0002_20261201T000000Z")
    blocks = slack.blocks(msg)
    assert len(blocks) <= slack.BLOCK_LIMIT
    texts = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    assert "41.1 modified" in texts[1]  # the headline clause comes first, right after the summary
    note = blocks[-1]["elements"][0]["text"]
    assert note.endswith(
        "more changes: see the whole change with: tracker diff doc 0002_20261201T000000Z"
    )
    msg = replace(msg, report="https://tracker.example.com/changes/doc/0002_20261201T000000Z.html")
    note = slack.blocks(msg)[-1]["elements"][0]["text"]
    assert note.endswith(
        "more changes: the whole change is at "
        "https://tracker.example.com/changes/doc/0002_20261201T000000Z.html"
    )
    plain = text.plain_text(msg, limit=2000)
    assert "(Cut to fit: the whole change is at https://tracker.example.com/changes/doc/" in plain
    small = _message(changes[:3])
    assert [b["text"]["text"].split(" ")[0] for b in slack.blocks(small)[2:]] == [
        "*1.1",
        "*2.1",
        "*3.1",
    ]
