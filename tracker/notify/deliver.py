"""Delivering what the outbox holds: each message to each channel that wants it, once.

A transient failure (connection, timeout, 429, 5xx) leaves the message queued
for as long as it takes, and the rest of that channel's messages wait for the
next run; only a permanent failure of that one message (it cannot be built, or
the service rejects it) marks it ``failed``, with its reason, until ``tracker
outbox --retry``.  A run killed between sending and marking may send once more,
under the same message id; it never loses a message.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..message import Message
from ..model import Delivered
from ..retry import RetryPolicy
from ..stamps import isoformat, utcnow
from . import digest
from .channel import Channel, DeliveryError, Progress
from .courier import Courier
from .entry import DONE, Entry, Handover, Queue, in_order

log = logging.getLogger("tracker.notify.outbox")


@dataclass(frozen=True)
class Delivery:
    """What happened to one message on one channel in this run."""

    message: str
    source: str
    event: str
    channel: str
    status: Delivered  # sent | pending (transient failure, or not tried) | failed (permanent)
    error: str | None = None
    attempts: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "message": self.message,
            "source": self.source,
            "event": self.event,
            "channel": self.channel,
            "status": str(self.status),
            "error": self.error,
            "attempts": self.attempts,
        }


async def deliver(
    outbox: Queue,
    channels: Sequence[Channel],
    source_ids: Iterable[str] = (),
    wait: bool = True,
) -> list[Delivery]:
    """Send everything queued; what happened, in queue order, then channel order.

    Without ``wait``, a delivery under way elsewhere is left to finish alone.
    """
    by_name = {c.name: c for c in channels}
    out: list[Delivery] = []
    settings = outbox.settings
    policy = RetryPolicy(settings.retries, settings.backoff, settings.max_retry_after)
    with outbox.lock(wait) as held:
        if not held:
            if wait:
                log.warning("outbox is locked by another tracker process; delivery skipped")
            return out
        outbox.sweep()
        entries, _ = outbox.survey(source_ids, rebuild=False)
        now = utcnow()
        if due := digest.gather(outbox, entries, channels, now):  # digests that came due
            entries = in_order([*entries, *due])
        down: dict[str, str] = {}  # channels that failed transiently this run, and why
        async with Courier(settings.timeout) as courier:
            for entry in entries:
                with outbox.claim(entry) as claimed:
                    if claimed is None:  # another deliverer has it, or finished it
                        continue
                    run = _Run(outbox, policy, courier, by_name, down)
                    out.extend(await run.entry(claimed))
        digest.gather(outbox, entries, channels, now)  # mark what the digests sent gathered
    return out


class _Run:
    """One delivery run's view of one entry: the channels, which are down, the client."""

    def __init__(
        self,
        outbox: Queue,
        policy: RetryPolicy,
        courier: Courier,
        by_name: Mapping[str, Channel],
        down: dict[str, str],
    ) -> None:
        self.outbox, self.policy, self.courier = outbox, policy, courier
        self.by_name, self.down = by_name, down

    async def entry(self, entry: Entry) -> list[Delivery]:
        out = []
        message = entry.message
        about = message.outcome
        if about.version and not message.report:  # where a message cut short can point
            link = self.outbox.settings.report_link(about.id, about.version)
            message = dataclasses.replace(message, report=link)
        states = entry.deliveries
        order = [n for n in self.by_name if n in states]
        order += sorted(n for n in states if n not in self.by_name)

        def delivery(name: str, status: Delivered, error: str | None, tries: int = 0) -> Delivery:
            return Delivery(entry.id, about.id, str(message.event), name, status, error, tries)

        for name in order:  # configuration order: reports never depend on timing
            handover = states[name]
            channel = self.by_name.get(name)
            if handover.status is Delivered.HELD and not (channel and channel.digest):
                handover.status = Delivered.PENDING  # its digest was turned off: send it now
            if handover.status in (*DONE, Delivered.FAILED, Delivered.HELD):
                continue  # failed waits for --retry, held for its digest
            if channel is None:  # renamed or removed: waits, said, until dropped
                handover.status = Delivered.FAILED
                handover.error = (
                    f"channel {name!r} is no longer configured: name a channel {name!r} again "
                    f"and tracker outbox --retry {entry.id}, or tracker outbox --drop {entry.id}"
                )
                out.append(delivery(name, Delivered.FAILED, handover.error))
            elif name in self.down:
                out.append(delivery(name, Delivered.PENDING, self.down[name]))
                continue
            elif why := channel.unready():  # its messages wait until it can send
                self.down[name] = f"{channel.label}: {why}"
                handover.error = self.down[name]
                out.append(delivery(name, Delivered.PENDING, handover.error))
            else:
                progress = Progress(handover.parts, self._keeper(entry, handover))
                status, error, tries = await self._send(channel, message, progress)
                handover.attempts += tries
                handover.status, handover.error = status, error
                if status is Delivered.SENT:
                    handover.sent_at = isoformat(utcnow())
                elif status is Delivered.PENDING:
                    self.down[name] = error or "unavailable"
                out.append(delivery(name, status, error, tries))
            self.outbox.save(entry)  # at once: a sent channel is never sent again
        self.outbox.file_if_done(entry)
        return out

    def _keeper(self, entry: Entry, handover: Handover) -> Callable[[int], None]:
        """What marks one part of a channel sent: in the entry, saved at once."""

        def keep(part: int) -> None:
            handover.parts.append(part)
            self.outbox.save(entry)

        return keep

    async def _send(
        self, channel: Channel, message: Message, progress: Progress
    ) -> tuple[Delivered, str | None, int]:
        """Send with the retry policy; (sent | pending | failed, error, attempts)."""
        tries = 0

        async def once() -> None:
            nonlocal tries
            tries += 1
            await channel.deliver(message, self.courier, progress)

        try:
            await self.policy.run(once)
        except DeliveryError as exc:
            return (Delivered.PENDING if exc.transient else Delivered.FAILED), exc.reason, tries
        except Exception as exc:  # building or sending this message failed: it alone
            log.warning("%s cannot send message %s", channel.label, message.id)
            return Delivered.FAILED, f"{channel.label}: {_describe(exc)}", tries
        return Delivered.SENT, None, tries


def _describe(exc: Exception) -> str:
    """Why a message could not be built or sent, without what a secret could leak into."""
    if isinstance(exc, (ValueError, TypeError)) and not isinstance(exc, UnicodeError):
        first = (str(exc).strip().splitlines() or [""])[0]
        return f"this message cannot be sent: {type(exc).__name__}: {first}"
    return f"this message cannot be sent: {type(exc).__name__}"
