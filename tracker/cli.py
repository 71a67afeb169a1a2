"""The ``tracker`` command line.

Exit status (where several hold, the highest wins):

* 0 every source checked, nothing changed (a first baseline counts as nothing changed)
* 1 at least one source changed
* 2 usage or configuration error
* 3 at least one source could not be checked
* 4 an alert could not be delivered and waits for the next run

``tracker accept`` exits 0 when it recorded the refused page, 2 when there was nothing
to accept or the live page is another one, 3 when the page could not be read.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Sequence
from dataclasses import replace

from rich.console import Console
from rich.text import Text

from . import __version__, config, logs, shards
from .accept import NotAccepted, accept
from .errors import ConfigError, SourceError, describe_os_error
from .notify import Channel, DeliveryError
from .notify.courier import Courier
from .outbox import Delivery, Outbox
from .report import (
    as_json,
    print_deliveries,
    print_human,
    print_inspection,
    print_outbox,
    print_status,
    sample_message,
)
from .result import Result
from .store import SourceStore
from .watch import followings

EXIT_OK, EXIT_CHANGED, EXIT_USAGE, EXIT_FAILED, EXIT_UNDELIVERED = 0, 1, 2, 3, 4


def exit_status(results: Sequence[Result]) -> int:
    status = EXIT_OK
    for r in results:
        if r.status == "changed":
            status = max(status, EXIT_CHANGED)
        elif r.status == "error":
            status = max(status, EXIT_FAILED)
    return status


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config",
        "-c",
        metavar="FILE",
        help="TOML configuration (default: ./tracker.toml, else the built-in default)",
    )
    common.add_argument("--verbose", "-v", action="store_true", help="log details to stderr")
    parser = argparse.ArgumentParser(
        prog="tracker",
        description="Watch legal agreements and say exactly which clause changed.",
        epilog="Exit status: 0 nothing changed, 1 changed, 2 usage or configuration error, "
        "3 a source could not be checked, 4 an alert waits for delivery.",
    )
    parser.add_argument("--version", action="version", version=f"tracker {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    check = commands.add_parser(
        "check", parents=[common], help="check every source once (for cron)"
    )
    check.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    check.add_argument(
        "--source", "-s", action="append", metavar="ID", help="check only this source (repeatable)"
    )
    notify = commands.add_parser(
        "notify", parents=[common], help="send a sample alert to every configured channel"
    )
    notify.add_argument("--test", action="store_true", required=True, help="send the sample")
    outbox = commands.add_parser(
        "outbox", parents=[common], help="list alerts waiting for delivery"
    )
    outbox.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    act = outbox.add_mutually_exclusive_group()
    act.add_argument("--deliver", action="store_true", help="try to deliver them now")
    act.add_argument("--retry", metavar="ID", help="make a failed message pending again")
    act.add_argument("--drop", metavar="ID", help="give up on a message's undelivered channels")
    daemon = commands.add_parser(
        "daemon", parents=[common], help="check each source on its schedule, until stopped"
    )
    daemon.add_argument(
        "--log-format", choices=("text", "json"), default="text", help="log line format"
    )
    accept = commands.add_parser(
        "accept",
        parents=[common],
        help="record the page the last check refused (not the agreement?) as the new version",
    )
    accept.add_argument("source", metavar="SOURCE", help="the source's id")
    inspect = commands.add_parser(
        "inspect",
        parents=[common],
        help="what a page holds (static and rendered), and a [[source]] block for it",
    )
    inspect.add_argument("url", metavar="URL")
    status = commands.add_parser(
        "status", parents=[common], help="show each source's last check, next run and alerts"
    )
    status.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logs.to_stderr(logging.DEBUG if args.verbose else logging.WARNING)
    try:
        cfg = config.load(args.config)
        if args.command == "check":
            return _check(cfg, args)
        if args.command == "notify":
            return _notify_test(cfg)
        if args.command == "outbox":
            return _outbox(cfg, args)
        if args.command == "status":
            return _status(cfg, args)
        if args.command == "accept":
            return _accept(cfg, args.source)
        if args.command == "inspect":
            return _inspect(cfg, args.url)
        if args.command == "daemon":
            from .daemon import Daemon  # APScheduler only when needed

            logs.for_daemon(args.log_format, args.verbose)
            path = config.resolve(args.config)
            return asyncio.run(Daemon(cfg, path).run())
    except ConfigError as exc:
        print(f"tracker: configuration error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("tracker: interrupted", file=sys.stderr)
        return 130
    except OSError as exc:  # the state folder as a whole, say: one line, never a traceback
        print(f"tracker: {describe_os_error(exc)}", file=sys.stderr)
        return EXIT_FAILED
    raise AssertionError(f"unhandled command {args.command!r}")


def _check(cfg: config.Config, args: argparse.Namespace) -> int:
    if args.source:
        known = {s.id for s in cfg.sources}
        for sid in args.source:
            if sid not in known:
                raise ConfigError(cfg.path, "source", f"no source with id {sid!r} (from --source)")
        cfg = replace(cfg, sources=tuple(s for s in cfg.sources if s.id in args.source))
    results = asyncio.run(shards.check(cfg))
    deliveries, pending = _deliver(cfg)
    if args.json:
        sys.stdout.write(as_json(results, [d.to_json() for d in deliveries]) + "\n")
    else:
        console = Console(highlight=False)
        print_human(results, console)
        print_deliveries(deliveries, pending, console)
    return max(exit_status(results), EXIT_UNDELIVERED if pending else EXIT_OK)


def _deliver(cfg: config.Config) -> tuple[list[Delivery], int]:
    """Send what the outbox holds; what happened, and how many messages still wait or failed."""
    if not cfg.channels:
        return [], 0
    outbox = Outbox(cfg.settings.state_dir, cfg.settings)
    try:
        deliveries = asyncio.run(outbox.deliver(cfg.channels, [s.id for s in cfg.sources]))
        waiting = len(outbox.pending())
    except OSError as exc:  # an unusable state folder costs delivery, never the report
        print(f"tracker: outbox: {describe_os_error(exc)}", file=sys.stderr)
        return [], 1
    return deliveries, waiting


def _outbox(cfg: config.Config, args: argparse.Namespace) -> int:
    outbox = Outbox(cfg.settings.state_dir, cfg.settings)
    deliveries: list[Delivery] = []
    if args.deliver:
        deliveries = _deliver(cfg)[0]
    elif args.retry or args.drop:
        done = outbox.retry(args.retry) if args.retry else outbox.drop(args.drop)
        if not done:
            print(f"tracker: no queued message {args.retry or args.drop!r}", file=sys.stderr)
            return EXIT_USAGE
    requeued = outbox.reconcile([s.id for s in cfg.sources], cfg.channels)  # never say "all sent"
    entries, damaged = outbox.pending(), outbox.damaged()
    if args.json:
        payload = {
            "pending": entries,
            "damaged": damaged,
            "requeued": requeued,
            "deliveries": [d.to_json() for d in deliveries],
        }
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    else:
        console = Console(highlight=False)
        if deliveries:
            print_deliveries(deliveries, len(entries), console)
        print_outbox(entries, damaged, requeued, console)
    return EXIT_UNDELIVERED if entries else EXIT_OK


def _status(cfg: config.Config, args: argparse.Namespace) -> int:
    from .daemon_status import read_status

    daemon = read_status(cfg.settings.state_dir)
    pending: dict[str, int] = {}
    for entry in Outbox(cfg.settings.state_dir, cfg.settings).pending():
        sid = entry["source"]["id"]
        pending[sid] = pending.get(sid, 0) + 1
    rows = []
    for source in cfg.sources:
        state = SourceStore(cfg.settings.state_dir, source.id).read_state()
        rows.append(
            {
                "id": source.id,
                "last_check": state.last_check,
                "last_status": state.last_status,
                "last_error": state.last_error,
                "last_change": state.last_change,
                "failures": state.failures,
                "next_run": (daemon or {}).get("next_runs", {}).get(source.id),
                "pending_alerts": pending.get(source.id, 0),
                "following": [
                    f.to_json() for f in followings(source.id, cfg.watches, state.follows)
                ],
            }
        )
    if args.json:
        payload = {"daemon": daemon, "sources": rows}
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    else:
        print_status(rows, daemon, Console(highlight=False))
    return EXIT_OK


def _inspect(cfg: config.Config, url: str) -> int:
    if problem := config.url_problem(url):
        raise ConfigError("command line", "URL", f"{url!r} {problem}")
    from .inspect import inspect

    try:
        found = asyncio.run(inspect(url, cfg.settings))
    except SourceError as exc:
        print(f"tracker: {url}: {exc.reason}", file=sys.stderr)
        return EXIT_FAILED
    print_inspection(found, Console(highlight=False))
    return EXIT_OK


def _accept(cfg: config.Config, sid: str) -> int:
    source = next((s for s in cfg.sources if s.id == sid), None)
    if source is None:
        raise ConfigError(cfg.path, "source", f"no source with id {sid!r}")
    try:
        done = accept(cfg, source)
    except NotAccepted as exc:
        print(f"tracker: {exc.reason}", file=sys.stderr)
        return EXIT_USAGE
    except SourceError as exc:
        print(f"tracker: {sid}: {exc.reason}; nothing recorded", file=sys.stderr)
        return EXIT_FAILED
    print(
        f"{sid}: recorded {done.version} from {done.url} ({done.clauses} numbered clauses, "
        f"{done.characters} characters), accepted without an alert"
    )
    return EXIT_OK


def _notify_test(cfg: config.Config) -> int:
    if not cfg.channels:
        print(
            "tracker: no [[notify]] channels configured; alerts go to the console", file=sys.stderr
        )
        return EXIT_USAGE
    results = asyncio.run(_send_sample(cfg))
    console = Console(highlight=False)
    for channel, error in results:
        if error is None:
            console.print(Text(f"✓ {channel.kind} {channel.name}: sent", style="green"))
        else:
            console.print(Text(f"✗ {channel.kind} {channel.name}: {error}", style="red"))
    return EXIT_UNDELIVERED if any(error for _, error in results) else EXIT_OK


async def _send_sample(cfg: config.Config) -> list[tuple[Channel, str | None]]:
    msg = sample_message()
    out: list[tuple[Channel, str | None]] = []
    async with Courier(cfg.settings.timeout) as courier:
        for channel in cfg.channels:
            try:
                await channel.send(msg, courier)
            except DeliveryError as exc:
                out.append((channel, exc.reason))
            else:
                out.append((channel, None))
    return out


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
