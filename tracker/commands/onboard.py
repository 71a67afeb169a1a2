"""Onboarding: ``inspect`` a page before tracking it, ``accept`` a page a check refused,
``reextract`` the stored pages after the settings changed."""

from __future__ import annotations

import asyncio
import sys

from rich.console import Console

from .. import config
from ..errors import ConfigError, SourceError
from ..pipeline.accept import NotAccepted, accept
from ..report.console import print_inspection
from . import EXIT_FAILED, EXIT_OK, EXIT_USAGE


def inspect(cfg: config.Config, url: str) -> int:
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


def accept_page(cfg: config.Config, sid: str) -> int:
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


def reextract(cfg: config.Config, sid: str | None) -> int:
    from ..pipeline.upgrade import reextract

    if sid is not None and sid not in {s.id for s in cfg.sources}:
        raise ConfigError(cfg.path, "source", f"no source with id {sid!r}")
    status = EXIT_OK
    for source in cfg.sources:
        if sid is not None and source.id != sid:
            continue
        try:
            done = reextract(cfg, source)
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
