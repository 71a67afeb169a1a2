"""The outbox's vocabulary: a queued message, its handover to each channel, and the queue.

Two queues answer :class:`Queue`: files under the state folder
(:class:`tracker.notify.queue.Outbox`) and tables beside a PostgreSQL store
(:class:`tracker.notify.sql_queue.SqlOutbox`).  Delivery
(:mod:`tracker.notify.deliver`) and digests see only this interface.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..config import Settings
from ..message import Message
from ..model import Delivered
from .channel import Channel

DONE = (Delivered.SENT, Delivered.DROPPED)  # a channel with nothing left to do


@dataclass
class Handover:
    """One message on one channel: where it stands."""

    status: Delivered = Delivered.PENDING
    attempts: int = 0
    error: str | None = None
    sent_at: str | None = None
    parts: list[int] = field(default_factory=list)  # a channel of several services: those sent

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "status": str(self.status),
            "attempts": self.attempts,
            "error": self.error,
            "sent_at": self.sent_at,
        }
        if self.parts:
            data["parts"] = sorted(self.parts)
        return data

    @classmethod
    def from_json(cls, data: Any) -> Handover:
        """As stored; ValueError for anything that is not one (a hand edit, a torn write)."""
        if not isinstance(data, dict):
            raise ValueError("not an object")
        attempts, error, sent = data.get("attempts", 0), data.get("error"), data.get("sent_at")
        if isinstance(attempts, bool) or not isinstance(attempts, int) or attempts < 0:
            raise ValueError("attempts is not a count")
        if not isinstance(error, str | None) or not isinstance(sent, str | None):
            raise ValueError("error and sent_at are text")
        parts = data.get("parts", [])
        if not isinstance(parts, list) or not all(is_index(n) for n in parts):
            raise ValueError("parts is not a list of indexes")
        return cls(Delivered(str(data.get("status"))), attempts, error, sent, list(parts))


@dataclass
class Entry:
    """A queued message and its delivery on each channel that wants it."""

    message: Message
    deliveries: dict[str, Handover] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.message.id

    @property
    def done(self) -> bool:
        return all(h.status in DONE for h in self.deliveries.values())

    @property
    def waiting(self) -> bool:
        """Whether a channel still owes it (held for a digest is not owing: it is on time)."""
        return any(
            h.status in (Delivered.PENDING, Delivered.FAILED) for h in self.deliveries.values()
        )

    def to_json(self) -> dict[str, Any]:
        return {**self.message.to_json(), "deliveries": self._deliveries_json()}

    def _deliveries_json(self) -> dict[str, Any]:
        return {name: h.to_json() for name, h in self.deliveries.items()}

    @classmethod
    def from_json(cls, data: Any) -> Entry:
        if not isinstance(data, dict):
            raise ValueError("not an object")
        deliveries = data.get("deliveries", {})
        if not isinstance(deliveries, dict):
            raise ValueError("deliveries is not an object")
        message = Message.from_json({k: v for k, v in data.items() if k != "deliveries"})
        return cls(message, {str(n): Handover.from_json(h) for n, h in deliveries.items()})


def in_order(entries: Iterable[Entry]) -> list[Entry]:
    """Entries in queue order: oldest first, by creation time, then id."""
    return sorted(entries, key=lambda e: (e.message.created, e.id))


def first(channel: Channel, message: Message) -> Handover:
    """Where a new message starts on a channel: held for its digest, or to be sent."""
    return Handover(Delivered.HELD if channel.held(message) else Delivered.PENDING)


def is_index(n: object) -> bool:
    return isinstance(n, int) and not isinstance(n, bool) and n >= 0


def retried(handover: Handover) -> None:
    """``tracker outbox --retry``: a channel that failed for good is tried again."""
    if handover.status is Delivered.FAILED:
        handover.status = Delivered.PENDING


def dropped(handover: Handover) -> None:
    """``tracker outbox --drop``: what a channel still owes is given up."""
    if handover.status not in DONE:
        handover.status = Delivered.DROPPED


class Queue(Protocol):
    """Messages waiting for channels, and what each channel has had of them."""

    @property
    def settings(self) -> Settings: ...

    def known(self, message_id: str) -> bool:
        """Whether this message was queued already, or delivered."""

    def enqueue(self, message: Message, channels: Sequence[Channel]) -> bool:
        """Queue ``message`` for the channels that want it; False if already known."""

    def queue(self, entry: Entry) -> None:
        """Queue an entry made by delivery itself (a digest)."""

    def sent(self, message_id: str) -> Entry | None:
        """A message with nothing left to do on any channel, or None."""

    def pending(self) -> list[Entry]:
        """What some channel still owes or holds, in queue order."""

    def damaged(self) -> list[str]:
        """Entries set aside because they could not be read."""

    def survey(
        self, source_ids: Iterable[str], rebuild: bool = True
    ) -> tuple[list[Entry], list[str]]:
        """What waits, and the ids queued again from the versions."""

    def retry(self, message_id: str) -> bool: ...

    def drop(self, message_id: str) -> bool: ...

    def lock(self, wait: bool = True) -> AbstractContextManager[bool]:
        """Hold what a delivery run needs held; yields False if another run keeps it."""

    def claim(self, entry: Entry) -> AbstractContextManager[Entry | None]:
        """``entry`` as it stands now, for this deliverer alone; None if another has it
        or it was finished meanwhile."""

    def unclaimed(self, entries: list[Entry]) -> list[Entry]:
        """``entries`` but those another deliverer is sending now (theirs to report)."""

    def save(self, entry: Entry) -> None:
        """Keep an entry's delivery state at once (a sent channel is never sent again)."""

    def file_if_done(self, entry: Entry) -> None: ...

    def sweep(self) -> None: ...
