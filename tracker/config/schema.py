"""The configuration's shape: settings, sources, watches, as frozen dataclasses.

The dataclasses are the schema: each field read from the file declares its key,
its reader and its default (:func:`~tracker.config.values.setting`), and the
loader reads them from here.  A source kind adds its own keys as an
:class:`Options` subclass, declared beside its getter; a channel kind declares
its own the same way.  Checks across keys are in ``__post_init__``.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from ..errors import UnknownSource
from ..model import SEVERITIES
from ..stamps import sha256
from ..text.links import masked, secrets_of
from . import checks
from .values import (
    Invalid,
    Secret,
    boolean,
    choice,
    duration,
    file_path,
    header,
    integer,
    line,
    ratio,
    secret_setting,
    setting,
    size,
    state_path,
    strings,
)

if TYPE_CHECKING:
    from ..notify.channel import Channel
    from ..store.base import Store

DEFAULT_USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
DEFAULT_ACCEPT_LANGUAGE = "zh-CN,zh;q=0.9"
MIN_INTERVAL = 1.0  # seconds between a daemon's checks (or deliveries), at least


def _store_url(value: Secret, ctx: Any) -> Secret:
    if not value.value.startswith(("postgresql://", "postgres://")):
        raise Invalid("must be a postgresql:// URL (leave it out to keep versions in state_dir)")
    return value


def _processes(value: Any, ctx: Any) -> int | None:
    if value == "auto":
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise Invalid('must be "auto" or a whole number >= 1')
    return value


@dataclass(frozen=True)
class Settings:
    """The ``[tracker]`` table: run-wide settings."""

    state_dir: Path = setting(Path("snapshots"), read=state_path)  # beside the configuration
    timeout: float = setting(20.0, read=duration(minimum=0.1))
    retries: int = setting(2, read=integer(0, 20))
    backoff: float = setting(1.0, read=duration(zero=True))
    max_retry_after: float = setting(60.0, read=duration(zero=True))
    max_bytes: int = setting(5 * 1024 * 1024, read=size)
    max_redirects: int = setting(10, read=integer(0))
    concurrency: int = setting(16, read=integer(1))
    per_host: int = setting(4, read=integer(1))
    processes: int | None = setting(None, read=_processes)  # None: "auto", one per core
    user_agent: str = setting(DEFAULT_USER_AGENT, read=header)
    accept_language: str = setting(DEFAULT_ACCEPT_LANGUAGE, read=header)
    lock_timeout: float = setting(30.0, read=duration(minimum=0.1))
    truncation_ratio: float = setting(0.5, read=ratio)
    truncation_confirmations: int = setting(3, read=integer(1))
    failure_alert_after: int = setting(3, read=integer(1))
    interval: float = setting(6 * 3600.0, read=duration(minimum=MIN_INTERVAL))
    outbox_interval: float = setting(60.0, read=duration(minimum=MIN_INTERVAL))
    browser: Path | None = setting(None, read=state_path)  # a Chromium; None: found on PATH
    render_concurrency: int = setting(2, read=integer(1))  # pages rendered at once, at most
    render_restart_after: int = setting(100, read=integer(1))  # pages, then a new browser
    report_dir: Path | None = setting(None, read=state_path)  # refreshed after every run
    report_url: str | None = setting(None, read=checks.page_url)  # where report_dir is served
    allow_private: bool = setting(False, read=boolean)  # redirects into private networks
    # Where versions, states and the outbox live: None, the state folder; else PostgreSQL.
    store: Secret | None = secret_setting(required=False, check=_store_url)

    def __post_init__(self) -> None:
        if self.store is not None and self.store.missing:
            raise Invalid(f"environment variable {self.store.missing} is not set", "store_env")
        if self.report_url is not None:
            if self.report_dir is None:
                raise Invalid("needs report_dir: the folder it serves", "report_url")
            object.__setattr__(self, "report_url", self.report_url.rstrip("/"))

    def opened_store(self) -> Store:
        """The store every command reads and writes: the state folder, or PostgreSQL."""
        from ..store.opened import open_store

        return open_store(self.state_dir, self.store.value if self.store else None)

    def report_link(self, source_id: str, version: str) -> str | None:
        """Where a change's report page is, for messages: under ``report_url``, else on disk."""
        if self.report_dir is None:
            return None
        path = change_path(source_id, version)
        if self.report_url:
            return f"{self.report_url}/{path}"
        return str(self.report_dir.absolute() / path)


def change_path(source_id: str, version: str) -> str:
    """Where the report keeps a change's page, from its top."""
    return f"changes/{source_id}/{version}.html"


@dataclass(frozen=True)
class Options:
    """A source kind's own keys (a ``[[source]]``'s beyond the common ones); none here.

    Each kind subclasses it beside its getter.  ``rereadable`` names the keys
    whose change the stored page can serve by being read again (see
    :mod:`tracker.pipeline.upgrade`).
    """

    rereadable: ClassVar[frozenset[str]] = frozenset()

    def recorded(self) -> dict[str, object]:
        """These settings as each version records them."""
        return {f.name: _plain(getattr(self, f.name)) for f in dataclasses.fields(self)}


