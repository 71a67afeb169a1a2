"""What the pipeline tells whoever listens.

A check announces what happened to a source: a change recorded, the source
failing, the source recovered, each as a :class:`~tracker.message.Message`.  It
knows nothing of channels: the composition root attaches the listeners.  The
outbox is one (it queues the message for delivery); a report writer or a feed
could be others.  Listeners are called while the source's lock is held, right
after the version or the state they speak of is written.
"""

from __future__ import annotations

from typing import Protocol

from ..message import Message


class Listener(Protocol):
    def heard(self, message: Message) -> None:
        """Take note of an event (``message.event``, a :class:`tracker.model.Event`)."""
