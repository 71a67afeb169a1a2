"""What a run tells the person or program that started it.

Human output: one line per source in configuration order, then the changes,
each with its clause, heading path, severity, watches, facts and an inline
diff: coloured on a terminal, ``[-old-]{+new+}`` otherwise.  Page text is
passed to rich as plain :class:`~rich.text.Text`, never as markup, so
``[red]`` inside an agreement prints as written.  ``--json`` prints one object.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.text import Text

from ..config import Source
from ..message import Outcome
from ..model import Change, ChangeKind, Status
from ..notify.text import body_pieces, excerpt, heading_parts, meaning_lines, reference_lines
from ..pipeline.result import Result
from ..text.counts import counted
from ..text.shown import MARKS, Piece, by_op, text_pieces
from .terminal import coloured, display

if TYPE_CHECKING:
    from ..pipeline.dry_run import Trial

_MARKS = {
    Status.UNCHANGED: ("✓", "green"),
    Status.BASELINE: ("+", "cyan"),
    Status.CHANGED: ("●", "yellow bold"),
    Status.ERROR: ("✗", "red bold"),
    Status.ACCEPTED: ("+", "yellow"),
}
_SEVERITY_STYLE = {"info": "cyan", "warning": "yellow", "critical": "red bold"}


def as_json(results: Sequence[Result], deliveries: Sequence[dict[str, Any]] = ()) -> dict[str, Any]:
    """What ``check --json`` prints: each source's result, then each delivery."""
    return {"sources": [r.to_json() for r in results], "deliveries": list(deliveries)}


def print_human(results: Sequence[Result], console: Console, lines: bool = True) -> None:
    """What a check found: a line per source (unless a progress display printed them
    already: ``lines``), the notices, then each source's changes."""
    width = id_width(r.source for r in results)
    if lines:
        for r in results:
            console.print(source_line(r, width), soft_wrap=True)
    for r in results:
        _notices(r, [*map(str, r.following), *r.notes], console)
    for r in results:
        if r.changes:
            print_changes(r.outcome(), console)


def print_trials(trials: Sequence[Trial], console: Console) -> None:
    """What ``check --dry-run`` found: what a check would report, and the text it read."""
    width = max((len(t.result.source.id) for t in trials), default=0)
    for t in trials:
        r = t.result
        line = _marked(r, width) + Text("  ") + _styled(r, _would(r))
        if t.compared_with and r.status is not Status.ERROR:
            line.append(f" (compared with {t.compared_with})", style="dim")
        console.print(line, soft_wrap=True)
    for t in trials:
        _notices(t.result, t.result.notes, console)
    for t in trials:
        if t.result.status is Status.ERROR:
            continue
        head = f"{t.result.source.id}: {counted(t.clauses, 'numbered clause')}, "
        head += f"{t.characters:,} characters"
        console.print()
        console.print(Text(head + "; the text begins:", style="bold"), soft_wrap=True)
        for text_line in t.lines:
            console.print(Text("  │ ") + shown(text_pieces(text_line)), soft_wrap=True)
        if t.result.changes:
            print_changes(t.result.outcome(), console)
    console.print(Text("\ndry run: nothing recorded, nothing sent", style="dim"))


def id_width(sources: Iterable[Source]) -> int:
    """The widest source id: the column the lines line up on."""
    return max((len(s.id) for s in sources), default=0)


def source_line(r: Result, width: int) -> Text:
    """``● meeting-api-agreement   0.38s  changed: 2 changes, critical (0002_…)``."""
    return _marked(r, width) + Text(f"  {r.elapsed:5.2f}s  ", style="dim") + _styled(r, _summary(r))


def _marked(r: Result, width: int) -> Text:
    """``● source-id``: the status mark, then the id padded to ``width``."""
    mark, style = _MARKS[r.status]
    return Text(f"{mark} ", style=style) + Text(r.source.id.ljust(width))


def _styled(r: Result, summary: str) -> Text:
    return Text(summary, style=_MARKS[r.status][1] if r.status is not Status.UNCHANGED else "")


