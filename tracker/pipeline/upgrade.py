"""Upgrades: when a source's settings change, the stored text is read again, never alerted.

A new selector takes in other parts of the same page; compared with the text
the old selector read, that would be reported as a change of the agreement
(``+ 首页 › 文档中心 …``).  Each version records the settings it was read with
(``settings`` in its meta).  When they differ from the configuration:

* a change the stored raw page can serve (``selector``, ``remove``, and a json
  source's ``field`` and ``format``) re-reads that page with the new settings
  and records the result as an ``upgrade`` version, without an alert, before
  the fetched page is compared with it;
* a change it cannot serve (``url``, ``kind``, ``render``), or a stored page
  that no longer holds the text, makes the next fetch the upgrade, if it is
  the same document by the identity rules (another document is still one).

A version that records no settings (a baseline, or one recorded before
versions kept them) is taken as read with today's settings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..compare.severity import Follows
from ..config import Config, Source
from ..errors import ExtractError, SourceError
from ..model import Origin, Page, Reading
from ..sources import Getter, getter_for
from ..store.base import SourceRecord
from ..store.versions import Version
from .decide import changed_settings

# Page facts a re-read version keeps from the version whose page it read.
_PAGE_FACTS = ("fetched_at", "url", "status", "etag", "last_modified", "content_type")


def rereadable(keys: Sequence[str], source: Source) -> bool:
    """Whether the stored page can serve these changed settings by being read again."""
    return bool(keys) and all(key in source.rereadable_keys() for key in keys)


def stored_page(version: Version) -> Page | None:
    """The raw page a version was read from, as a fetch would hand it over."""
    raw = version.raw
    if raw is None:
        return None
    meta = version.meta
    return Page(
        url=str(meta.get("url") or ""),
        status=int(meta.get("status") or 200),
        body=raw,
        content_type=meta.get("content_type"),
        etag=None,
        last_modified=None,
        elapsed=0.0,
        rendered=bool(meta.get("rendered")),
    )


def reread(version: Version, source: Source, getter: Getter) -> Reading:
    """The version's stored page read with the source's settings now (SourceError if it cannot)."""
    page = stored_page(version)
    if page is None:
        raise ExtractError(f"version {version.name} keeps no page to read again")
    return getter.read(page, source)


def upgrade_meta(
    previous: Version, source: Source, keys: Sequence[str], how: str
) -> dict[str, Any]:
    """What an upgrade version records besides its page: why it is one, and how it was made."""
    return {
        "origin": Origin.UPGRADE.value,
        "previous": previous.name,
        "settings": source.settings,
        "upgrade": {"settings": list(keys), "how": how},
    }


def reread_for(
    latest: Version, source: Source, getter: Getter, keys: Sequence[str]
) -> tuple[Reading | None, str | None]:
    """The stored page read with the changed settings, or None and a note saying why not
    (then the next fetch is the upgrade)."""
    try:
        return reread(latest, source, getter), None
    except SourceError as exc:
        return None, (
            f"settings changed ({describe(keys)}); the stored page of {latest.name} "
            f"cannot be read with them ({exc.reason})"
        )


def record_upgrade(
    store: SourceRecord,
    latest: Version,
    source: Source,
    keys: Sequence[str],
    reading: Reading,
    follows: Follows,
) -> Version:
    """Record ``reading``, ``latest``'s page read again, as an upgrade (callers hold the lock).

    An upgrade moves no clause: the watches' follow state is what it was.
    """
    meta = {key: latest.meta.get(key) for key in _PAGE_FACTS}
    meta |= {
        "charset": reading.codec,
        "title": reading.title,
        "body_hash": latest.meta.get("body_hash"),
        "rendered": bool(latest.meta.get("rendered")),
        "follows": {watch: dict(mapping) for watch, mapping in follows.items()},
        **upgrade_meta(latest, source, keys, "reread"),
    }
    return store.record(reading.text, meta, reading.packed)


def describe(keys: Sequence[str]) -> str:
    return ", ".join(keys) if keys else "how pages are read"


@dataclass(frozen=True)
class Reextracted:
    """What ``tracker reextract`` did for one source."""

    source: str
    version: str | None  # the upgrade recorded; None when the stored page reads the same
    read_from: str  # the version whose stored page was read
    settings: tuple[str, ...]  # the settings that had changed since it was read


def reextract(config: Config, source: Source) -> Reextracted:
    """Read the latest stored page again with today's settings; record it if it reads otherwise.

    Raises SourceError when there is nothing to read (no version, or one that
    keeps no page) or the settings find no text in it.  The next check reads
    the live page in full and compares it with the upgrade.
    """
    settings = config.settings
    store = settings.opened_store().source(source.id, settings.lock_timeout)
    getter = getter_for(source)
    with store.lock():
        latest = store.versions.latest()
        if latest is None:
            raise ExtractError("no version recorded yet: nothing to read again")
        keys = changed_settings(latest.meta.get("settings"), source.settings)
        reading = reread(latest, source, getter)
        if not keys and reading.text == latest.text:
            return Reextracted(source.id, None, latest.name, keys)
        state = store.read_state()
        version = record_upgrade(store, latest, source, keys, reading, state.follows)
        state.version, state.form_hash, state.fingerprint = version.name, None, None
        store.write_state(state)
    return Reextracted(source.id, version.name, latest.name, keys)
