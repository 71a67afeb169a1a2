"""What the pipeline tells whoever listens, and the message it tells it with.

A check announces what happened to a source: a change recorded, the source
failing, the source recovered.  It knows nothing of channels: listeners do.
The outbox is one listener (it queues the message for delivery); a report
writer or a feed could be others.  Listeners are called while the source's
lock is held, right after the version or the state they speak of is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from ..stamps import isoformat, utcnow


class Listener(Protocol):
    def heard(self, message: Mapping[str, Any]) -> None:
        """Take note of an event (``message["event"]``, a :class:`tracker.model.Event`)."""


def message(
    message_id: str, event: str, severity: str, source: Mapping[str, Any]
) -> dict[str, Any]:
    """An event as listeners hear it and channels send it: the source object of ``--json``."""
    return {
        "id": message_id,
        "event": event,
        "severity": severity,
        "created": isoformat(utcnow()),
        "source": dict(source),
    }
