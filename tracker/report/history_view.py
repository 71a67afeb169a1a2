"""How ``tracker history``, ``diff`` and ``show`` print (plain text through rich, never markup)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.text import Text

from ..compare.segment import Clause, numbered, plain
from ..config import Source
from ..message import Message, Outcome
from ..model import Origin, Status
from ..notify.text import seen_line
from ..pipeline.review import Review
from ..store.history import Entry
from ..store.versions import Version
from ..text.counts import counted
from ..text.shown import text_pieces
from .console import print_changes, shown

_ORIGIN_STYLE: dict[str, str] = {
    Origin.BASELINE: "cyan",
    Origin.UPGRADE: "magenta",
    Origin.ACCEPTED: "yellow",
}
_SEVERITY_STYLE = {"info": "cyan", "warning": "yellow", "critical": "red bold"}
_FIRST_WORDS = 48


def _say(console: Console, line: Text | str, style: str = "") -> None:
    console.print(line if isinstance(line, Text) else Text(line, style=style), soft_wrap=True)


def entry_line(e: Entry, with_source: bool = False) -> Text:
    """``0004_…  2026-12-01T22:00:00Z  fetch  2 changes  warning  watches: fees``."""
    line = Text()
    if with_source:
        line.append(e.source + "  ", style="bold")
    line.append(e.version + "  ")
    line.append(e.time + "  ", style="dim")
    line.append(e.origin.ljust(8), style=_ORIGIN_STYLE.get(e.origin, ""))
    if e.origin == Origin.UPGRADE:
        how = "the stored page read again" if e.how == "reread" else "read from a fetch"
        line.append(f"  settings changed: {', '.join(e.settings) or 'reading'} ({how})")
    if e.changes:
        line.append(f"  {counted(e.changes, 'change')}")
    if e.severity:
        line.append(f"  {e.severity}", style=_SEVERITY_STYLE.get(e.severity, ""))
    if e.watches:
        line.append(f"  watches: {', '.join(e.watches)}")
    if e.flags:
        line.append(f"  [{', '.join(e.flags)}]", style="red")
    return line


def print_history(source: Source, entries: Sequence[Entry], total: int, console: Console) -> None:
    shown = f"{len(entries)} of {counted(total, 'version')}" if len(entries) != total else None
    shown = shown or counted(total, "version")
    _say(console, f"{source.id}  《{source.name}》  {shown}, newest first", "bold")
    for e in entries:
        _say(console, Text("  ") + entry_line(e))


def print_last_changes(rows: Sequence[tuple[Source, Entry | None, int]], console: Console) -> None:
    """One line per source: its last change, or why there is none."""
    for source, last, total in rows:
        if last is not None:
            _say(console, entry_line(last, with_source=True))
        elif total:
            _say(
                console,
                Text(f"{source.id}  ", style="bold")
                + Text(f"no change in {counted(total, 'version')}", style="dim"),
            )
        else:
            _say(console, Text(f"{source.id}  ", style="bold") + Text("nothing recorded yet"))


def print_review(source: Source, found: Review, console: Console) -> None:
    """Two stored versions, as ``tracker check`` would report the later one now."""
    _say(console, f"{source.id}: {found.older.name} → {found.newer.name}", "bold")
    meta = found.newer.meta
    adjacent = meta.get("previous") == found.older.name  # its last sighting is the older's
    first = meta.get("first_seen") or meta.get("fetched_at")
    _say(console, seen_line(first, meta.get("previous_last_seen") if adjacent else None), "dim")
    for note in found.notes:
        _say(console, f"! {note}", "yellow")
    if not found.decision.changes:
        _say(console, "no difference a reader could see between these versions")
        return
    print_changes(reviewed(source, found), console)


def reviewed(source: Source, found: Review) -> Outcome:
    """What a check would report of the later version, as a message carries it."""
    d = found.decision
    return Outcome(
        id=source.id,
        name=source.name,
        url=source.shown_url,
        status=Status.CHANGED,
        severity=d.severity,
        changes=d.changes,
        fired=d.fired,
        version=found.newer.name,
        large_removal=d.large_removal,
        replaced=d.replaced,
    )


def print_alerted(source: Source, version: Version, message: Message, console: Console) -> None:
    """What was alerted for a version: its stored message, as the check printed it."""
    previous = version.meta.get("previous") or "the version before"
    when = f"alerted {message.created}" if message.created else "alerted"
    _say(console, f"{source.id}: {previous} → {version.name} ({when})", "bold")
    about = message.outcome
    first = about.first_seen or version.meta.get("first_seen") or version.meta.get("fetched_at")
    last = about.last_seen or version.meta.get("previous_last_seen")
    _say(console, seen_line(first, last), "dim")
    for note in message.outcome.notes:
        _say(console, f"! {note}", "yellow")
    print_changes(message.outcome, console)


def print_outline(clauses: Sequence[Clause], console: Console) -> None:
    """Each clause a watch can name: its id, heading path and first words."""
    rows = outline(clauses)
    width = max((len(cid) for cid, _, _ in rows), default=0)
    for cid, path, words in rows:
        line = Text(cid.ljust(width) + "  ", style="bold")
        if path:
            line.append(path + "  ", style="dim")
        line.append(words)
        _say(console, line)
    total = counted(len(rows), "clause")
    _say(console, f"{total} and headings ({counted(numbered(clauses), 'numbered clause')})", "dim")


def outline(clauses: Sequence[Clause]) -> list[tuple[str, str, str]]:
    """(id, heading path above it, first words) per numbered clause; the preamble once.

    An unnumbered paragraph inside a clause belongs to it (a watch on the clause
    covers it), so it gets no row of its own.
    """
    rows: list[tuple[str, str, str]] = []
    preamble = False
    for c in clauses:
        if c.id is None:
            if not c.key and not preamble:
                preamble = True
                rows.append(("(preamble)", "", _first_words(c.lines[0], "")))
            continue
        if rows and rows[-1][0] == c.id:  # a paragraph of the clause above
            continue
        rows.append((c.id, " › ".join(c.path[:-1]), _first_words(c.lines[0], c.label)))
    return rows


def _first_words(line: str, label: str) -> str:
    words = plain(line).strip()
    if label and words.startswith(label):
        words = words[len(label) :].lstrip(".．、 ") or words
    return words if len(words) <= _FIRST_WORDS else words[: _FIRST_WORDS - 1] + "…"


def print_text(text: str, console: Console) -> None:
    """A stored text as a reader sees it: headings bold, emphasis as emphasis, no marks."""
    for line in text.removesuffix("\n").split("\n"):
        found = text_pieces(line)
        heading = any(p.heading for p in found)
        _say(console, shown(found, "bold" if heading else ""))
