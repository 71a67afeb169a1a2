"""The one interface every store answers: a source's record, its history, the sources held.

Two stores answer it: the state folder (:mod:`tracker.store.folder`, the embedded
default) and PostgreSQL (:mod:`tracker.store.postgres`, for several machines).
Callers reach either through :func:`tracker.store.opened.open_store`; nothing
else knows which one it talks to.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, Protocol

from ..message import Message
from .state import State
from .versions import Version


class History(Protocol):
    """A source's recorded versions (see :class:`tracker.store.versions.Versions`)."""

    @property
    def set_aside(self) -> list[str]:
        """Versions latest() found damaged and set aside, said once."""

    def names(self) -> list[str]: ...
    def get(self, name: str) -> Version: ...
    def latest(self) -> Version | None: ...
    def newest_readable(self) -> Version | None: ...
    def newest_message(self) -> Message | None: ...
    def find(self, ref: str) -> Version: ...
    def before(self, name: str) -> Version | None: ...


class SourceRecord(Protocol):
    """One source's state and versions, written under its lock."""

    @property
    def versions(self) -> History: ...

    def lock(self) -> AbstractContextManager[None]: ...
    def exists(self) -> bool: ...
    def try_checking(self) -> bool:
        """Claim the right to check it now; False while another process checks it."""

    def done_checking(self) -> None: ...
    def read_state(self) -> State: ...
    def touch_state(self) -> None: ...
    def write_state(self, state: State) -> None: ...
    def next_name(self, when: datetime | None = None) -> str: ...
    def record(
        self,
        text: str,
        meta: dict[str, Any],
        page: bytes | None,
        message: Message | None = None,
        name: str | None = None,
    ) -> Version: ...


class Store(Protocol):
    """Every source's record, by id."""

    @property
    def url(self) -> str:
        """Where it is, as a user names it (never with a password)."""

    def source(self, source_id: str, lock_timeout: float = 30.0) -> SourceRecord: ...
    def versions(self, source_id: str) -> History: ...
    def source_ids(self) -> Iterator[str]: ...
    def ready(self) -> None:
        """Fail now, with :class:`~tracker.errors.StoreUnavailable`, if it cannot be used."""
