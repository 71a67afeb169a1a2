"""The commands that look at the outbox and the sources' state: outbox, status, notify-test."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from rich.text import Text

from .. import config
from ..compare.severity import followings
from ..notify import Channel, DeliveryError, digest
from ..notify.courier import Courier
from ..notify.deliver import Delivery
from ..notify.queue import open_outbox
from ..notify.sample import sample_message
from ..report import terminal
from ..report.outbox import print_deliveries, print_outbox, print_unready
from ..report.status import SourceStatus, print_status
from ..stamps import isoformat, utcnow
from ..store.daemon import read_status
from . import EXIT_OK, EXIT_UNDELIVERED, EXIT_USAGE, Wiring
from .run import send_waiting


def outbox(w: Wiring) -> int:
    cfg, args = w.config, w.args
    outbox = open_outbox(cfg.settings)
    deliveries: list[Delivery] = []
    if args.deliver:
        deliveries = send_waiting(cfg)[0]
    elif args.retry or args.drop:
        done = outbox.retry(args.retry) if args.retry else outbox.drop(args.drop)
        if not done:
            terminal.warn(f"no queued message {args.retry or args.drop!r}")
            return EXIT_USAGE
    entries, requeued = outbox.survey([s.id for s in cfg.sources])  # never "all sent" wrongly
    damaged = outbox.damaged()
    if args.json:
        payload = {
            "pending": [e.to_json() for e in entries],
            "damaged": damaged,
            "requeued": requeued,
            "deliveries": [d.to_json() for d in deliveries],
            "channels": channels_json(cfg.channels),
        }
        terminal.emit_json(payload)
    else:
        console = terminal.console()
        if deliveries:
            print_deliveries(deliveries, sum(e.waiting for e in entries), console)
        print_unready(cfg.channels, console)
        print_outbox(entries, damaged, requeued, console, cfg.channels)
    owing = any(e.waiting for e in outbox.unclaimed(entries))
    return EXIT_UNDELIVERED if owing else EXIT_OK


def status(w: Wiring) -> int:
    cfg, args = w.config, w.args
    daemon = read_status(cfg.settings.state_dir)
    pending: dict[str, int] = {}
    for entry in open_outbox(cfg.settings).pending():
        if not entry.waiting:  # held for a digest: on time
            continue
        sid = entry.message.outcome.id
        pending[sid] = pending.get(sid, 0) + 1
    next_runs = daemon.next_runs if daemon else {}
    rows = []
    for source in cfg.sources:
        state = cfg.settings.opened_store().source(source.id).read_state()
        following = followings(source.id, cfg.watches, state.follows)
        next_run = next_runs.get(source.id)
        rows.append(SourceStatus.of(source.id, state, next_run, pending, following))
    if args.json:
        shown = daemon.to_json() if daemon else None
        payload = {
            "daemon": shown,
            "sources": [row.to_json() for row in rows],
            "channels": channels_json(cfg.channels),
        }
        terminal.emit_json(payload)
    else:
        console = terminal.console()
        print_status(rows, daemon, console)
        print_unready(cfg.channels, console)
    return EXIT_OK


def channels_json(channels: Sequence[Channel]) -> list[dict[str, object]]:
    """Each channel, why it cannot send now (null when it can), and when its next digest goes."""
    now = utcnow()
    return [
        {
            "name": c.name,
            "kind": c.kind,
            "problem": c.unready(),
            "next_digest": isoformat(digest.next_due(c, now)) if c.digest else None,
        }
        for c in channels
    ]


def notify_test(w: Wiring) -> int:
    cfg = w.config
    if not cfg.channels:
        terminal.warn("no [[notify]] channels configured; alerts go to the console")
        return EXIT_USAGE
    results = asyncio.run(_send_sample(cfg))
    console = terminal.console()
    for channel, error in results:
        if error is None:
            console.print(Text(f"✓ {channel.label}: sent", style="green"))
        else:
            console.print(Text(f"✗ {error}", style="red"))  # it names the channel
    return EXIT_UNDELIVERED if any(error for _, error in results) else EXIT_OK


async def _send_sample(cfg: config.Config) -> list[tuple[Channel, str | None]]:
    msg = sample_message()
    out: list[tuple[Channel, str | None]] = []
    async with Courier(cfg.settings.timeout) as courier:
        for channel in cfg.channels:
            if why := channel.unready():
                out.append((channel, f"{channel.label}: {why}"))
                continue
            try:
                await channel.send(msg, courier)
            except DeliveryError as exc:
                out.append((channel, exc.reason))
            else:
                out.append((channel, None))
    return out
