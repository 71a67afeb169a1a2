"""The running daemon's status file (``daemon.json``): who runs, since when, what comes next.

Written by the daemon (:mod:`tracker.run.status_file`), read by ``tracker status``.
A file left by a daemon that died, or damaged, or with missing keys, is read as
well as it can be, never as a crash.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import layout


@dataclass(frozen=True)
class DaemonStatus:
    pid: int
    started: str | None = None
    config: str | None = None
    updated: str | None = None
    next_runs: dict[str, str] = field(default_factory=dict)  # source id -> next check (UTC)

    def to_json(self) -> dict[str, Any]:
        return {
            "pid": self.pid,
            "started": self.started,
            "config": self.config,
            "updated": self.updated,
            "next_runs": dict(self.next_runs),
        }

    @classmethod
    def from_json(cls, data: Any) -> DaemonStatus | None:
        if not isinstance(data, dict):
            return None
        pid = data.get("pid")
        if isinstance(pid, bool) or not isinstance(pid, int) or pid <= 0:
            return None

        def text(key: str) -> str | None:
            value = data.get(key)
            return value if isinstance(value, str) else None

        runs = data.get("next_runs")
        next_runs = (
            {k: v for k, v in runs.items() if isinstance(k, str) and isinstance(v, str)}
            if isinstance(runs, dict)
            else {}
        )
        return cls(pid, text("started"), text("config"), text("updated"), next_runs)


def read_status(state_dir: Path) -> DaemonStatus | None:
    """The running daemon's status, or None if no daemon is running on ``state_dir``."""
    try:
        status = DaemonStatus.from_json(
            json.loads(layout.daemon_status(state_dir).read_text("utf-8"))
        )
        if status is None:
            return None
        os.kill(status.pid, 0)
    except (OSError, ValueError):
        return None
    return status
