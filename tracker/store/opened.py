"""Which store a configuration names: the state folder, or a PostgreSQL database.

A database store is opened once per process and shared by every caller (its
connections are its own); psycopg is imported only when one is named.
"""

from __future__ import annotations

import threading
from pathlib import Path

from .base import Store
from .folder import FolderStore

_opened: dict[str, Store] = {}
_opening = threading.Lock()


def open_store(state_dir: Path, url: str | None = None) -> Store:
    """The store at ``url`` (a ``postgresql://`` URL), else the state folder ``state_dir``."""
    if url is None:
        return FolderStore(state_dir)
    with _opening:
        store = _opened.get(url)
        if store is None:
            from .postgres.records import PostgresStore

            store = _opened[url] = PostgresStore(url)
        return store


def close_all() -> None:
    """Close every database store this process opened (tests, and a daemon stopping)."""
    with _opening:
        for store in _opened.values():
            close = getattr(store, "close", None)
            if close is not None:
                close()
        _opened.clear()
