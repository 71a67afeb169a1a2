"""Onboarding: ``inspect`` a page before tracking it, ``accept`` a page a check refused,
``reextract`` the stored pages after the settings changed."""

from __future__ import annotations

import asyncio

from .. import config
from ..errors import ConfigError, SourceError
from ..pipeline import upgrade
from ..pipeline.accept import NotAccepted, accept
from ..report import terminal
from ..report.inspection import print_inspection
from . import EXIT_FAILED, EXIT_OK, EXIT_USAGE, Wiring


def inspect(w: Wiring) -> int:
    cfg, url = w.config, w.args.url
    if problem := config.url_problem(url):
        raise ConfigError("command line", "URL", f"{url!r} {problem}")
    from ..sources.probe import inspect

    try:
        found = asyncio.run(inspect(url, cfg.settings))
    except SourceError as exc:
        terminal.warn(f"{url}: {exc.reason}")
        return EXIT_FAILED
    print_inspection(found, terminal.console())
    return EXIT_OK


def accept_page(w: Wiring) -> int:
    cfg, sid = w.config, w.args.source
    source = cfg.source(sid)
    try:
        done = accept(cfg, source, w.listeners(cfg))
    except NotAccepted as exc:
        terminal.warn(f"{exc.reason}")
        return EXIT_USAGE
    except SourceError as exc:
        terminal.warn(f"{sid}: {exc.reason}; nothing recorded")
        return EXIT_FAILED
    terminal.out(
        f"{sid}: recorded {done.version} from {done.url} ({done.clauses} numbered clauses, "
        f"{done.characters} characters), accepted without an alert"
    )
    return EXIT_OK


def reextract(w: Wiring) -> int:
    cfg, sid = w.config, w.args.source
    status = EXIT_OK
    for source in cfg.only([sid] if sid else None).sources:
        try:
            done = upgrade.reextract(cfg, source)
        except SourceError as exc:
            terminal.warn(f"{source.id}: {exc.reason}; nothing recorded")
            status = EXIT_FAILED
            continue
        if done.version is None:
            same = f"the stored page of {done.read_from} reads the same; nothing to do"
            terminal.out(f"{source.id}: {same}")
        else:
            why = f"settings changed: {', '.join(done.settings)}" if done.settings else "re-read"
            terminal.out(
                f"{source.id}: recorded upgrade {done.version} from the page of {done.read_from} "
                f"({why}), without an alert"
            )
    return status
