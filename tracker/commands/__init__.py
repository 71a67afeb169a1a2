"""The commands behind ``tracker``: each takes what the composition root wired (the
configuration, its arguments, the listeners) and returns the exit status.  ``cli.py``
parses the command line and dispatches.

Exit status (where several hold, the highest wins):

* 0 every source checked, nothing changed (a first baseline counts as nothing changed)
* 1 at least one source changed
* 2 usage or configuration error (an unknown source, a bad argument, a refused request)
* 3 at least one source could not be checked, or the command could not do its work
* 4 an alert could not be delivered and waits for the next run

``tracker accept`` exits 0 when it recorded the refused page, 2 when there was nothing
to accept or the live page is another one, 3 when the page could not be read.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..config import Config
from ..model import Status
from ..pipeline.events import Listener
from ..pipeline.result import Result

EXIT_OK, EXIT_CHANGED, EXIT_USAGE, EXIT_FAILED, EXIT_UNDELIVERED = 0, 1, 2, 3, 4


@dataclass(frozen=True)
class Wiring:
    """What the composition root hands every command."""

    config: Config
    args: argparse.Namespace
    reload: Callable[[], Config]  # the configuration read again (the daemon reloads it)
    path: Path | None  # the file it came from; None for the built-in default
    listeners: Callable[[Config], Sequence[Listener]]  # who hears what a check found


def exit_status(results: Sequence[Result]) -> int:
    status = EXIT_OK
    for r in results:
        if r.status == Status.CHANGED:
            status = max(status, EXIT_CHANGED)
        elif r.status == Status.ERROR:
            status = max(status, EXIT_FAILED)
    return status
