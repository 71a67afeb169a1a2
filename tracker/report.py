"""What a run tells the person or program that started it.

Human output: one line per source in configuration order, then the changes.
Colour only on a terminal (rich decides).  Page text is passed to rich as
plain :class:`~rich.text.Text`, never as markup, so ``[red]`` inside an
agreement prints as written.  ``--json`` prints one object on stdout.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.text import Text

from .check import Result

_MARKS = {
    "unchanged": ("✓", "green"),
    "baseline": ("+", "cyan"),
    "changed": ("●", "yellow bold"),
    "error": ("✗", "red bold"),
}


def as_json(results: Sequence[Result], deliveries: Sequence[dict[str, Any]] = ()) -> str:
    payload = {"sources": [r.to_json() for r in results], "deliveries": list(deliveries)}
    return json.dumps(payload, ensure_ascii=False, indent=2)


def print_human(results: Sequence[Result], console: Console) -> None:
    width = max((len(r.source.id) for r in results), default=0)
    for r in results:
        mark, style = _MARKS[r.status]
        line = Text()
        line.append(f"{mark} ", style=style)
        line.append(r.source.id.ljust(width))
        line.append(f"  {r.elapsed:5.2f}s  ", style="dim")
        line.append(_summary(r), style=style if r.status != "unchanged" else "")
        console.print(line, soft_wrap=True)
    for r in results:
        if r.changes:
            _print_changes(r, console)


def _summary(r: Result) -> str:
    if r.status == "error":
        return f"error: {r.error}"
    if r.status == "baseline":
        return f"baseline recorded ({r.version})"
    if r.status == "changed":
        n = len(r.changes)
        note = ", large removal" if r.large_removal else ""
        return f"changed: {n} change{'s' if n != 1 else ''}{note} ({r.version})"
    return "unchanged"


def _print_changes(r: Result, console: Console) -> None:
    console.print()
    console.print(Text(f"{r.source.name} — {r.source.url}", style="bold"))
    for change in r.changes:
        head = Text("  ")
        head.append(change.clause or "(unnumbered)", style="bold")
        head.append(f"  {change.kind}")
        console.print(head)
        if change.old is not None:
            console.print(
                Text("    - ", style="red") + Text(change.old, style="red"), soft_wrap=True
            )
        if change.new is not None:
            console.print(
                Text("    + ", style="green") + Text(change.new, style="green"), soft_wrap=True
            )
