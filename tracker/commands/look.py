"""Looking back: ``history``, ``diff`` and ``show`` read the recorded versions, never write;
``report`` writes them out as a static site.

Bad input (an unknown source or version, an ambiguous prefix, versions in the
wrong order, a source with nothing recorded) is one line on stderr and exit 2.
"""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .. import config
from ..compare.segment import segment
from ..errors import Failed, Refused, describe_os_error
from ..message import Message, Outcome
from ..model import Origin
from ..pipeline.review import Review, review
from ..report import terminal
from ..report.history_view import (
    print_alerted,
    print_history,
    print_last_changes,
    print_outline,
    print_review,
    print_text,
    reviewed,
)
from ..stamps import isoformat
from ..store.base import History
from ..store.history import entries, last_change, latest_change
from ..store.versions import Version
from ..text.counts import counted
from . import EXIT_OK, Wiring


class BadInput(Refused):
    """What the user asked for does not exist, or makes no sense: one line, exit 2."""


def reading(command: Callable[[Wiring], int]) -> Callable[[Wiring], int]:
    """A command that reads recorded versions: one that cannot be read is one line, exit 3."""

    @functools.wraps(command)
    def run(w: Wiring) -> int:
        try:
            return command(w)
        except (OSError, ValueError) as exc:
            raise Failed(f"a recorded version cannot be read: {exc}") from None

    return run


def versions_of(cfg: config.Config, source: config.Source) -> History:
    versions = cfg.settings.opened_store().versions(source.id)
    if not versions.names():
        raise BadInput(f"{source.id}: no versions recorded yet (run tracker check first)")
    return versions


def find(versions: History, source: config.Source, ref: str) -> Version:
    try:
        return versions.find(ref)
    except LookupError as exc:
        raise BadInput(f"{source.id}: {exc}") from None


@reading
def history(w: Wiring) -> int:
    cfg, args = w.config, w.args
    since = _since(args.since)
    if args.limit is not None and args.limit < 1:
        raise BadInput(f"--limit: {args.limit} is not a number of versions (1 or more)")
    if args.source is None:
        return _last_changes(cfg, args, since)
    source = cfg.source(args.source)
    versions = versions_of(cfg, source)
    rows = [e for e in entries(source.id, versions) if since is None or e.time >= since]
    total = len(rows)
    rows = rows[: args.limit] if args.limit else rows
    if args.json:
        _json({"source": source.id, "versions": [e.to_json() for e in rows]})
    else:
        print_history(source, rows, total, terminal.console())
    return EXIT_OK


def _last_changes(cfg: config.Config, args: argparse.Namespace, since: str | None) -> int:
    rows = []
    for source in cfg.sources:
        versions = cfg.settings.opened_store().versions(source.id)
        last = last_change(source.id, versions)
        if last is not None and since is not None and last.time < since:
            last = None
        rows.append((source, last, len(versions.names())))
    rows = rows[: args.limit] if args.limit else rows
    if args.json:
        payload = [
            {"source": s.id, "versions": n, "last_change": e.to_json() if e else None}
            for s, e, n in rows
        ]
        _json({"sources": payload})
    else:
        print_last_changes(rows, terminal.console())
    return EXIT_OK


