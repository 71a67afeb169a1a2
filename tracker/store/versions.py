"""A source's recorded versions, and the questions asked of them.

The one interface history is read through: the versions of a source (names
only, oldest first), a version by name, by an unambiguous prefix of its name,
or as ``latest`` / ``previous``, the version before a given one, and the
newest version whose text can be read (damaged ones set aside, never
deleted).  Recording is :class:`tracker.store.source.SourceStore`'s job.
"""

from __future__ import annotations

import functools
import gzip
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from ..message import Message
from ..stamps import sha256
from . import layout
from .layout import version_names


class Parts(Protocol):
    """Where a version's parts are read from: its folder, or its database row."""

    def text(self, name: str) -> str: ...

    def message(self, name: str) -> Any:
        """The message as stored (JSON), None if it has none; ValueError if unreadable."""

    def raw(self, name: str) -> bytes | None: ...


def read_message(data: Any) -> Message | None:
    """A stored message, or None: there is none, or it cannot be read as one (a hand edit)."""
    if data is None:
        return None
    try:
        return Message.from_json(data)
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


class Folder:
    """A version's parts as files in ``versions/<name>/`` (see :mod:`tracker.store.layout`)."""

    def __init__(self, versions_dir: Path) -> None:
        self.dir = versions_dir

    def text(self, name: str) -> str:
        return (self.dir / name / "text.md").read_text("utf-8")

    def message(self, name: str) -> Any:
        try:
            return json.loads(layout.message_path(self.dir / name).read_text("utf-8"))
        except FileNotFoundError:
            return None

    def raw(self, name: str) -> bytes | None:
        page = self.dir / name / "page.html.gz"
        return gzip.decompress(page.read_bytes()) if page.exists() else None


class _Nowhere:
    """A version made here (a baseline file, a reading): its text given, nothing else."""

    def text(self, name: str) -> str:
        raise FileNotFoundError(name)

    def message(self, name: str) -> Any:
        return None

    def raw(self, name: str) -> bytes | None:
        return None


@dataclass(frozen=True)
class Version:
    """One recorded version of an agreement."""

    name: str
    meta: dict[str, Any]
    parts: Parts = field(default_factory=_Nowhere, compare=False, repr=False)

    @classmethod
    def holding(
        cls, name: str, meta: dict[str, Any], text: str, parts: Parts | None = None
    ) -> Version:
        """A version whose text is already read (or was read another way)."""
        version = cls(name, meta, parts or _Nowhere())
        version.__dict__["text"] = text  # the cached property's value
        return version

    @functools.cached_property
    def text(self) -> str:
        return self.parts.text(self.name)

    @property
    def message(self) -> Message | None:
        """The message recorded with this version, if it was a change.

        None also for one that cannot be read as a message: the version stands without it.
        """
        return read_message(self.parts.message(self.name))

    @property
    def raw(self) -> bytes | None:
        return self.parts.raw(self.name)


class Listed:
    """A source's version names, oldest first, kept while its lock is held; the lookups by
    name that need nothing else.  Each store lists and reads versions its own way."""

    def __init__(self) -> None:
        self.held = False  # the source's lock is held: nobody else records, the list is kept
        self._names: list[str] | None = None

    def forget(self) -> None:
        """Drop the kept list (the lock was released, or a version was moved)."""
        self._names = None

    def primed(self, names: list[str]) -> None:
        """The names as the lock's holder just listed them (kept while it holds the lock)."""
        if self.held:
            self._names = names

    def noted(self, name: str) -> None:
        """A version was just recorded under the lock: keep the list up to date."""
        if self._names is not None:
            self._names.append(name)

    def names(self) -> list[str]:
        """Names of recorded versions, oldest first (names only: history is not loaded)."""
        if self._names is not None:
            return list(self._names)
        names = self._listed()
        if self.held:
            self._names = names
        return list(names)

    def _listed(self) -> list[str]:
        raise NotImplementedError

    def get(self, name: str) -> Version:
        raise NotImplementedError

    def find(self, ref: str) -> Version:
        """A version by name, unambiguous prefix (``0003``), ``latest`` or ``previous``.

        Raises LookupError saying what is wrong: no such version, or which ones match.
        """
        return self.get(named(self.names(), ref))

    def before(self, name: str) -> Version | None:
        """The version recorded just before ``name``, if any."""
        earlier = name_before(self.names(), name)
        return self.get(earlier) if earlier else None


