"""``tracker check --dry-run``: what a check would report, recording nothing.

The way to try a selector before trusting it (urlwatch's ``--test-filter``):
each source is fetched in full (no conditional request: the point is to read
the page), read, and compared with its latest version, or with its baseline
file when none is recorded yet, by the same rules as a check.  Nothing is
written: no version, no state, no outbox entry, no lock file, and a damaged
version is skipped, not set aside.  The state folder stays byte for byte as
it was.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..compare.segment import numbered, segment
from ..compare.volatile import changing_lines, remedy
from ..config import Config, Source
from ..errors import SourceError
from ..model import Origin, Page, Reading, Status
from ..sources import Context, fetch_in_full, getter_for
from ..sources.browser import Browser
from ..sources.http import Fetcher
from ..stamps import today
from ..store.base import SourceRecord
from ..store.state import State
from ..store.versions import Version
from ..text.decode import decode
from ..text.markdown import from_markdown
from .decide import Action, changed_settings, decide
from .record import changed, dated_note
from .result import Result
from .upgrade import describe, reread_for, rereadable

FIRST_LINES = 8


@dataclass
class Trial:
    """What checking one source would have done."""

    result: Result
    compared_with: str | None = None  # a version's name, or "the baseline file"
    lines: list[str] = field(default_factory=list)  # the text's first lines
    clauses: int = 0  # numbered clauses in the text read
    characters: int = 0
    volatile: list[str] = field(default_factory=list)  # lines that differ between two loads

    def to_json(self) -> dict[str, Any]:
        return {
            **self.result.to_json(),
            "compared_with": self.compared_with,
            "first_lines": self.lines,
            "clauses": self.clauses,
            "characters": self.characters,
            "volatile_lines": self.volatile,
        }


async def try_all(config: Config) -> list[Trial]:
    """Every source, concurrently; in configuration order."""
    async with Fetcher(config.settings) as fetcher, Browser(config.settings) as browser:
        ctx = Context(fetcher, browser)
        return list(await asyncio.gather(*(try_source(s, config, ctx) for s in config.sources)))


async def try_source(source: Source, config: Config, ctx: Context) -> Trial:
    trial = Trial(Result(source, Status.UNCHANGED))
    store = config.settings.opened_store().source(source.id)
    try:
        state = store.read_state()  # read, never written
        page, reading = await fetch_in_full(source, state, ctx)
        trial.lines = reading.text.splitlines()[:FIRST_LINES]
        trial.clauses = numbered(segment(reading.text, source.ignore))
        trial.characters = len(reading.text)
        await asyncio.to_thread(_judge, trial, config, store, state, page, reading)
        if trial.result.status is Status.CHANGED:  # load again: is the change the page's?
            with contextlib.suppress(SourceError):  # only a remark is lost
                other, again = await fetch_in_full(source, state, ctx)
                if lines := changing_lines(reading.text, again.text):
                    args = (trial, lines, config, store, state, (page, other))
                    await asyncio.to_thread(_volatile, *args)
    except SourceError as exc:
        trial.result = Result(source, Status.ERROR, error=exc.reason, blocked=exc.blocked)
    except OSError as exc:  # the state folder cannot be read
        trial.result = Result(source, Status.ERROR, error=f"state folder: {exc}")
    return trial


def _judge(
    trial: Trial, config: Config, store: SourceRecord, state: State, page: Page, reading: Reading
) -> None:
    """Decide as the record stage would, and say what it would record."""
    source = trial.result.source
    latest = store.versions.newest_readable() if store.exists() else None
    result = trial.result
    if latest is None and source.baseline is not None:
        latest = _baseline(source)
        trial.compared_with = "the baseline file"
    if latest is not None:
        trial.compared_with = trial.compared_with or latest.name
        latest = _reread(latest, source, result.notes)
    decision = decide(latest, reading, source, config, state, today(source.timezone))
    if decision.refusal is not None:
        raise decision.refusal
    if decision.action is Action.FIRST:
        result.status = Status.BASELINE
        result.notes.append("would record the first version")
    elif decision.action is Action.UPGRADE:
        result.notes.append(
            f"settings changed ({describe(decision.upgrade)}): would record this page as an "
            "upgrade, without an alert"
        )
    elif decision.action is Action.DATED:
        result.notes.append(dated_note(*decision.stated, "would be recorded, not alerted"))
    elif decision.action is Action.CHANGE:
        trial.result = changed(source, decision, None)
        trial.result.notes = result.notes


def _volatile(
    trial: Trial,
    lines: list[str],
    config: Config,
    store: SourceRecord,
    state: State,
    pages: tuple[Page, Page],
) -> None:
    """Say which lines changed between two loads seconds apart, and whether the change
    found is theirs alone (then every check would alert): the settings that leave
    them out are tried as a check would apply them, the stored page read again."""
    trial.volatile = lines
    source = trial.result.source
    html = [decode(page.body, page.content_type)[0] for page in pages]
    cure = remedy(lines, source.selectors, html)
    quieter = replace(
        source,
        remove=tuple(dict.fromkeys((*source.remove, *cure.remove))),
        ignore=(*source.ignore, *map(re.compile, cure.ignore)),
    )
    without = Trial(Result(quieter, Status.UNCHANGED))
    with contextlib.suppress(SourceError):  # the page cannot be read that way: say less
        reading = getter_for(quieter).read(pages[0], quieter)
        _judge(without, config, store, state, pages[0], reading)
    listed = "; ".join(lines[:3]) + ("; …" if len(lines) > 3 else "")
    settings = cure.settings().replace("\n", " and ")
    if without.result.status is Status.CHANGED:
        trial.result.notes.append(
            f"{len(lines)} lines change from one load to the next ({listed}); "
            f"to leave them out: {settings}"
        )
    else:
        trial.result.notes.append(
            f"only lines that change from one load to the next differ ({listed}): "
            f"every check would alert; leave them out with {settings}"
        )


def _reread(latest: Version, source: Source, notes: list[str]) -> Version:
    """What the record stage would compare with after a new selector: the stored page read
    again (recorded as an upgrade by a check; here only read)."""
    keys = changed_settings(latest.meta.get("settings"), source.settings)
    if not rereadable(keys, source):
        return latest
    again, why = reread_for(latest, source, getter_for(source), keys)
    if again is None:
        notes.append(str(why))
        return latest
    notes.append(
        f"settings changed ({describe(keys)}): would record the stored page read "
        "again as an upgrade, without an alert, and compare with it"
    )
    meta = {**latest.meta, "settings": dict(again.settings)}
    return Version.holding(latest.name, meta, again.text, latest.parts)


def _baseline(source: Source) -> Version:
    """The baseline file, as the version a first check would seed from it."""
    assert source.baseline is not None
    text = from_markdown(Path(source.baseline).read_text("utf-8"))
    meta = {"origin": Origin.BASELINE}
    return Version.holding("baseline", meta, text)
