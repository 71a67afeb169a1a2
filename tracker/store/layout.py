"""Where things live in the state folder, and the names a source id may not take.

    <state_dir>/<source-id>/versions/<NNNN_time>/   one recorded version (see store.py)
    <state_dir>/<source-id>/damaged/<NNNN_time>/    a version that could not be read, kept
    <state_dir>/outbox/                             alerts waiting for delivery (outbox.py)

Source folders and tracker's own folders share one directory, so the own
ones are reserved: a source called ``outbox`` would collide with the queue.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

RESERVED = frozenset({"outbox", "damaged", "daemon", "reports"})  # tracker's own names
VERSION_NAME = re.compile(r"^(\d{4,})_(\d{8}T\d{6}Z)$")


def version_names(versions_dir: Path) -> list[str]:
    """Names of the versions in a folder, oldest first (names only: nothing is read)."""
    try:
        names = [n for n in os.listdir(versions_dir) if VERSION_NAME.match(n)]
    except (FileNotFoundError, NotADirectoryError):
        return []
    names.sort(key=lambda n: int(n.split("_", 1)[0]))
    return names


def deliveries_path(state_dir: Path, source_id: str, version: str) -> Path:
    """Where a change's delivery state is kept, beside its ``alert.json``."""
    return state_dir / source_id / "versions" / version / "deliveries.json"
