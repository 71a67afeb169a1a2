"""Onboarding: ``inspect`` a page before tracking it, ``accept`` a page a check refused."""

from __future__ import annotations

import asyncio
import sys

from rich.console import Console

from .. import config
from ..accept import NotAccepted, accept
from ..errors import ConfigError, SourceError
from ..report import print_inspection
from . import EXIT_FAILED, EXIT_OK, EXIT_USAGE


def inspect(cfg: config.Config, url: str) -> int:
    if problem := config.url_problem(url):
        raise ConfigError("command line", "URL", f"{url!r} {problem}")
    from ..inspect import inspect

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
