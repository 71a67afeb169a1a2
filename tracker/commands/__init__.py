"""The commands behind ``tracker``: each takes the configuration and its arguments, and
returns the exit status.  ``cli.py`` only parses the command line.

Exit status (where several hold, the highest wins):

* 0 every source checked, nothing changed (a first baseline counts as nothing changed)
* 1 at least one source changed
* 2 usage or configuration error
* 3 at least one source could not be checked
* 4 an alert could not be delivered and waits for the next run

``tracker accept`` exits 0 when it recorded the refused page, 2 when there was nothing
to accept or the live page is another one, 3 when the page could not be read.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..pipeline.result import Result

EXIT_OK, EXIT_CHANGED, EXIT_USAGE, EXIT_FAILED, EXIT_UNDELIVERED = 0, 1, 2, 3, 4


def exit_status(results: Sequence[Result]) -> int:
    status = EXIT_OK
    for r in results:
        if r.status == "changed":
            status = max(status, EXIT_CHANGED)
        elif r.status == "error":
            status = max(status, EXIT_FAILED)
    return status
