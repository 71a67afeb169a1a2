"""What every channel says, before each dresses it for its medium.

They all read the one typed :class:`~tracker.message.Message`.  These helpers
pick the title, the top clause and each change's headline, and cut long clauses
down to the changes with some context around them.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..message import Message
from ..model import Change, ChangeKind, Event, Span, highest, rank
from ..text.controls import neutral

CONTEXT = 60  # characters kept on each side of a change inside a long clause


def top_change(message: Message) -> Change | None:
    """The first of the most severe changes: what a subject line should name."""
    changes = message.outcome.changes
    if not changes:
        return None
    worst = highest([c.severity for c in changes])
    return next(c for c in changes if c.severity == worst)


def title(message: Message) -> str:
    about = message.outcome
    name = about.name
    if message.event is Event.FAILING:
        return f"{name}: cannot be checked ({about.failures} times in a row)"
    if message.event is Event.RECOVERED:
        return f"{name}: can be checked again"
    if message.event is Event.TEST:
        return f"{name}: test message from tracker"
    if about.replaced:
        old, new = about.replaced
        return f"[{message.severity}] {name}: now holds another document: {old} → {new}"
    top = top_change(message)
    n = len(about.changes)
    what = f"{top.clause or 'unnumbered text'} {top.kind}" if top else "changed"
    more = f" and {n - 1} more change{'s' if n > 2 else ''}" if n > 1 else ""
    return f"[{message.severity}] {name}: {what}{more}"


def heading_parts(change: Change) -> list[tuple[str, str]]:
    """A change's headline as ``(role, text)`` parts: every rendering shows these, its own way.

    Roles: ``clause``, ``what`` (kind, renumbering, size, aspect), ``words`` (a moved
    unnumbered text's first words), ``path`` (for a move: from where to where), ``severity``.
    """
    what = [str(change.kind)]
    if change.old_clause:
        what[0] += f" (was {change.old_clause})"
    if change.count > 1:
        unit = "paragraphs" if change.clause is None else "clauses"
        what.append(f"{change.count} {unit}")
    if note := aspect_note(change.aspect):
        what.append(note)
    parts = [("clause", change.clause or "(unnumbered)"), ("what", ", ".join(what))]
    if change.kind is ChangeKind.MOVED and change.words and not change.clause:
        parts.append(("words", f"“{change.words}”"))  # what names an unnumbered text
    if change.kind is ChangeKind.MOVED and change.old_path != change.path:
        was, now = " › ".join(change.old_path) or "the top", change.path_text or "the top"
        parts.append(("path", f"from {was} to {now}"))
    elif change.path:
        parts.append(("path", change.path_text))
    watches = f" ({', '.join(change.watches)})" if change.watches else ""
    parts.append(("severity", change.severity + watches))
    return parts


def change_heading(change: Change) -> str:
    clause, what, *rest = (text for _, text in heading_parts(change))
    return " · ".join([f"{clause} {what}", *rest])


def ranked(changes: Sequence[Change]) -> list[Change]:
    """The most severe first, then document order: what a cut-short message keeps."""
    return sorted(changes, key=lambda c: -rank(c.severity))  # sorted() is stable


def see_all(message: Message) -> str:
    """Where to read the whole change, when a message is cut short: its report page, if the
    report is configured, else the command that prints it."""
    if message.report:
        return f"the whole change is at {message.report}"
    about = message.outcome
    if about.version:
        return f"see the whole change with: tracker diff {about.id} {about.version}"
    return "see the whole change with: tracker history"


def aspect_note(aspect: str | None) -> str | None:
    """How a heading qualifies a modification that is not, or not only, one of wording."""
    parts = [a for a in (aspect or "").split("+") if a]
    others = [a for a in parts if a != "wording"]
    if not others:
        return None
    return " and ".join(others) + (" changed too" if "wording" in parts else " only")


def reference_lines(change: Change) -> list[str]:
    """A line per named document whose link now leads elsewhere."""
    return [f"Link {r}" for r in change.references]


def following_lines(message: Message) -> list[str]:
    """The notices of watches whose clauses were renumbered."""
    return [str(f) for f in message.outcome.following]


def facts_line(change: Change) -> str | None:
    return "; ".join(map(str, change.facts)) or None


def body_lines(change: Change) -> list[str]:
    """An added or removed clause's lines (nothing for the other kinds)."""
    if change.kind is ChangeKind.ADDED:
        return (change.new or "").splitlines()
    if change.kind is ChangeKind.REMOVED:
        return (change.old or "").splitlines()
    return []


def excerpt(spans: Sequence[Span], context: int = CONTEXT) -> list[tuple[str, str]]:
    """The diff spans with long unchanged stretches shortened to ``…`` around the changes."""
    out: list[tuple[str, str]] = []
    last = len(spans) - 1
    for k, span in enumerate(spans):
        op, text = span.op, span.text
        if op == "equal" and len(text) > 2 * context + 1:
            head = text[:context] if k > 0 else ""
            tail = text[-context:] if k < last else ""
            text = f"{head}…{tail}" if head or tail else "…"
        out.append((op, text))
    return out


def cut(text: str, limit: int) -> str:
    """``text`` within ``limit`` characters, saying how much was left out."""
    if len(text) <= limit:
        return text
    note = f"… ({len(text) - limit + 40} more characters)"
    return text[: limit - len(note)] + note


def plain_text(message: Message, limit: int = 20_000) -> str:
    """The message as plain text, with ``[-old-]{+new+}`` marks: email's text part."""
    about = message.outcome
    lines = [title(message), f"{about.name} — {about.url}", ""]
    if message.event in (Event.FAILING, Event.RECOVERED):
        lines.append(f"Last error: {about.error}" if about.error else "The source is back.")
        return neutral("\n".join(lines)) + "\n"
    for fired in about.fired:
        lines.append(f"Watch {fired.watch} ({fired.severity}): {', '.join(fired.clauses)}")
    notes = following_lines(message)
    tail = ["", *notes] if notes else []
    text = "\n".join([*lines, *(line for c in about.changes for line in _block(c)), *tail])
    if len(text) > limit:  # cut to fit: the most severe clauses first
        overflow = [f"(Cut to fit: {see_all(message)})"]
        ranked_lines = (line for c in ranked(about.changes) for line in _block(c))
        text = "\n".join([*lines, *overflow, *ranked_lines, *tail])
    return neutral(cut(text, limit)) + "\n"


def _block(change: Change) -> list[str]:
    """One change in plain text: its headline, the marked diff or its lines, its facts."""
    lines = ["", change_heading(change)]
    if change.kind is ChangeKind.MODIFIED:
        marked = {"equal": "{}", "delete": "[-{}-]", "insert": "{{+{}+}}"}
        lines.append("".join(marked[op].format(t) for op, t in excerpt(change.spans)))
    sign = "+" if change.kind is ChangeKind.ADDED else "-"
    lines += [f"{sign} {line}" for line in body_lines(change)]
    lines += reference_lines(change)
    if facts := facts_line(change):
        lines.append(f"Facts: {facts}")
    return lines
