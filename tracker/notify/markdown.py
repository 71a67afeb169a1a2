"""A message as Markdown, for the services apprise reaches (WeCom, DingTalk, Feishu, Teams…).

The same message every channel reads, in the Markdown chat services take:
page text escaped, emphasis as ``**``/``*``, a change struck and bold and
marked ``[-…-]``/``{+…+}`` (apprise turns Markdown into plain text for a
service that takes none, and the marks survive it).  A message longer than
the service takes keeps its most severe changes and says where the rest is.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..message import Message
from ..model import Change, Event
from ..text.controls import neutral
from ..text.shown import MARKS, Piece, by_op
from .text import (
    change_lines,
    cut,
    digest_line,
    event_line,
    following_lines,
    footer_lines,
    ranked,
    recorded_line,
    see_all,
    title,
)

_SPECIAL = re.compile(r"[\\`*~<>#|]|(?<!\w)_|_(?!\w)|(?<=\])\(")


def escape(text: str) -> str:
    """Page text that Markdown shows as written: no emphasis, link or heading of its own
    (``_`` inside a word, as in a version's name, and ``[`` not before ``](`` make none)."""
    return _SPECIAL.sub(lambda m: "\\" + m.group(0), neutral(text))


def markdown(message: Message, limit: int = 20_000) -> str:
    """The message's body (the title goes apart); within ``limit`` characters."""
    if message.event is Event.DIGEST:
        parts = [escape(digest_line(message))]
        for item in message.items:
            parts += ["---", f"**{escape(title(item))}**", markdown(item, limit)]
        return cut("\n\n".join(parts), limit)
    about = message.outcome
    head = [f"[{escape(about.name)}]({about.url})"]
    if said := event_line(message):
        return "\n\n".join([*head, escape(said)])
    head[0] = f"**{message.severity.upper()}** · {head[0]}"
    if recorded := recorded_line(message):
        head.append(escape(recorded))
    head += [
        f"Watch **{escape(f.watch)}** ({f.severity}): {escape(', '.join(f.clauses))}"
        for f in about.fired
    ]
    tail = [escape(note) for note in following_lines(message)]
    if footer := footer_lines(message):
        tail += ["---", *(_footer(line) for line in footer)]
    blocks = [_block(c) for c in about.changes]
    text = "\n\n".join([*head, *blocks, *tail])
    if len(text) > limit:  # the most severe clauses first, and where the rest is
        note = f"*Cut to fit: {escape(see_all(message))}*"
        blocks = [_block(c) for c in ranked(about.changes)]
        text = "\n\n".join([*head, note, *blocks, *tail])
    return cut(text, limit)


def _footer(line: str) -> str:
    """A footer line; a command as code, to be copied as is."""
    label, _, rest = line.partition(": ")
    return f"{label}: `{rest}`" if rest.startswith("tracker ") else escape(line)


def _block(change: Change) -> str:
    lines = change_lines(change, escape, inline, "**")
    return "  \n".join(lines)  # a hard line break between the lines of one change


def inline(found: Sequence[Piece]) -> str:
    """Pieces in Markdown: changes struck or bold, and marked; emphasis as emphasis."""
    out = []
    for op, run in by_op(found):
        if op != "equal":
            opening, closing = MARKS[op]
            core = escape(opening + "".join(p.text for p in run) + closing)
            out.append(f"~~{core}~~" if op == "delete" else f"**{core}**")
            continue
        for p in run:
            text = escape(p.text).replace("\n", "  \n")
            s = p.style
            if (s.bold or s.underline or p.heading) and text.strip():
                text = f"**{text}**"
            elif s.italic and text.strip():
                text = f"*{text}*"
            out.append(text)
    return "".join(out)
