"""The state folder, described once: every path tracker reads or writes under it.

    <state_dir>/
      <source-id>/
        versions/<NNNN_time>/        one recorded version, written whole or not at all
          text.md                    the extracted text (readable UTF-8, the Markdown dialect)
          meta.json                  fetch time, final URL, status, validators, hashes, origin,
                                     the settings it was read with, the watches' follow state
          alert.json                 the message about what changed, when something did
          deliveries.json            each channel's delivery of that message
          page.html.gz               the raw page, to read again later
        damaged/<NNNN_time>/         a version whose text could not be read: kept, never deleted
        state.json                   bookkeeping between checks (validators, failure streaks)
        .lock                        held while a check decides and records
      outbox/<message-id>.json       a message waiting for a channel, with each one's delivery
      outbox/sent/<message-id>.json  delivered (or dropped) on every channel that wanted it
      outbox/damaged/<file>          an entry that could not be read: set aside, reported
      outbox/.index                  present while the queue is known to match the versions
      outbox/.lock                   held while delivering
      daemon.json                    the running daemon's status (pid, next runs)
      daemon.lock                    held by the running daemon

A name starting with ``.tmp-`` is a write a killed run left behind: swept, never
read.  Source folders and tracker's own share one directory, so tracker's own
names are reserved: a source called ``outbox`` would collide with the queue.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

RESERVED = frozenset({"outbox", "damaged", "daemon", "reports"})  # tracker's own names
VERSION_NAME = re.compile(r"^(\d{4,})_(\d{8}T\d{6}Z)$")
TMP_PREFIX = ".tmp-"  # what a killed run may leave behind; swept, never read


def source_dir(state_dir: Path, source_id: str) -> Path:
    return state_dir / source_id


def versions_dir(source: Path) -> Path:
    """A source's versions, from its folder."""
    return source / "versions"


def damaged_dir(source: Path) -> Path:
    return source / "damaged"


def state_file(source: Path) -> Path:
    return source / "state.json"


def lock_file(source: Path) -> Path:
    return source / ".lock"


def version_names(versions: Path) -> list[str]:
    """Names of the versions in a folder, oldest first (names only: nothing is read)."""
    try:
        return ordered_versions(os.listdir(versions))
    except (FileNotFoundError, NotADirectoryError):
        return []


def ordered_versions(entries: list[str]) -> list[str]:
    """The version names among a folder's ``entries``, oldest first."""
    names = [n for n in entries if VERSION_NAME.match(n)]
    names.sort(key=lambda n: int(n.split("_", 1)[0]))
    return names


def deliveries_path(state_dir: Path, source_id: str, version: str) -> Path:
    """Where a change's delivery state is kept, beside its ``alert.json``."""
    return versions_dir(source_dir(state_dir, source_id)) / version / "deliveries.json"


def message_path(version: Path) -> Path:
    """A version's message (the file keeps its first name, ``alert.json``)."""
    return version / "alert.json"


def outbox_dir(state_dir: Path) -> Path:
    return state_dir / "outbox"


def daemon_status(state_dir: Path) -> Path:
    return state_dir / "daemon.json"


def daemon_lock(state_dir: Path) -> Path:
    return state_dir / "daemon.lock"
