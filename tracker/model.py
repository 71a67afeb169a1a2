"""The words every stage shares, as enums: severities, statuses, change kinds, origins, events.

This module imports nothing of tracker's, so any stage can use it without
importing another sideways (before it, the severities lived in ``config``
and pulled ``notify`` and ``watch`` into a cycle).  They are ``StrEnum``: each
member is its string, as stored in JSON and shown to users.
"""

from __future__ import annotations

from enum import StrEnum


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {s: i for i, s in enumerate(Severity)}
SEVERITIES = tuple(s.value for s in Severity)  # for messages: ('info', 'warning', 'critical')


def rank(severity: str) -> int:
    """The order of a severity (given as its string): info < warning < critical."""
    return Severity(severity).rank


class Status(StrEnum):
    """What checking one source came to."""

    BASELINE = "baseline"  # its first version was recorded
    UNCHANGED = "unchanged"
    CHANGED = "changed"
    ERROR = "error"


class ChangeKind(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    MODIFIED = "modified"
    MOVED = "moved"  # renumbered or reordered, words unchanged


class Origin(StrEnum):
    """How a version came to be recorded (``origin`` in its ``meta.json``)."""

    BASELINE = "baseline"  # seeded from a file shipped or configured
    FETCH = "fetch"  # read from the page
    UPGRADE = "upgrade"  # the page read again after the source's settings changed: no alert
    ACCEPTED = "accepted"  # a refused page, recorded because the user said so


class Event(StrEnum):
    """What the pipeline tells its listeners, and what a message is about."""

    CHANGE = "change"
    FAILING = "failing"
    RECOVERED = "recovered"
    TEST = "test"
