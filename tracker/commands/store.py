"""``tracker store copy --to TARGET``: move a history between the state folder and PostgreSQL."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from ..config import Secret, Settings
from ..errors import Refused
from ..notify.queue import open_outbox
from ..report import terminal
from ..store.copy import copy_store
from . import EXIT_OK, Wiring


def copy(w: Wiring) -> int:
    """Copy the configured store's versions, states and waiting messages to the target."""
    here = w.config.settings
    there = _target(here, w.args.to, w.args.to_env)
    if _where(here) == _where(there):
        raise Refused("the target is the configured store itself: nothing to copy")
    source, target = here.opened_store(), there.opened_store()
    target.ready()
    done = copy_store(source, target, here.lock_timeout)
    queue, into = open_outbox(here), open_outbox(there)
    messages = 0
    for entry in queue.pending():
        if not into.known(entry.id):
            into.queue(entry)
            messages += 1
    terminal.console().print(
        f"copied {done.versions} versions of {done.sources} sources, {done.states} states and "
        f"{messages} waiting messages to {target.url}"
        + (f" ({done.present} versions were there already)" if done.present else ""),
        soft_wrap=True,
        highlight=False,
        markup=False,
    )
    for problem in done.skipped:
        terminal.warn(f"not copied (cannot be read): {problem}")
    return EXIT_OK


def _where(settings: Settings) -> str:
    return settings.store.value if settings.store else str(settings.state_dir.resolve())


def _target(here: Settings, to: str | None, to_env: str | None) -> Settings:
    """The settings of the store to copy into: a postgresql:// URL, or a state folder."""
    if to_env:
        url = os.environ.get(to_env)
        if not url:
            raise Refused(f"--to-env: environment variable {to_env} is not set")
        to = url
    if not to:
        raise Refused("say where to copy: --to postgresql://… (or --to-env VAR), or --to FOLDER")
    if to.startswith(("postgresql://", "postgres://")):
        return dataclasses.replace(
            here, store=Secret(to, f"--to{'-env ' + to_env if to_env else ''}")
        )
    return dataclasses.replace(here, store=None, state_dir=Path(to).absolute())
