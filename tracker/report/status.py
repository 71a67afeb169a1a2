"""``tracker status``: each source's last check, next run and waiting messages, in a table."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rich.console import Console
from rich.text import Text

from ..model import Following, Status
from ..store.daemon import DaemonStatus
from ..store.state import State


@dataclass(frozen=True)
class SourceStatus:
    """One source's row."""

    id: str
    last_check: str | None
    last_status: Status | None
    last_error: str | None
    last_change: str | None
    failures: int
    next_run: str | None  # when the daemon checks it next, if one runs
    pending: int  # messages about it that wait in the outbox
    following: tuple[Following, ...]

    @classmethod
    def of(
        cls,
        source_id: str,
        state: State,
        next_run: str | None,
        pending: Mapping[str, int],
        following: Sequence[Following],
    ) -> SourceStatus:
        return cls(
            source_id,
            state.last_check,
            state.last_status,
            state.last_error,
            state.last_change,
            state.failures,
            next_run,
            pending.get(source_id, 0),
            tuple(following),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "last_check": self.last_check,
            "last_status": self.last_status,
            "last_error": self.last_error,
            "last_change": self.last_change,
            "failures": self.failures,
            "next_run": self.next_run,
            "pending_alerts": self.pending,
            "following": [f.to_json() for f in self.following],
        }


def print_status(
    rows: Sequence[SourceStatus], daemon: DaemonStatus | None, console: Console
) -> None:
    if daemon:
        console.print(f"daemon: running (pid {daemon.pid}, since {daemon.started or 'unknown'})")
    else:
        console.print("daemon: not running")
    headers = ("source", "last check", "status", "last change", "failures", "next run", "alerts")
    table = [headers] + [
        (
            r.id,
            r.last_check or "never",
            r.last_status or "-",
            r.last_change or "-",
            str(r.failures),
            r.next_run or "-",
            str(r.pending),
        )
        for r in rows
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(headers))]
    for line in table:
        cells = (cell.ljust(w) for cell, w in zip(line, widths, strict=True))
        console.print("  ".join(cells).rstrip())
    for r in rows:
        if r.last_status is Status.ERROR and r.last_error:
            console.print(Text(f"{r.id}: {r.last_error}", style="red"), soft_wrap=True)
        for note in r.following:
            console.print(Text(f"! {r.id}: {note}", style="yellow"), soft_wrap=True)
