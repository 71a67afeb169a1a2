"""The ``tracker`` command line, and the composition root.

Here, and only here, the parts meet: the source kinds and the channels are
registered with the configuration loader, the outbox is attached to the
pipeline as its listener, and each sub-command is dispatched by argparse to
its function in :mod:`tracker.commands`, which returns the exit status.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import logging
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from pathlib import Path

from . import __version__, config, logs, notify, sources
from .commands import EXIT_FAILED, EXIT_OK, EXIT_USAGE, Wiring
from .errors import CommandError, ConfigError, Failed, describe_os_error
from .notify.queue import listeners_for
from .report import terminal
from .report.terminal import warn
from .run.shards import Shard


def registry() -> config.Registry:
    """Every kind a configuration may name: the source kinds and the channels."""
    return config.Registry(kinds=sources.kinds(), channels=notify.kinds())


def load_config(
    path: str | Path | None = None,
    cwd: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> config.Config:
    """The configuration at ``path`` (default: ./tracker.toml, else the built-in one)."""
    return config.load(registry(), path, cwd=cwd, environ=environ)


def _command(module: str, name: str) -> Callable[[Wiring], int]:
    """``tracker.commands.<module>.<name>``, imported when it runs: a check loads neither
    the history views nor the report site, and starts that much sooner."""

    def command(wiring: Wiring) -> int:
        found = getattr(importlib.import_module(f"{__package__}.commands.{module}"), name)
        return int(found(wiring))

    return command


def _shard(text: str) -> Shard:
    try:
        return Shard.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config",
        "-c",
        metavar="FILE",
        help="TOML configuration (default: ./tracker.toml, else the built-in default)",
    )
    common.add_argument("--verbose", "-v", action="store_true", help="log details to stderr")
    common.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour the output (auto: on a terminal, unless NO_COLOR is set or TERM=dumb); "
        "without colour, changes are marked [-old-]{+new+}",
    )
    common.add_argument(
        "--pretty", action="store_true", help="indent --json output even when piped"
    )
    common.add_argument(
        "--full", action="store_true", help="print long clauses whole, not cut to the changes"
    )
    parser = argparse.ArgumentParser(
        prog="tracker",
        description="Watch legal agreements and say exactly which clause changed.",
        epilog="Exit status: 0 nothing changed, 1 changed, 2 usage or configuration error, "
        "3 a source could not be checked, 4 an alert waits for delivery.",
    )
    parser.add_argument("--version", action="version", version=f"tracker {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help: str, **kw: object) -> argparse.ArgumentParser:
        return commands.add_parser(name, parents=[common], help=help, **kw)  # type: ignore[arg-type]

    check = command("check", "check every source once (for cron)")
    check.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    check.add_argument(
        "--source", "-s", action="append", metavar="ID", help="check only this source (repeatable)"
    )
    check.add_argument(
        "--shard",
        type=_shard,
        metavar="K/N",
        help="check only shard K of N (K from 0, as JOB_COMPLETION_INDEX counts)",
    )
    check.add_argument(
        "--dry-run",
        action="store_true",
        help="fetch, read and compare, print what would be reported, and record nothing",
    )
    check.set_defaults(run=_command("run", "check"))

    sample = command("notify", "send a sample alert to every configured channel")
    sample.add_argument("--test", action="store_true", required=True, help="send the sample")
    sample.set_defaults(run=_command("outbox", "notify_test"))

    outbox = command("outbox", "list alerts waiting for delivery")
    outbox.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    act = outbox.add_mutually_exclusive_group()
    act.add_argument("--deliver", action="store_true", help="try to deliver them now")
    act.add_argument("--retry", metavar="ID", help="make a failed message pending again")
    act.add_argument("--drop", metavar="ID", help="give up on a message's undelivered channels")
    outbox.set_defaults(run=_command("outbox", "outbox"))

    daemon = command("daemon", "check each source on its schedule, until stopped")
    daemon.add_argument(
        "--log-format", choices=("text", "json"), default="text", help="log line format"
    )
    daemon.set_defaults(run=_command("run", "daemon"))

    accept = command(
        "accept", "record the page the last check refused (not the agreement?) as the new version"
    )
    accept.add_argument("source", metavar="SOURCE", help="the source's id")
    accept.set_defaults(run=_command("onboard", "accept_page"))

    inspect = command("inspect", "what a page holds (static and rendered), and a [[source]] for it")
    inspect.add_argument("url", metavar="URL")
    inspect.set_defaults(run=_command("onboard", "inspect"))

    history = command(
        "history", "a source's versions, newest first (no SOURCE: every source's last change)"
    )
    history.add_argument("source", metavar="SOURCE", nargs="?", help="the source's id")
    history.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    history.add_argument("--limit", "-n", type=int, metavar="N", help="at most N lines")
    history.add_argument("--since", metavar="DATE", help="only versions since DATE (UTC)")
    history.set_defaults(run=_command("look", "history"))

    promises = command(
        "promises", "the notice each agreement promises, clause by clause (nothing fetched)"
    )
    promises.add_argument("source", metavar="SOURCE", nargs="?", help="the source's id")
    promises.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    promises.set_defaults(run=_command("meaning", "promised"))

    discover = command(
        "discover", "the agreements the tracked ones link by name that no source tracks yet"
    )
    discover.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    discover.set_defaults(run=_command("meaning", "discover"))

    diff = command(
        "diff",
        "what was alerted for a version (default: the latest change), or two versions compared",
        description="VERSION is a name, an unambiguous prefix (0003), latest or previous.",
    )
    diff.add_argument("source", metavar="SOURCE", help="the source's id")
    diff.add_argument("versions", metavar="VERSION", nargs="*", help="VERSION, or FROM TO")
    diff.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    diff.add_argument("--html", metavar="FILE", help="write a standalone redline page to FILE")
    diff.set_defaults(run=_command("look", "diff"))

    show = command("show", "the text of a version (default: the latest)")
    show.add_argument("source", metavar="SOURCE", help="the source's id")
    show.add_argument("version", metavar="VERSION", nargs="?", help="name, prefix, latest…")
    show.add_argument(
        "--clauses", action="store_true", help="print the clause outline a watch can name"
    )
    show.add_argument(
        "--markdown",
        action="store_true",
        help="print the stored Markdown, as when piped (on a terminal: as a reader sees it)",
    )
    show.set_defaults(run=_command("look", "show"))

    report = command(
        "report", "write the static report: index, a page per source and change, Atom feeds"
    )
    report.add_argument("--out", "-o", metavar="DIR", help="the folder (default: report_dir)")
    report.set_defaults(run=_command("look", "report"))

    reextract = command(
        "reextract", "read the stored page again with the current settings, as an upgrade"
    )
    reextract.add_argument("source", metavar="SOURCE", nargs="?", help="the source's id")
    reextract.set_defaults(run=_command("onboard", "reextract"))

    store = command(
        "store",
        "copy every version, state and waiting message into another store (and back)",
        description="TARGET is a postgresql:// URL or a state folder; a second copy adds nothing.",
    )
    store.add_argument("action", choices=("copy",), help="what to do (copy)")
    where = store.add_mutually_exclusive_group(required=True)
    where.add_argument("--to", metavar="TARGET", help="a postgresql:// URL or a folder")
    where.add_argument("--to-env", metavar="VAR", help="the environment variable holding the URL")
    store.set_defaults(run=_command("store", "copy"))

    status = command("status", "show each source's last check, next run and alerts")
    status.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    status.set_defaults(run=_command("outbox", "status"))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logs.to_stderr(logging.DEBUG if args.verbose else logging.WARNING)
    terminal.setup(terminal.Display(args.color, args.pretty, args.full))
    try:
        wiring = Wiring(
            config=load_config(args.config),
            args=args,
            reload=partial(load_config, args.config),
            path=config.resolve(args.config),
            listeners=listeners_for,
        )
        if wiring.config.settings.store is not None:
            wiring.config.settings.opened_store().ready()
        status: int = args.run(wiring)
        return status
    except ConfigError as exc:
        warn(f"configuration error: {exc}")
        return EXIT_USAGE
    except CommandError as exc:
        warn(exc.reason)
        return EXIT_FAILED if isinstance(exc, Failed) else EXIT_USAGE
    except KeyboardInterrupt:
        warn("interrupted")
        return 130
    except BrokenPipeError:  # the reader went away (``| head``): not an error of ours
        _quiet_stdout()
        return EXIT_OK
    except OSError as exc:  # the state folder as a whole, say: one line, never a traceback
        warn(describe_os_error(exc))
        return EXIT_FAILED


def _quiet_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's final flush finds no closed pipe."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    with contextlib.suppress(OSError):
        os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