def _notices(r: Result, notices: Sequence[str], console: Console) -> None:
    for notice in notices:
        console.print(Text(f"! {r.source.id}: {notice}", style="yellow"), soft_wrap=True)


def _would(r: Result) -> str:
    if r.status is Status.CHANGED:
        n = len(r.changes)
        return f"would report: {counted(n, 'change')}, {r.severity}"
    if r.status is Status.BASELINE:
        return "would record the first version"
    return _summary(r)


def _summary(r: Result) -> str:
    if r.status is Status.ERROR:
        return f"error: {r.error}"
    if r.status is Status.BASELINE:
        return f"baseline recorded ({r.version})"
    if r.status is Status.CHANGED:
        n = len(r.changes)
        note = ", large removal" if r.large_removal else ""
        if r.replaced:
            note += f", replaced: {r.replaced[0]} → {r.replaced[1]}"
        return f"changed: {counted(n, 'change')}, {r.severity}{note} ({r.version})"
    return "unchanged"


def print_changes(about: Outcome, console: Console) -> None:
    """A source's changes, clause by clause, after the watches that fired."""
    colour, full = coloured(console), display().full
    console.print()
    console.print(Text(f"{about.name} — {about.url}", style="bold"), soft_wrap=True)
    for said in meaning_lines(about):
        console.print(Text(f"  {said}", style="yellow"), soft_wrap=True)
    for fired in about.fired:
        style = _SEVERITY_STYLE[fired.severity]
        head = Text(f"  watch {fired.watch} ({fired.severity}): ", style=style)
        console.print(head + Text(", ".join(fired.clauses)), soft_wrap=True)
    for change in about.changes:
        console.print(_headline(change), soft_wrap=True)
        for line in _body(change, colour, full):
            console.print(Text("    ") + line, soft_wrap=True)


_ROLE_STYLE = {"clause": "bold", "what": "", "words": "italic", "path": "dim"}


def _headline(c: Change) -> Text:
    """The same parts as every other rendering (notify.text.heading_parts), in colour."""
    head = Text("  ")
    for role, text in heading_parts(c):
        style = _SEVERITY_STYLE[c.severity] if role == "severity" else _ROLE_STYLE[role]
        head.append(("" if role == "clause" else "  · " if role != "what" else "  ") + text, style)
    return head


def _body(c: Change, colour: bool, full: bool) -> list[Text]:
    if c.kind is ChangeKind.MOVED:
        return [] if c.through else [Text("wording unchanged", style="dim")]
    if c.kind is ChangeKind.ADDED:
        lines = [Text("+ ", style="green") + shown(line, "green") for line in body_pieces(c)]
    elif c.kind is ChangeKind.REMOVED:
        lines = [Text("- ", style="red") + shown(line, "red") for line in body_pieces(c)]
    else:
        lines = [inline(excerpt(c, full), colour)]
        lines += [Text(line, style="bold") for line in reference_lines(c)]
    if c.facts:
        lines.append(Text("facts: " + "; ".join(map(str, c.facts)), style="bold"))
    return lines


_OP_STYLE = {"equal": "", "delete": "red strike", "insert": "green bold"}


def inline(found: Sequence[Piece], colour: bool) -> Text:
    """One clause with its changes marked: colours on a terminal, ``[-…-]{+…+}`` otherwise."""
    out = Text()
    for op, run in by_op(found):
        opening, closing = ("", "") if colour else MARKS[op]
        out.append(opening)
        out.append_text(shown(run, _OP_STYLE[op]))
        out.append(closing)
    return out


def shown(found: Sequence[Piece], base: str = "") -> Text:
    """Pieces with their emphasis as the terminal shows it: bold, italic, underline."""
    out = Text()
    for p in found:
        style = " ".join(filter(None, [base, "bold" * p.style.bold, "italic" * p.style.italic]))
        if p.style.underline or p.style.href is not None:
            style += " underline"
        out.append(p.text, style=style.strip())
    return out
