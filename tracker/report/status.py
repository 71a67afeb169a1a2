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
from ..stamps import utcnow
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


def _short(stamp: str | None, this_year: int) -> str | None:
    """``2026-12-03T15:13:46Z`` as ``12-03 15:13`` (this year) or ``2025-12-03``: 80 columns."""
    if not stamp:
        return None
    try:
        moment = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        return stamp
    return moment.strftime("%m-%d %H:%M" if moment.year == this_year else "%Y-%m-%d")


def print_status(
    rows: Sequence[SourceStatus], daemon: DaemonStatus | None, console: Console
) -> None:
    if daemon:
        console.print(f"daemon: running (pid {daemon.pid}, since {daemon.started or 'unknown'})")
    else:
        console.print("daemon: not running")
    table = Table(box=None, pad_edge=False, header_style="bold", show_edge=False)
    table.add_column("source", overflow="fold", ratio=1)  # the one that gives way
    names = ["last check", "status", "last change", "fails", "next run", "alerts"]
    if not daemon:
        names.remove("next run")  # nothing schedules a next run
    for name in names:
        table.add_column(name, no_wrap=True, justify="right" if name in _COUNTS else "left")
    this_year = utcnow().year
    for r in rows:
        cells = {
            "last check": _short(r.last_check, this_year) or "never",
            "status": str(r.last_status or "-"),
            "last change": _short(r.last_change, this_year) or "-",
            "fails": str(r.failures),
            "next run": _short(r.next_run, this_year) or "-",
            "alerts": str(r.pending),
        }
        table.add_row(r.id, *(cells[name] for name in names))
    console.print(table)
    console.print(Text("times in UTC", style="dim"))
    for r in rows:
        if r.last_status is Status.ERROR and r.last_error:
            console.print(Text(f"{r.id}: {r.last_error}", style="red"), soft_wrap=True)
        for note in r.following:
            console.print(Text(f"! {r.id}: {note}", style="yellow"), soft_wrap=True)
