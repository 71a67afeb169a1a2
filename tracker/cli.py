"""The ``tracker`` command line.

Exit status (where several hold, the highest wins):

* 0 every source checked, nothing changed (a first baseline counts as nothing changed)
* 1 at least one source changed
* 2 usage or configuration error
* 3 at least one source could not be checked
* 4 an alert could not be delivered and waits for the next run
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence

from rich.console import Console

from . import __version__, config
from .check import Result, check_all
from .errors import ConfigError
from .report import as_json, print_human

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
        "--source",
        "-s",
        action="append",
        metavar="ID",
        help="check only this source (repeatable)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        cfg = config.load(args.config)
        if args.command == "check":
            return _check(cfg, args)
    except ConfigError as exc:
        print(f"tracker: configuration error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("tracker: interrupted", file=sys.stderr)
        return 130
    raise AssertionError(f"unhandled command {args.command!r}")


def _check(cfg: config.Config, args: argparse.Namespace) -> int:
    if args.source:
        known = {s.id for s in cfg.sources}
        for sid in args.source:
            if sid not in known:
                raise ConfigError(cfg.path, "source", f"no source with id {sid!r} (from --source)")
        cfg = config.Config(
            cfg.path,
            cfg.settings,
            tuple(s for s in cfg.sources if s.id in args.source),
            cfg.watches,
        )
    results = asyncio.run(check_all(cfg))
    if args.json:
        sys.stdout.write(as_json(results) + "\n")
    else:
        print_human(results, Console(highlight=False))
    return exit_status(results)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
