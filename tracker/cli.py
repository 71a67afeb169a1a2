"""The ``tracker`` command line: argument parsing, and nothing else.

The commands are in :mod:`tracker.commands`, with the exit statuses they return.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence

from . import __version__, config, logs
from .commands import EXIT_FAILED, EXIT_USAGE, look, onboard, run
from .errors import ConfigError, describe_os_error


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
    check.add_argument(
        "--dry-run",
        action="store_true",
        help="fetch, read and compare, print what would be reported, and record nothing",
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
    history = commands.add_parser(
        "history",
        parents=[common],
        help="a source's versions, newest first (no SOURCE: every source's last change)",
    )
    history.add_argument("source", metavar="SOURCE", nargs="?", help="the source's id")
    history.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    history.add_argument("--limit", "-n", type=int, metavar="N", help="at most N lines")
    history.add_argument("--since", metavar="DATE", help="only versions since DATE (UTC)")
    diff = commands.add_parser(
        "diff",
        parents=[common],
        help="what changed in a version (default: the latest change), or between two",
        description="VERSION is a name, an unambiguous prefix (0003), latest or previous.",
    )
    diff.add_argument("source", metavar="SOURCE", help="the source's id")
    diff.add_argument("versions", metavar="VERSION", nargs="*", help="VERSION, or FROM TO")
    diff.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    diff.add_argument("--html", metavar="FILE", help="write a standalone redline page to FILE")
    show = commands.add_parser(
        "show", parents=[common], help="the text of a version (default: the latest)"
    )
    show.add_argument("source", metavar="SOURCE", help="the source's id")
    show.add_argument("version", metavar="VERSION", nargs="?", help="name, prefix, latest…")
    show.add_argument(
        "--clauses", action="store_true", help="print the clause outline a watch can name"
    )
    report = commands.add_parser(
        "report",
        parents=[common],
        help="write the static report: index, a page per source and change, Atom feeds",
    )
    report.add_argument("--out", "-o", metavar="DIR", help="the folder (default: report_dir)")
    reextract = commands.add_parser(
        "reextract",
        parents=[common],
        help="read the stored page again with the current settings, recorded as an upgrade",
    )
    reextract.add_argument("source", metavar="SOURCE", nargs="?", help="the source's id")
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
            return run.check(cfg, args)
        if args.command == "notify":
            return run.notify_test(cfg)
        if args.command == "outbox":
            return run.outbox(cfg, args)
        if args.command == "status":
            return run.status(cfg, args)
        if args.command == "accept":
            return onboard.accept_page(cfg, args.source)
        if args.command in ("history", "diff", "show", "report"):
            return look.run(args.command, cfg, args)
        if args.command == "reextract":
            return onboard.reextract(cfg, args.source)
        if args.command == "inspect":
            return onboard.inspect(cfg, args.url)
        if args.command == "daemon":
            from .run.daemon import Daemon  # APScheduler only when needed

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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
