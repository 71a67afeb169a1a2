"""``tracker outbox`` and the delivery lines after a check: what went out, what waits, why."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.text import Text

from ..model import Delivered
from ..notify import digest
from ..notify.channel import Channel
from ..notify.deliver import Delivery
from ..notify.entry import Entry
from ..notify.text import shown_time
from ..stamps import isoformat, utcnow
from ..text.counts import counted


def print_deliveries(deliveries: Sequence[Delivery], pending: int, console: Console) -> None:
    for d in deliveries:
        if d.status is Delivered.SENT:
            line = Text(f"→ {d.channel}: sent {d.message}", style="green")
        elif d.status is Delivered.FAILED:
            line = Text(f"✗ {d.channel}: failed {d.message}: {d.error}", style="red")
        else:
            line = Text(f"✗ {d.channel}: not sent {d.message}: {d.error}", style="red")
        console.print(line, soft_wrap=True)
    if pending:
        note = f"{counted(pending, 'alert', 'waits')} in the outbox (tracker outbox)"
        console.print(Text(note, style="yellow"), soft_wrap=True)


def print_unready(channels: Sequence[Channel], console: Console) -> None:
    """The channels that cannot send now, and why: their alerts wait until they can."""
    for channel in channels:
        if why := channel.unready():
            note = f"✗ {channel.label} cannot send: {why}; its alerts wait in the outbox"
            console.print(Text(note, style="red"), soft_wrap=True)


def print_outbox(
    entries: Sequence[Entry],
    damaged: Sequence[str],
    requeued: Sequence[str],
    console: Console,
    channels: Sequence[Channel] = (),
) -> None:
    now = utcnow()
    due = {c.name: digest.next_due(c, now) for c in channels if c.digest}
    for mid in requeued:
        note = f"queued again from its version folder: {mid} (the outbox had lost it)"
        console.print(Text(note, style="yellow"), soft_wrap=True)
    for name in damaged:
        note = f"damaged entry set aside: outbox/damaged/{name} (its alert is re-queued if known)"
        console.print(Text(note, style="red"), soft_wrap=True)
    if not entries and not damaged:
        console.print("outbox is empty: every alert has been delivered")
        return
    if not any(e.waiting for e in entries) and not damaged:
        held = counted(len(entries), "change", "is")
        console.print(f"nothing waits: {held} held for digests, on time")
    for entry in entries:
        m = entry.message
        head = f"{m.id}  {m.event}  {m.severity}  queued {m.created}"
        console.print(Text(head, style="bold"), soft_wrap=True)
        for name, handover in entry.deliveries.items():
            if handover.status is Delivered.HELD:
                when = f" at {shown_time(isoformat(due[name]))}" if name in due else ""
                console.print(f"    {name}: held for its digest{when}")
                continue
            detail = f"    {name}: {handover.status}, {counted(handover.attempts, 'attempt')}"
            if handover.error:
                detail += f", last error: {handover.error}"
            failed = handover.status is Delivered.FAILED
            if failed:
                detail += f" (tracker outbox --retry {m.id}, or --drop)"
            console.print(Text(detail, style="red" if failed else ""), soft_wrap=True)
