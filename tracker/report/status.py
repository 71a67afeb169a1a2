"""``tracker status``: each source's last check, next run and waiting messages, in a table."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..model import Following, Status
from ..stamps import parsed, utcnow
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


_COUNTS = ("fails", "alerts")


def _short(stamp: str | None, now: datetime) -> str | None:
    """A time in few columns: ``15:13`` today, ``12-03`` this year, else ``2025-12-03``."""
    if not stamp:
        return None
    if (moment := parsed(stamp)) is None:
        return stamp
    if moment.date() == now.date():
        return moment.strftime("%H:%M")
    return moment.strftime("%m-%d" if moment.year == now.year else "%Y-%m-%d")


def print_status(
    rows: Sequence[SourceStatus], daemon: DaemonStatus | None, console: Console
) -> None:
    if daemon:
        console.print(f"daemon: running (pid {daemon.pid}, since {daemon.started or 'unknown'})")
    else:
        console.print("daemon: not running")
    table = Table(box=None, pad_edge=False, header_style="bold", show_edge=False)
    table.add_column("source", overflow="fold", ratio=1)  # the one that gives way
    names = ["checked", "status", "changed", "fails", "next run", "alerts"]
    if not daemon:
        names.remove("next run")  # nothing schedules a next run
    for name in names:
        table.add_column(name, no_wrap=True, justify="right" if name in _COUNTS else "left")
    now = utcnow()
    for r in rows:
        cells = {
            "checked": _short(r.last_check, now) or "never",
            "status": str(r.last_status or "-"),
            "changed": _short(r.last_change, now) or "-",
            "fails": str(r.failures),
            "next run": _short(r.next_run, now) or "-",
            "alerts": str(r.pending),
        }
        table.add_row(r.id, *(cells[name] for name in names))
    console.print(table)
    console.print(Text("times in UTC: today's as 15:13, earlier ones as their date", style="dim"))
    for r in rows:
        if r.last_status is Status.ERROR and r.last_error:
            console.print(Text(f"{r.id}: {r.last_error}", style="red"), soft_wrap=True)
        for note in r.following:
            console.print(Text(f"! {r.id}: {note}", style="yellow"), soft_wrap=True)
