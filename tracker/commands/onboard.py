"""Onboarding: ``inspect`` a page before tracking it, ``accept`` a page a check refused,
``reextract`` the stored pages after the settings changed."""

from __future__ import annotations

import asyncio
import sys

from rich.console import Console

from .. import config
from ..errors import ConfigError, SourceError
from ..pipeline import upgrade
from ..pipeline.accept import NotAccepted, accept
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
        print(f"tracker: {url}: {exc.reason}", file=sys.stderr)
        return EXIT_FAILED
    print_inspection(found, Console(highlight=False))
    return EXIT_OK


def accept_page(w: Wiring) -> int:
    cfg, sid = w.config, w.args.source
    source = cfg.source(sid)
    try:
        done = accept(cfg, source, w.listeners(cfg))
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


def reextract(w: Wiring) -> int:
    cfg, sid = w.config, w.args.source
    status = EXIT_OK
    for source in cfg.only([sid] if sid else None).sources:
        try:
            done = upgrade.reextract(cfg, source)
        except SourceError as exc:
            print(f"tracker: {source.id}: {exc.reason}; nothing recorded", file=sys.stderr)
            status = EXIT_FAILED
            continue
        if done.version is None:
            print(f"{source.id}: the stored page of {done.read_from} reads the same; nothing to do")
        else:
            why = f"settings changed: {', '.join(done.settings)}" if done.settings else "re-read"
            print(
                f"{source.id}: recorded upgrade {done.version} from the page of {done.read_from} "
                f"({why}), without an alert"
            )
    return status
