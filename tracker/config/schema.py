"""The configuration's shape: settings, sources, watches, as frozen dataclasses.

The dataclasses are the schema: the keys a ``[[source]]`` or ``[[watch]]`` table
may hold are their fields (``config.source``, ``config.load`` read them from here).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..notify import Channel

DEFAULT_USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
DEFAULT_ACCEPT_LANGUAGE = "zh-CN,zh;q=0.9"


@dataclass(frozen=True)
class Settings:
    """The ``[tracker]`` table: run-wide settings."""

    state_dir: Path
    timeout: float = 20.0
    retries: int = 2
    backoff: float = 1.0
    max_retry_after: float = 60.0
    max_bytes: int = 5 * 1024 * 1024
    max_redirects: int = 10
    concurrency: int = 16
    per_host: int = 4
    processes: int | None = None  # None: "auto", one per core for large runs
    user_agent: str = DEFAULT_USER_AGENT
    accept_language: str = DEFAULT_ACCEPT_LANGUAGE
    lock_timeout: float = 30.0
    truncation_ratio: float = 0.5
    truncation_confirmations: int = 3
    failure_alert_after: int = 3
    interval: float = 6 * 3600.0
    outbox_interval: float = 60.0
    browser: Path | None = None  # a Chromium to render with; None: found on PATH
    render_concurrency: int = 2  # pages rendered at once, at most
    render_restart_after: int = 100  # pages, before the browser is restarted (memory)
    report_dir: Path | None = None  # a static report refreshed after every run
    report_url: str | None = None  # where report_dir is served, for links in messages


@dataclass(frozen=True)
class Source:
    """One watched agreement page."""

    id: str
    name: str
    url: str
    selectors: tuple[str, ...] = field(default=("body",), metadata={"key": "selector"})
    remove: tuple[str, ...] = ()
    ignore: tuple[re.Pattern[str], ...] = ()
    min_length: int = 100
    interval: float | None = None
    cron: str | None = None
    baseline: Path | None = None
    kind: str = "page"  # how the page is got: a name in tracker.sources' registry
    render: str = "auto"  # page sources: auto | never | always (in a browser)
    field: str | None = None  # json sources: the dotted path to the agreement
    format: str = "html"  # json sources: what the field holds: html | markdown | text

    @property
    def fingerprint(self) -> str:
        """What, besides the page bytes, decides the extracted text (or where it comes from)."""
        parts = [*self.selectors, "|", *self.remove, "|", *(p.pattern for p in self.ignore)]
        parts += ["|", self.kind, self.render, self.field or "", self.format, self.url]
        return "\x1f".join(parts)

    @property
    def settings(self) -> dict[str, object]:
        """How the text is got and read, as each version records it (``settings`` in meta).

        A version read with other settings is compared only after an ``upgrade``
        (see :mod:`tracker.pipeline.upgrade`): a new selector is not a new agreement.
        ``ignore`` is not among them: it applies when texts are compared.
        """
        return {
            "url": self.url,
            "kind": self.kind,
            "render": self.render,
            "selector": list(self.selectors),
            "remove": list(self.remove),
            "field": self.field,
            "format": self.format,
        }


@dataclass(frozen=True)
class Watch:
    """A named set of clauses or keywords whose changes deserve attention."""

    name: str
    sources: tuple[str, ...] = ()  # empty: every source
    clauses: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    amounts: bool = False  # fire on any change to a sum of money (5000 元, USD 10)
    severity: str = "warning"


@dataclass(frozen=True)
class Config:
    path: str  # shown in messages; "<built-in default>" when no file was given
    settings: Settings
    sources: tuple[Source, ...]
    watches: tuple[Watch, ...] = field(default=())
    channels: tuple[Channel, ...] = field(default=())


def keys(schema: type) -> set[str]:
    """The keys a table of ``schema`` may hold: its fields, as the file spells them."""
    return {f.metadata.get("key", f.name) for f in fields(schema)}
