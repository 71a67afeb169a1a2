"""A source's state between checks: validators, failure streaks, where watched clauses went.

Written by :class:`~tracker.store.source.SourceStore` to ``state.json`` (see
:mod:`tracker.store.layout`); losing it costs one full fetch, never a change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..model import Status


@dataclass
class State:
    """Bookkeeping between runs.  Losing it costs one full fetch, never a change."""

    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    fingerprint: str | None = None  # the extraction settings body_hash was processed with
    last_check: str | None = None
    last_seen: str | None = None  # the last check that read the page: the text was current then
    last_status: Status | None = None
    last_error: str | None = None
    failures: int = 0  # consecutive checks that ended in an error
    last_change: str | None = None
    shrink_hash: str | None = None  # a much shorter text seen on consecutive checks...
    shrink_count: int = 0  # ...and how many times in a row
    form_hash: str | None = None  # hash of the latest version's comparison form, if known
    version: str | None = None  # the newest version, once its message (if any) is heard
    failing_since: str | None = None  # when the current run of failures began
    failure_alerted: bool = False  # whether that run of failures has been alerted
    # Where renumbering took each watch's clauses: watch -> {as configured: now, "" if removed}
    follows: dict[str, dict[str, str]] = field(default_factory=dict)
    refused: str | None = None  # comparison key of the page the last check refused (accept)
    needs_render: bool = False  # render = "auto" found the text only in the rendered page
    drift_said: str | None = None  # the last translation drift said of it (its message id)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> State:
        """The state as saved; a value of the wrong type (a hand edit) is its default."""
        defaults = cls()
        known: dict[str, Any] = {}
        for key, value in data.items():
            if key not in cls.__dataclass_fields__:
                continue
            default = getattr(defaults, key)
            wanted = str if default is None else type(default)
            if (value is None and default is None) or type(value) is wanted:
                known[key] = value
        if known.get("last_status") not in (None, *Status):
            del known["last_status"]
        elif known.get("last_status") is not None:
            known["last_status"] = Status(known["last_status"])
        return cls(**known)

    def checked_at(self, when: str | None, touched: bool) -> None:
        """Note the last check, at ``when``; ``touched``: it only touched the saved state.

        Such a check found nothing new: the text was current then (its ``last_seen``,
        the evidence of when the next one was published), and a baseline or change
        written before it is now unchanged.
        """
        self.last_check = when
        if not touched:
            return
        if self.last_status in _SIGHTED and when is not None:
            self.last_seen = when
        if self.last_status in _UNCHANGED_AFTER:
            self.last_status = Status.UNCHANGED


_UNCHANGED_AFTER = (Status.BASELINE, Status.CHANGED, Status.ACCEPTED)
_SIGHTED = (*_UNCHANGED_AFTER, Status.UNCHANGED)  # a touch only ever follows these
