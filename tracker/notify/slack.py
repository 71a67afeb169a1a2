"""Slack: an incoming webhook, one Block Kit message per source.

Page text is untrusted: ``&``, ``<`` and ``>`` are escaped, so ``<!channel>``
or ``<url|text>`` inside an agreement can neither ping anyone nor make a
link.  Slack's limits are kept: 3,000 characters per text block, 50 blocks
per message (what does not fit is counted, not dropped silently).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from ..config import Secret, secret_setting
from ..message import Message
from ..model import Change, ChangeKind
from ..text.controls import neutral
from ..text.shown import MARKS, Piece, by_op
from .channel import Channel, http_url, register
from .courier import Courier
from .text import (
    body_pieces,
    change_heading,
    cut,
    event_line,
    excerpt,
    facts_line,
    following_lines,
    ranked,
    recorded_line,
    reference_lines,
    see_all,
    title,
)

TEXT_LIMIT = 3000
BLOCK_LIMIT = 50
HEADER_LIMIT = 150
_ZWSP = "\u200b"  # lets *bold* and ~strike~ work between CJK characters


def escape(text: str) -> str:
    """Page text as Slack shows it: no mention, no link, no control character."""
    return neutral(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _link(url: str, label: str) -> str:
    return f"<{escape(url).replace('|', '%7C')}|{escape(label)}>"


def _wrapped(text: str, sign: str) -> str:
    """``text`` between Slack's marks (``*`` bold, ``~`` struck), its edge spaces outside."""
    if not sign or not text.strip():
        return text
    core = text.strip()
    lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]
    return f"{lead}{_ZWSP}{sign}{core}{sign}{_ZWSP}{trail}"


def mrkdwn(found: Sequence[Piece]) -> str:
    """Pieces in Slack's mrkdwn: a change marked (struck, bold) and ``[-…-]{+…+}`` so it
    reads without colour; otherwise emphasis as Slack shows it (no underline: bold)."""
    out = []
    for op, run in by_op(found):
        if op != "equal":
            opening, closing = MARKS[op]
            text = escape(opening + "".join(p.text for p in run) + closing)
            out.append(_wrapped(text, "~" if op == "delete" else "*"))
            continue
        for p in run:
            s = p.style
            sign = "*" if s.bold or s.underline or p.heading else "_" if s.italic else ""
            out.append(_wrapped(escape(p.text), sign))
    return "".join(out)


def blocks(message: Message) -> list[dict[str, Any]]:
    about = message.outcome
    out: list[dict[str, Any]] = [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": cut(neutral(title(message)), HEADER_LIMIT)},
        },
    ]
    said = event_line(message)
    summary = [_link(about.url, about.name) + ("" if said else f" · *{message.severity.upper()}*")]
    if said:
        summary.append(escape(said))
    if recorded := recorded_line(message):
        summary.append(escape(recorded))
    for fired in about.fired:
        clauses = escape(", ".join(fired.clauses))
        summary.append(f"Watch *{escape(fired.watch)}* ({fired.severity}): {clauses}")
    summary += [f"Note: {escape(note)}" for note in following_lines(message)]
    out.append(_section("\n".join(summary)))
    changes = about.changes
    room = BLOCK_LIMIT - len(out) - 1
    shown = changes if len(changes) <= room else ranked(changes)[:room]  # the most severe
    out += [_section(_change_text(change)) for change in shown]
    if len(changes) > room:
        left = len(changes) - room
        plural = "s" if left > 1 else ""
        note = f"…and {left} more change{plural}: {see_all(message)}"
        out.append({"type": "context", "elements": [{"type": "mrkdwn", "text": escape(note)}]})
    return out


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": cut(text, TEXT_LIMIT)}}


def _change_text(change: Change) -> str:
    lines = [f"*{escape(change_heading(change))}*"]
    if change.kind is ChangeKind.MODIFIED:
        lines.append(mrkdwn(excerpt(change)))
    sign = "+" if change.kind is ChangeKind.ADDED else "−"
    lines += [f"{sign} {mrkdwn(line)}" for line in body_pieces(change)]
    lines += [escape(line) for line in reference_lines(change)]
    if facts := facts_line(change):
        lines.append(f"Facts: {escape(facts)}")
    return "\n".join(lines)


def payload(message: Message) -> dict[str, Any]:
    return {"text": escape(title(message)), "blocks": blocks(message)}


@register
@dataclass(frozen=True, kw_only=True)
class SlackChannel(Channel):
    kind: ClassVar[str] = "slack"
    webhook_url: Secret = secret_setting(check=http_url)

    async def send(self, message: Message, courier: Courier) -> None:
        who = self.label
        await courier.post_json(who, self.webhook_url, payload(message), detail=True)