def _since(value: str | None) -> str | None:
    """``--since`` as the UTC time entries are compared with (``2026-11-01``, an ISO time)."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise BadInput(f"--since: {value!r} is not a date (YYYY-MM-DD, or an ISO time)") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return isoformat(moment.astimezone(UTC))


@dataclass(frozen=True)
class Shown:
    """What ``tracker diff`` shows: two versions, and either what was alerted or a review."""

    older: Version | None
    newer: Version
    message: Message | None  # the stored message, for ``diff VERSION`` of a recorded change
    review: Review | None  # two versions decided as a check would, otherwise

    def outcome(self, source: config.Source) -> Outcome:
        if self.message is not None:
            return self.message.outcome
        assert self.review is not None
        return reviewed(source, self.review)

    def notes(self) -> list[str]:
        if self.message is not None:
            return list(self.message.outcome.notes)
        return list(self.review.notes) if self.review else []


def shown(cfg: config.Config, source: config.Source, refs: list[str]) -> Shown:
    """``diff SOURCE [VERSION | FROM TO]``: what was alerted for VERSION (default: the
    latest change), or FROM and TO decided as a check decides."""
    versions = versions_of(cfg, source)
    if len(refs) > 2:
        raise BadInput(f"diff takes at most two versions (FROM TO), not {len(refs)}")
    if len(refs) == 2:
        older, newer = find(versions, source, refs[0]), find(versions, source, refs[1])
        if older.name == newer.name:
            raise BadInput(f"{source.id}: FROM and TO are the same version ({older.name})")
        names = versions.names()
        if names.index(older.name) > names.index(newer.name):
            raise BadInput(
                f"{source.id}: FROM {older.name} was recorded after TO {newer.name} "
                "(give the older version first)"
            )
        return Shown(older, newer, None, review(versions, older, newer, source, cfg))
    newer = find(versions, source, refs[0]) if refs else _latest_change(versions, source)
    before = versions.before(newer.name)
    if (message := newer.message) is not None:
        return Shown(before, newer, message, None)
    if before is None:
        raise BadInput(
            f"{source.id}: {newer.name} is the first version: nothing before it to compare"
        )
    found = review(versions, before, newer, source, cfg)
    origin = newer.meta.get("origin", Origin.FETCH)
    found.notes.insert(0, f"{newer.name} ({origin}) was recorded without an alert")
    return Shown(before, newer, None, found)


def _latest_change(versions: History, source: config.Source) -> Version:
    version = latest_change(versions)
    if version is None:
        raise BadInput(f"{source.id}: no change recorded yet (tracker history {source.id})")
    return version


@reading
def diff(w: Wiring) -> int:
    cfg, args = w.config, w.args
    source = cfg.source(args.source)
    found = shown(cfg, source, args.versions)
    outcome = found.outcome(source)
    older = found.older.name if found.older else None
    if args.html:
        from ..report.site.pages import redline_page  # the report's change page, standalone

        heading = f"{source.name}: {older or 'nothing'} → {found.newer.name}"
        page = redline_page(source, heading, outcome, found.notes())
        try:
            Path(args.html).write_text(page, "utf-8")
        except OSError as exc:
            raise BadInput(f"--html: {describe_os_error(exc)}") from None
        said = f"wrote {Path(args.html).resolve()}: {counted(len(outcome.changes), 'change')}"
        print(said, file=sys.stderr if args.json else sys.stdout)  # JSON keeps stdout alone
    if args.json:
        data = outcome.to_json()
        payload = {
            "source": source.id,
            "from": older,
            "to": found.newer.name,
            "alerted": found.message is not None,
            "severity": data["severity"],
            "changes": data["changes"],
            "alerts": data["alerts"],
            "notes": found.notes(),
        }
        _json(payload)
    elif not args.html:
        console = terminal.console()
        if found.message is not None:
            print_alerted(source, found.newer, found.message, console)
        else:
            assert found.review is not None
            print_review(source, found.review, console)
    return EXIT_OK


@reading
def show(w: Wiring) -> int:
    cfg, args = w.config, w.args
    source = cfg.source(args.source)
    version = find(versions_of(cfg, source), source, args.version or "latest")
    if args.clauses:
        print_outline(segment(version.text, source.ignore), terminal.console())
    elif args.markdown or not sys.stdout.isatty():  # a file, a script: the stored Markdown
        terminal.out(version.text.removesuffix("\n"))
    else:
        print_text(version.text, terminal.console())
    return EXIT_OK


def _json(payload: object) -> None:
    terminal.emit_json(payload)


def report(w: Wiring) -> int:
    from ..report.site.build import ReportError, ReportFailed, build  # only when asked

    cfg, args = w.config, w.args
    out = Path(args.out) if args.out else cfg.settings.report_dir
    if out is None:
        raise BadInput(f"report: give --out DIR, or set report_dir in [tracker] of {cfg.path}")
    try:
        built = build(cfg, out)
    except ReportError as exc:
        raise BadInput(f"report: {exc.reason}") from None
    except ReportFailed as exc:
        raise Failed(f"report: {exc.reason}") from None
    pages, changes = counted(built.sources, "source"), counted(built.changes, "change")
    terminal.out(f"report: {pages}, {changes}; open {built.path / 'index.html'}")
    return EXIT_OK
