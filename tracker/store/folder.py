"""The state folder as a store: the embedded default, one folder per source.

What lives where is :mod:`tracker.store.layout`'s to say; recording is
:class:`tracker.store.source.SourceStore`'s.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from . import layout
from .source import SourceStore
from .versions import Versions


class FolderStore:
    """Every source's record under ``state_dir``."""

    def __init__(self, state_dir: Path) -> None:
        self.state_dir = state_dir
        self.url = str(state_dir)

    def source(self, source_id: str, lock_timeout: float = 30.0) -> SourceStore:
        return SourceStore(self.state_dir, source_id, lock_timeout)

    def versions(self, source_id: str) -> Versions:
        return Versions.of(self.state_dir, source_id)

    def ready(self) -> None:
        """Nothing to open: folders are made as they are written."""

    def source_ids(self) -> Iterator[str]:
        """The sources with a record here, by name (tracker's own folders left out)."""
        try:
            names = sorted(os.listdir(self.state_dir))
        except FileNotFoundError:
            return
        for name in names:
            if name in layout.RESERVED or name.startswith("."):
                continue
            folder = layout.source_dir(self.state_dir, name)
            if layout.versions_dir(folder).is_dir() or layout.state_file(folder).exists():
                yield name
