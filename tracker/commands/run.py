"""Running: ``check``, ``daemon``, ``outbox``, ``status`` and ``notify --test``."""

from __future__ import annotations

import asyncio

from rich.text import Text

from .. import config, logs
from ..errors import describe_os_error
from ..model import Delivered
from ..notify.deliver import Delivery, deliver
from ..notify.queue import open_outbox
from ..pipeline import translations
from ..report import progress, terminal
from ..report.console import as_json, print_human, print_trials
from ..report.outbox import print_deliveries
from ..run import processes
from ..stamps import utcnow
from . import EXIT_OK, EXIT_UNDELIVERED, Wiring, exit_status


def _refresh_report(cfg: config.Config) -> str | None:
    """Rebuild the report site if one is kept (its modules are loaded only then)."""
    if cfg.settings.report_dir is None:
        return None
    from ..report.site.build import refresh

    return refresh(cfg)


def check(w: Wiring) -> int:
    args, everything = w.args, w.config  # the report shows every source, whichever were checked
    cfg = everything.only(args.source)
    if args.shard is not None:
        cfg = args.shard.of(cfg)
    if args.dry_run:
        from ..pipeline.dry_run import try_all

        trials = asyncio.run(try_all(cfg))
        if args.json:
            payload = {"dry_run": True, "sources": [t.to_json() for t in trials]}
            terminal.emit_json(payload)
        else:
            print_trials(trials, terminal.console())
        return exit_status([t.result for t in trials])
    console = terminal.console()
    live = progress.wanted(cfg.sources, console, args.json)  # lines printed as sources end
    if live:
        with progress.Progress(cfg.sources, console) as shown:
            results = asyncio.run(processes.check(cfg, w.listeners(cfg), shown.checked))
    else:
        results = asyncio.run(processes.check(cfg, w.listeners(cfg)))
    drifts = translations.tell(everything, w.listeners(everything), utcnow())
    deliveries, pending = send_waiting(cfg)
    if problem := _refresh_report(everything):  # after the changes and failures: status current
        terminal.warn(f"{problem}")
    if args.json:
        payload = as_json(results, [d.to_json() for d in deliveries])
        payload["drift"] = [m.outcome.drift.to_json() for m in drifts if m.outcome.drift]
        terminal.emit_json(payload)
    else:
        print_human(results, console, lines=not live)
        for m in drifts:
            console.print(
                Text(f"! {m.outcome.id}: {m.outcome.drift}", style="yellow"), soft_wrap=True
            )
        print_deliveries(deliveries, pending, console)
    return max(exit_status(results), EXIT_UNDELIVERED if pending else EXIT_OK)


def send_waiting(cfg: config.Config) -> tuple[list[Delivery], int]:
    """Send what the outbox holds; what happened, and how many messages still wait or failed."""
    if not cfg.channels:
        return [], 0
    outbox = open_outbox(cfg.settings)
    try:
        deliveries = asyncio.run(deliver(outbox, cfg.channels, [s.id for s in cfg.sources]))
        # Held is on time, not owing.  What another deliverer is sending now, and what
        # another shard's sources said and this run did not try, are theirs to report.
        others = {s.id for s in cfg.every_source} - {s.id for s in cfg.sources}
        tried = {d.message for d in deliveries if d.status is not Delivered.SENT}
        mine = [e for e in outbox.pending() if e.message.outcome.id not in others or e.id in tried]
        waiting = sum(entry.waiting for entry in outbox.unclaimed(mine))
    except OSError as exc:  # an unusable state folder costs delivery, never the report
        terminal.warn(f"outbox: {describe_os_error(exc)}")
        return [], 1
    return deliveries, waiting


def daemon(w: Wiring) -> int:
    from ..run.daemon import Daemon  # APScheduler only when needed

    logs.for_daemon(w.args.log_format, w.args.verbose)
    return asyncio.run(Daemon(w.config, w.path, w.reload, w.listeners).run())