class Versions(Listed):
    """The versions of one source, under ``<source>/versions/``."""

    @classmethod
    def of(cls, state_dir: Path, source_id: str) -> Versions:
        """The versions of a source, read only (recording is ``SourceStore``'s)."""
        return cls(layout.source_dir(state_dir, source_id))

    def __init__(self, source_dir: Path) -> None:
        self.dir = layout.versions_dir(source_dir)
        self.parts = Folder(self.dir)
        self.damaged_dir = layout.damaged_dir(source_dir)
        super().__init__()
        self.set_aside: list[str] = []  # what latest() found damaged and moved aside

    def _listed(self) -> list[str]:
        return version_names(self.dir)

    def get(self, name: str) -> Version:
        """A version by its full name.

        Metadata that is damaged (not JSON, or JSON but no object) leaves the version
        standing with ``damaged_meta`` in its place: its text is what counts.
        """
        return Version(name, _meta(self.dir / name, name), self.parts)

    def latest(self) -> Version | None:
        """The newest version whose text can be read (callers hold the lock).

        A version recorded without syncing (a baseline) can be left empty by a
        power cut: its text no longer matches the hash in its metadata.  A version
        whose text is torn, missing or unreadable is moved to ``damaged/`` (kept,
        never deleted; ``set_aside`` names it) and the version before it is used:
        a comparison with a torn text would report the whole agreement as new.
        A damaged ``meta.json`` alone costs nothing: the text is what is compared.
        """
        for name in reversed(self.names()):
            version, why = self._readable(name)
            if version is not None:
                return version
            self._set_aside(name, why)
        return None

    def newest_readable(self) -> Version | None:
        """What :meth:`latest` would compare with, moving nothing (a dry run looks, only)."""
        for name in reversed(self.names()):
            version, _ = self._readable(name)
            if version is not None:
                return version
        return None

    def _set_aside(self, name: str, why: str) -> None:
        damaged = self.damaged_dir
        target = damaged / name
        if target.exists():  # set aside once before: keep both
            target = damaged / f"{name}.{time.time_ns()}"
        try:
            damaged.mkdir(exist_ok=True)
            os.replace(self.dir / name, target)
        except OSError:
            self.set_aside.append(f"version {name} {why}, and could not be set aside")
        else:
            self.set_aside.append(f"version {name} {why}; set aside in damaged/{target.name}")
        self._names = None

    def newest_message(self) -> Message | None:
        """The message recorded with the newest version, if it was a change.

        Needs no lock: a version carrying a message is synced before it appears.
        """
        names = self.names()
        try:
            return self.get(names[-1]).message if names else None
        except (OSError, ValueError):  # a torn first version, which carries no message
            return None

    def _readable(self, name: str) -> tuple[Version | None, str]:
        """The version, or None and why its text cannot be trusted."""
        path = self.dir / name
        try:
            text = (path / "text.md").read_text("utf-8")
        except FileNotFoundError:
            return None, "has no text"
        except (OSError, ValueError):  # ValueError: not UTF-8
            return None, "has a text that cannot be read"
        meta = _meta(path, name)
        if not meta.get("damaged_meta") and meta.get("text_hash") != sha256(text):
            return None, "has a torn text (it does not match its hash)"
        return Version.holding(name, meta, text, self.parts), ""


def named(names: list[str], ref: str) -> str:
    """The one of ``names`` that ``ref`` means (see :meth:`Versions.find`); LookupError."""
    if ref in ("latest", "previous"):
        wanted = names[-1:] if ref == "latest" else names[-2:-1]
        if not wanted:
            raise LookupError(f"no {ref} version: {len(names)} recorded")
        return wanted[0]
    matches = [n for n in names if n == ref] or [n for n in names if n.startswith(ref)]
    if len(matches) != 1:
        shown = ", ".join(matches[:5]) if matches else "none"
        raise LookupError(f"version {ref!r} matches {len(matches)} versions ({shown})")
    return matches[0]


def name_before(names: list[str], name: str) -> str | None:
    k = names.index(name)
    return names[k - 1] if k > 0 else None


def _meta(path: Path, name: str) -> dict[str, Any]:
    """A version's ``meta.json``; damaged (unreadable, or not an object): a stand-in saying so."""
    try:
        meta = json.loads((path / "meta.json").read_text("utf-8"))
    except (OSError, ValueError):
        meta = None
    if not isinstance(meta, dict):
        return {"version": name, "damaged_meta": True}
    return meta
