"""Slack: an incoming webhook, one Block Kit message per source.

Page text is untrusted: ``&``, ``<`` and ``>`` are escaped, so ``<!channel>``
or ``<url|text>`` inside an agreement can neither ping anyone nor make a
link.  Slack's limits are kept: 3,000 characters per text block, 50 blocks
per message (what does not fit is counted, not dropped silently).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from ..config import Secret, secret_setting
from ..message import Message
from ..model import Change, ChangeKind, Event
from ..text.controls import neutral
from .channel import Channel, http_url, register
from .courier import Courier
from .text import (
    body_lines,
    change_heading,
    cut,
    excerpt,
    facts_line,
    following_lines,
    ranked,
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


def _mark(op: str, text: str) -> str:
    text = escape(text)
    if op == "equal" or not text.strip():
        return text
    core = text.strip()
    lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]
    sign = "~" if op == "delete" else "*"
    return f"{lead}{_ZWSP}{sign}{core}{sign}{_ZWSP}{trail}"


def blocks(message: Message) -> list[dict[str, Any]]:
    about = message.outcome
    out: list[dict[str, Any]] = [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": cut(neutral(title(message)), HEADER_LIMIT)},
        },
    ]
    summary = [f"{_link(about.url, about.name)} · severity *{message.severity}*"]
    for fired in about.fired:
        clauses = escape(", ".join(fired.clauses))
        summary.append(f"Watch *{escape(fired.watch)}* ({fired.severity}): {clauses}")
    if message.event in (Event.FAILING, Event.RECOVERED) and about.error:
        summary.append(f"Last error: {escape(about.error)}")
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
        lines.append("".join(_mark(op, t) for op, t in excerpt(change.spans)))
    sign = "+" if change.kind is ChangeKind.ADDED else "−"
    lines += [f"{sign} {escape(line)}" for line in body_lines(change)]
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
