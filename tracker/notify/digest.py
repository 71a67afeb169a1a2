"""Digests: a channel's changes below its ``immediate_severity``, sent together daily or weekly.

A change the channel holds (:meth:`Channel.held`) is queued ``held`` on it.  Once
a digest time has passed (``digest_at``, UTC, every day or every Monday), the
next delivery run gathers every message held on that channel and created before
it into one digest message, and queues that like any other message: its id names
the channel and the time it came due, so a run killed at any point composes the
same digest again, never a second one.  When the digest is sent, each message it
gathered is marked sent on that channel; one queued after the digest was made
waits for the next.  ``tracker check`` from cron sends a digest that came due,
as the daemon does.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from ..message import Message, Outcome
from ..model import Delivered, Event, Status, highest
from ..stamps import isoformat
from .channel import Channel
from .entry import Entry, Handover, Queue, in_order

PREFIX = "digest__"


def due_at(channel: Channel, now: datetime) -> datetime:
    """The last moment, at or before ``now``, a digest of ``channel`` came due."""
    hour, minute = map(int, channel.digest_at.split(":"))
    moment = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if moment > now:
        moment -= timedelta(days=1)
    if channel.digest == "weekly":
        moment -= timedelta(days=moment.weekday())  # back to Monday
    return moment


def next_due(channel: Channel, now: datetime) -> datetime:
    """When the next digest of ``channel`` comes due."""
    step = timedelta(days=7 if channel.digest == "weekly" else 1)
    return due_at(channel, now) + step


def digest_id(channel: Channel, due: datetime) -> str:
    return f"{PREFIX}{channel.name}__{due.strftime('%Y%m%dT%H%MZ')}"


def gather(
    outbox: Queue, entries: Sequence[Entry], channels: Sequence[Channel], now: datetime
) -> list[Entry]:
    """Queue each digest that came due, and mark what a sent digest gathered (lock held);
    the digests queued now."""
    queued = []
    for channel in channels:
        if channel.digest is None:
            continue
        due = due_at(channel, now)
        held = [e for e in entries if _held(e, channel) and e.message.created < isoformat(due)]
        if not held:
            continue
        mid = digest_id(channel, due)
        if not outbox.known(mid):
            queued.append(Entry(compose(channel, due, held), {channel.name: Handover()}))
            outbox.queue(queued[-1])
        settle(outbox, mid, channel.name, entries)
    return queued


def settle(outbox: Queue, digest: str, channel: str, entries: Sequence[Entry]) -> None:
    """Once digest ``digest`` is sent on ``channel``, the messages it gathered are too."""
    sent = outbox.sent(digest)
    if sent is None or sent.deliveries.get(channel, Handover()).status is not Delivered.SENT:
        return
    gathered = {item.id for item in sent.message.items}
    for entry in entries:
        handover = entry.deliveries.get(channel)
        if entry.id in gathered and handover and handover.status is Delivered.HELD:
            handover.status = Delivered.SENT
            handover.sent_at = sent.deliveries[channel].sent_at
            handover.error = None
            outbox.save(entry)


def compose(channel: Channel, due: datetime, held: Sequence[Entry]) -> Message:
    """The digest of ``held`` messages, as ``channel`` sends it when it came due at ``due``."""
    items = tuple(e.message for e in in_order(held))
    severity = highest([m.severity for m in items])
    period = "weekly" if channel.digest == "weekly" else "daily"
    about = Outcome(
        id="digest",
        name=f"tracker {period} digest",
        url="",
        status=Status.CHANGED,
        severity=severity,
        changes=tuple(c for m in items for c in m.outcome.changes),
    )
    return Message(
        digest_id(channel, due), Event.DIGEST, severity, isoformat(due), about, None, items
    )


def _held(entry: Entry, channel: Channel) -> bool:
    handover = entry.deliveries.get(channel.name)
    return handover is not None and handover.status is Delivered.HELD