def _plain(value: object) -> object:
    return list(value) if isinstance(value, tuple) else value


@dataclass(frozen=True)
class Source:
    """One watched agreement page."""

    id: str = setting(read=checks.source_id)
    url: str = setting(read=checks.page_url)
    name: str = setting("", read=line)  # "": the id
    selectors: tuple[str, ...] = setting(("body",), read=checks.selectors, key="selector")
    remove: tuple[str, ...] = setting((), read=checks.removed)
    ignore: tuple[re.Pattern[str], ...] = setting((), read=checks.patterns)
    min_length: int = setting(100, read=integer(0))
    interval: float | None = setting(None, read=duration(minimum=MIN_INTERVAL))
    cron: str | None = setting(None, read=checks.cron)
    baseline: Path | None = setting(None, read=file_path)
    timezone: str = setting("UTC", read=checks.timezone)  # where its days are counted
    translation_of: str | None = setting(None, read=line)  # the source this one translates
    drift_after: float = setting(14 * 86400.0, read=duration(minimum=MIN_INTERVAL))
    kind: str = "page"  # a name in tracker.sources' registry (read by the loader)
    options: Options = field(default_factory=Options)  # the kind's own keys

    rereadable: ClassVar[frozenset[str]] = frozenset({"selector", "remove"})

    def __post_init__(self) -> None:
        if not self.name:
            object.__setattr__(self, "name", self.id)
        if self.cron is not None and self.interval is not None:
            raise Invalid("give interval or cron, not both", "cron")

    @property
    def fingerprint(self) -> str:
        """What, besides the page bytes, decides the extracted text (or where it comes from),
        as a hash: the state file never holds the URL's credentials."""
        parts = [*self.selectors, "|", *self.remove, "|", *(p.pattern for p in self.ignore)]
        parts += ["|", self.kind, *map(str, self.options.recorded().values()), self.url]
        return sha256("\x1f".join(parts))

    @property
    def shown_url(self) -> str:
        """The URL as everything but the fetch shows and keeps it: its credentials masked."""
        return masked(self.url)

    def scrub(self, text: str) -> str:
        """``text`` with this source's URL credentials masked, wherever they appear in it."""
        for secret in secrets_of(self.url):
            text = text.replace(secret, "***")
        return text

    @property
    def settings(self) -> dict[str, object]:
        """How the text is got and read, as each version records it (``settings`` in meta).

        A version read with other settings is compared only after an ``upgrade``
        (see :mod:`tracker.pipeline.upgrade`): a new selector is not a new agreement.
        ``ignore`` is not among them: it applies when texts are compared.
        """
        return {
            "url": self.shown_url,
            "kind": self.kind,
            "selector": list(self.selectors),
            "remove": list(self.remove),
            **self.options.recorded(),
        }

    def rereadable_keys(self) -> frozenset[str]:
        """Settings the stored page can be read again with."""
        return self.rereadable | self.options.rereadable


@dataclass(frozen=True)
class Watch:
    """A named set of clauses or keywords whose changes deserve attention."""

    name: str = setting(read=line)
    sources: tuple[str, ...] = setting((), read=strings)  # empty: every source
    clauses: tuple[str, ...] = setting((), read=strings)
    keywords: tuple[str, ...] = setting((), read=strings)
    amounts: bool = setting(False, read=boolean)  # any change to a sum of money (5000 元)
    severity: str = setting("warning", read=choice(*SEVERITIES))

    def __post_init__(self) -> None:
        if not self.clauses and not self.keywords and not self.amounts:
            raise Invalid("needs clauses, keywords or amounts = true")


@dataclass(frozen=True)
class Config:
    path: str  # shown in messages; "<built-in default>" when no file was given
    settings: Settings
    sources: tuple[Source, ...]
    watches: tuple[Watch, ...] = ()
    channels: tuple[Channel, ...] = ()
    # The whole file's sources when ``sources`` is a part of them (``--source``, one
    # process's share): an agreement that incorporates a checked one may be outside it.
    whole: tuple[Source, ...] = ()

    @property
    def every_source(self) -> tuple[Source, ...]:
        """Every source the file names, checked in this run or not."""
        return self.whole or self.sources

    def part(self, sources: tuple[Source, ...]) -> Config:
        """This configuration checking only ``sources``, still knowing every other."""
        return dataclasses.replace(self, sources=sources, whole=self.every_source)

    def source(self, source_id: str) -> Source:
        """The source with this id; :class:`~tracker.errors.UnknownSource` if there is none."""
        for source in self.every_source:
            if source.id == source_id:
                return source
        raise UnknownSource(source_id, self.path, [s.id for s in self.every_source])

    def only(self, source_ids: list[str] | None) -> Config:
        """This configuration with only the named sources (every one when None)."""
        if not source_ids:
            return self
        wanted = {self.source(sid).id for sid in source_ids}
        return self.part(tuple(s for s in self.sources if s.id in wanted))
