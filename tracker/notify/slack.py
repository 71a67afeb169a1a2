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
from ..model import Change, Event
from ..text.controls import neutral
from ..text.counts import counted
from ..text.shown import MARKS, Piece, by_op
from .channel import Channel, http_url, register
from .courier import Courier
from .text import (
    change_lines,
    cut,
    digest_line,
    event_line,
    following_lines,
    ranked,
    recorded_line,
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
    out: list[dict[str, Any]] = [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": cut(neutral(title(message)), HEADER_LIMIT)},
        },
    ]
    if message.event is not Event.DIGEST:
        out.append(_section(_summary(message)))
        return out + _changes(message, BLOCK_LIMIT - len(out))
    out.append(_section(escape(digest_line(message))))
    for n, item in enumerate(message.items):
        room = BLOCK_LIMIT - len(out) - 2
        if room < 2:  # what does not fit is counted, never dropped in silence
            left = counted(len(message.items) - n, "more message")
            out.append(_context(f"…and {left} in this digest: see tracker history"))
            break
        out.append({"type": "divider"})
        out.append(_section(f"*{escape(title(item))}*\n" + _summary(item)))
        out += _changes(item, min(room - 1, 1 + len(item.outcome.changes)))
    return out


def _summary(message: Message) -> str:
    """The source, its severity (or what became of it), the watches, the notices."""
    about = message.outcome
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
    return "\n".join(summary)


def _changes(message: Message, room: int) -> list[dict[str, Any]]:
    """A section per change, within ``room`` blocks: the most severe first if some must go."""
    changes = message.outcome.changes
    if len(changes) <= room:
        return [_section(_change_text(change)) for change in changes]
    shown = ranked(changes)[: room - 1]
    left = counted(len(changes) - len(shown), "more change")
    return [
        *(_section(_change_text(change)) for change in shown),
        _context(f"…and {left}: {see_all(message)}"),
    ]


def _context(note: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": escape(note)}]}


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": cut(text, TEXT_LIMIT)}}


def _change_text(change: Change) -> str:
    return "\n".join(change_lines(change, escape, mrkdwn, "*", minus="−"))


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
