"""What every channel says, before each dresses it for its medium.

Messages are plain JSON (as stored in the outbox): the source object of
``--json`` plus the event.  These helpers pick the title, the top clause,
and cut long clauses down to the changes with some context around them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..compare.severity import Following, highest
from ..model import rank

CONTEXT = 60  # characters kept on each side of a change inside a long clause


def source(message: Mapping[str, Any]) -> Mapping[str, Any]:
    src: Mapping[str, Any] = message["source"]
    return src


def top_change(message: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The first of the most severe changes: what a subject line should name."""
    changes = source(message).get("changes") or []
    if not changes:
        return None
    worst = highest([c["severity"] for c in changes])
    top: Mapping[str, Any] = next(c for c in changes if c["severity"] == worst)
    return top


def title(message: Mapping[str, Any]) -> str:
    src = source(message)
    name, event = src["name"], message["event"]
    if event == "failing":
        return f"{name}: cannot be checked ({src.get('failures', 0)} times in a row)"
    if event == "recovered":
        return f"{name}: can be checked again"
    if event == "test":
        return f"{name}: test message from tracker"
    if replaced := src.get("replaced"):
        return (
            f"[{message['severity']}] {name}: now holds another document: "
            f"{replaced['old']} → {replaced['new']}"
        )
    top = top_change(message)
    n = len(src.get("changes") or [])
    what = f"{top['clause'] or 'unnumbered text'} {top['kind']}" if top else "changed"
    more = f" and {n - 1} more change{'s' if n > 2 else ''}" if n > 1 else ""
    return f"[{message['severity']}] {name}: {what}{more}"


def heading_parts(change: Mapping[str, Any]) -> list[tuple[str, str]]:
    """A change's headline as ``(role, text)`` parts: every rendering shows these, its own way.

    Roles: ``clause``, ``what`` (kind, renumbering, size, aspect), ``path``, ``severity``.
    """
    what = [change["kind"]]
    if change.get("old_clause"):
        what[0] += f" (was {change['old_clause']})"
    if change.get("count", 1) > 1:
        what.append(f"{change['count']} clauses")
    if note := aspect_note(change.get("aspect")):
        what.append(note)
    parts = [("clause", change["clause"] or "(unnumbered)"), ("what", ", ".join(what))]
    if change.get("path_text"):
        parts.append(("path", change["path_text"]))
    watches = f" ({', '.join(change['watches'])})" if change.get("watches") else ""
    parts.append(("severity", change["severity"] + watches))
    return parts


def change_heading(change: Mapping[str, Any]) -> str:
    clause, what, *rest = (text for _, text in heading_parts(change))
    return " · ".join([f"{clause} {what}", *rest])


def ranked(changes: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The most severe first, then document order: what a cut-short message keeps."""
    return sorted(changes, key=lambda c: -rank(c["severity"]))  # sorted() is stable


def see_all(message: Mapping[str, Any]) -> str:
    """Where to read the whole change, when a message is cut short: its report page, if the
    report is configured (``report`` in the message), else the command that prints it."""
    if page := message.get("report"):
        return f"the whole change is at {page}"
    src = source(message)
    if src.get("version"):
        return f"see the whole change with: tracker diff {src['id']} {src['version']}"
    return "see the whole change with: tracker history"


def aspect_note(aspect: str | None) -> str | None:
    """How a heading qualifies a modification that is not, or not only, one of wording."""
    parts = [a for a in (aspect or "").split("+") if a]
    others = [a for a in parts if a != "wording"]
    if not others:
        return None
    return " and ".join(others) + (" changed too" if "wording" in parts else " only")


def reference_lines(change: Mapping[str, Any]) -> list[str]:
    """A line per named document whose link now leads elsewhere."""
    return [f"Link {r['text']}: {r['old']} → {r['new']}" for r in change.get("references") or []]


def following_lines(src: Mapping[str, Any]) -> list[str]:
    """The notices of watches whose clauses were renumbered."""
    return [str(Following(f["watch"], f["clause"], f["now"])) for f in src.get("following") or []]


def facts_line(change: Mapping[str, Any]) -> str | None:
    facts = change.get("facts") or []
    if not facts:
        return None
    return "; ".join(f"{f['old'] or '∅'} → {f['new'] or '∅'}" for f in facts)


def excerpt(spans: Sequence[Mapping[str, str]], context: int = CONTEXT) -> list[tuple[str, str]]:
    """The diff spans with long unchanged stretches shortened to ``…`` around the changes."""
    out: list[tuple[str, str]] = []
    last = len(spans) - 1
    for k, span in enumerate(spans):
        op, text = span["op"], span["text"]
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


def plain_text(message: Mapping[str, Any], limit: int = 20_000) -> str:
    """The message as plain text, with ``[-old-]{+new+}`` marks: email's text part."""
    src = source(message)
    lines = [title(message), f"{src['name']} — {src['url']}", ""]
    if message["event"] in ("failing", "recovered"):
        lines.append(
            f"Last error: {src.get('error')}" if src.get("error") else "The source is back."
        )
        return "\n".join(lines) + "\n"
    for alert in src.get("alerts") or []:
        lines.append(f"Watch {alert['watch']} ({alert['severity']}): {', '.join(alert['clauses'])}")
    changes = src.get("changes") or []
    notes = following_lines(src)
    tail = ["", *notes] if notes else []
    text = "\n".join([*lines, *(line for c in changes for line in _block(c)), *tail])
    if len(text) > limit:  # cut to fit: the most severe clauses first
        overflow = [f"(Cut to fit: {see_all(message)})"]
        ranked_lines = (line for c in ranked(changes) for line in _block(c))
        text = "\n".join([*lines, *overflow, *ranked_lines, *tail])
    return cut(text, limit) + "\n"


def _block(change: Mapping[str, Any]) -> list[str]:
    """One change in plain text: its headline, the marked diff or its lines, its facts."""
    lines = ["", change_heading(change)]
    if change["kind"] == "modified":
        marked = {"equal": "{}", "delete": "[-{}-]", "insert": "{{+{}+}}"}
        lines.append("".join(marked[op].format(t) for op, t in excerpt(change["diff"])))
    elif change["kind"] in ("added", "removed"):
        sign = "+" if change["kind"] == "added" else "-"
        body = change["new"] if change["kind"] == "added" else change["old"]
        lines += [f"{sign} {line}" for line in (body or "").splitlines()]
    lines += reference_lines(change)
    if facts := facts_line(change):
        lines.append(f"Facts: {facts}")
    return lines
