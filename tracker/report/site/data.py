"""What the report shows, read from the state folder: each source's state, history and changes.

A change is shown as it was reported: from the message recorded with its
version (``alert.json``), so a page says exactly what the alert said, and
building the report compares no texts.  Nothing here writes.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...config import Config, Source, change_path
from ...message import Message
from ...model import Change, Fired
from ...notify.text import title
from ...store.history import Entry, entry
from ...store.state import State


@dataclass(frozen=True)
class ChangeRecord:
    """One recorded change, as its message described it."""

    source: Source
    entry: Entry
    previous: str | None  # the version it was compared with
    message: Message  # the stored message

    @property
    def changes(self) -> tuple[Change, ...]:
        return self.message.outcome.changes

    @property
    def fired(self) -> tuple[Fired, ...]:
        return self.message.outcome.fired

    @property
    def notes(self) -> tuple[str, ...]:
        return self.message.outcome.notes

    @property
    def title(self) -> str:
        return title(self.message)

    @property
    def path(self) -> str:
        """Where its page is, from the top of the report."""
        return change_path(self.source.id, self.entry.version)


@dataclass(frozen=True)
class SourceReport:
    source: Source
    state: State
    entries: list[Entry]  # every version, newest first
    changes: list[ChangeRecord]  # newest first

    @property
    def last_change(self) -> ChangeRecord | None:
        return self.changes[0] if self.changes else None


def source_path(source_id: str) -> str:
    return f"sources/{source_id}.html"


def collect(config: Config) -> list[SourceReport]:
    """Every configured source, in configuration order."""
    return [_source(config, source) for source in config.sources]


def _source(config: Config, source: Source) -> SourceReport:
    store = config.settings.opened_store().source(source.id)
    versions = store.versions
    entries, changes = [], []
    for name in reversed(versions.names()):
        try:
            version = versions.get(name)
            message = version.message
        except (OSError, ValueError):  # a damaged version: shown by tracker status, not here
            continue
        row = entry(source.id, version)
        entries.append(row)
        if message is not None:
            previous = version.meta.get("previous")
            changes.append(ChangeRecord(source, row, previous, message))
    return SourceReport(source, store.read_state(), entries, changes)
