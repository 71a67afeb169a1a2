"""Configuration: TOML in, validated dataclasses out.

Every problem becomes one :class:`ConfigError` naming the file, the key and
what is wrong, so the command line can print a single line and exit 2.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx

from .config_values import Reader
from .errors import ConfigError
from .extract import InvalidSelector, check_selector
from .layout import RESERVED
from .model import SEVERITIES

if TYPE_CHECKING:
    from .notify import Channel

DEFAULT_USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
DEFAULT_ACCEPT_LANGUAGE = "zh-CN,zh;q=0.9"

_ID_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")
_ID_MAX = 64  # a folder name, with room to spare on any file system
# Pseudo-classes that match only what a user is doing: never anything in a fetched page.
_USER_ACTION = re.compile(r":(?:hover|focus|focus-within|focus-visible|active|visited|target)\b")


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


@dataclass(frozen=True)
class Source:
    """One watched agreement page."""

    id: str
    name: str
    url: str
    selectors: tuple[str, ...] = ("body",)
    remove: tuple[str, ...] = ()
    ignore: tuple[re.Pattern[str], ...] = ()
    min_length: int = 100
    interval: float | None = None
    cron: str | None = None
    baseline: Path | None = None

    @property
    def fingerprint(self) -> str:
        """What, besides the page bytes, decides the extracted text."""
        parts = [*self.selectors, "|", *self.remove, "|", *(p.pattern for p in self.ignore)]
        return "\x1f".join(parts)


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


def url_problem(url: str) -> str | None:
    """What is wrong with a page URL, or None: checked now, not when the fetch fails."""
    if any(c.isspace() for c in url):
        return "has spaces (percent-encode them as %20)"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises on a port out of range or a broken IPv6 host)
        httpx.URL(url)
    except (ValueError, httpx.InvalidURL) as exc:
        return f"is not a valid URL ({exc})"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "is not an http(s) URL"
    return None


# --------------------------------------------------------------------------- loading

BUILTIN = "<built-in default>"


def resolve(path: str | Path | None, cwd: Path | None = None) -> Path | None:
    """The file ``load`` reads: ``path``, else ``./tracker.toml``, else None (built-in)."""
    if path is not None:
        return Path(path)
    local = (cwd or Path.cwd()) / "tracker.toml"
    return local if local.is_file() else None


def load(
    path: str | Path | None = None,
    cwd: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> Config:
    """Load ``path``; without one, ``./tracker.toml`` or else the built-in default.

    Secrets named by ``*_env`` keys are read from ``environ`` (default: the process's).
    """
    cwd = cwd or Path.cwd()
    env = os.environ if environ is None else environ
    path = resolve(path, cwd)
    if path is None:
        text = resources.files("tracker").joinpath("data/default.toml").read_text("utf-8")
        data_dir = Path(str(resources.files("tracker").joinpath("data")))
        # The default keeps its state beside the user, and its baseline in the package.
        return parse(text, BUILTIN, state_base=cwd, file_base=data_dir, environ=env)
    path = Path(path)
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        raise ConfigError(str(path), None, "file not found") from None
    except UnicodeDecodeError:
        raise ConfigError(str(path), None, "not UTF-8 text") from None
    except OSError as exc:
        raise ConfigError(str(path), None, exc.strerror or str(exc)) from None
    base = path.resolve().parent
    return parse(text, str(path), state_base=base, file_base=base, environ=env)


def parse(
    text: str,
    name: str,
    state_base: Path,
    file_base: Path,
    environ: Mapping[str, str] | None = None,
) -> Config:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(name, None, f"invalid TOML: {exc}") from None
    r = Reader(name)
    r.keys(data, "", {"tracker", "source", "watch", "notify"})
    settings = _settings(r, r.table(data, "tracker"), state_base)
    raw_sources = r.array_of_tables(data, "source")
    if not raw_sources:
        raise ConfigError(name, "source", "no [[source]] configured")
    sources = tuple(_source(r, raw, i, file_base) for i, raw in enumerate(raw_sources, 1))
    seen: set[str] = set()
    for src in sources:
        if src.id in seen:
            raise ConfigError(name, f"source.{src.id}.id", f"duplicate id {src.id!r}")
        seen.add(src.id)
    watches = tuple(
        _watch(r, raw, i, seen) for i, raw in enumerate(r.array_of_tables(data, "watch"), 1)
    )
    named: set[str] = set()
    for i, watch in enumerate(watches, 1):
        if watch.name in named:
            raise ConfigError(name, f"watch[{i}].name", f"duplicate watch name {watch.name!r}")
        named.add(watch.name)
    from .notify import parse_channels  # the channels register themselves on import

    tables = r.array_of_tables(data, "notify")
    channels = parse_channels(tables, name, os.environ if environ is None else environ)
    return Config(name, settings, sources, watches, channels)


def _settings(r: Reader, t: dict[str, Any], base: Path) -> Settings:
    r.keys(t, "tracker", set(Settings.__dataclass_fields__))
    d = Settings(state_dir=base / "snapshots")
    return Settings(
        state_dir=base / r.line(t, "tracker", "state_dir", "snapshots"),
        timeout=r.duration(t, "tracker", "timeout", d.timeout),
        retries=r.integer(t, "tracker", "retries", d.retries, minimum=0),
        backoff=r.duration(t, "tracker", "backoff", d.backoff, zero=True),
        max_retry_after=r.duration(t, "tracker", "max_retry_after", d.max_retry_after, zero=True),
        max_bytes=r.size(t, "tracker", "max_bytes", d.max_bytes),
        max_redirects=r.integer(t, "tracker", "max_redirects", d.max_redirects, minimum=0),
        concurrency=r.integer(t, "tracker", "concurrency", d.concurrency, minimum=1),
        per_host=r.integer(t, "tracker", "per_host", d.per_host, minimum=1),
        processes=_processes(r, t),
        user_agent=r.string(t, "tracker", "user_agent", d.user_agent),
        accept_language=r.string(t, "tracker", "accept_language", d.accept_language),
        lock_timeout=r.duration(t, "tracker", "lock_timeout", d.lock_timeout),
        truncation_ratio=r.ratio(t, "tracker", "truncation_ratio", d.truncation_ratio),
        truncation_confirmations=r.integer(
            t, "tracker", "truncation_confirmations", d.truncation_confirmations, minimum=1
        ),
        failure_alert_after=r.integer(
            t, "tracker", "failure_alert_after", d.failure_alert_after, minimum=1
        ),
        interval=r.duration(t, "tracker", "interval", d.interval),
        outbox_interval=r.duration(t, "tracker", "outbox_interval", d.outbox_interval),
    )


def _processes(r: Reader, t: dict[str, Any]) -> int | None:
    value = t.get("processes", "auto")
    if value == "auto":
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise r.fail("tracker", "processes", 'must be "auto" or a whole number >= 1')
    return value


_SOURCE_KEYS = {
    "id",
    "name",
    "url",
    "selector",
    "remove",
    "ignore",
    "min_length",
    "interval",
    "cron",
    "baseline",
}


def _source(r: Reader, t: dict[str, Any], index: int, base: Path) -> Source:
    where = f"source[{index}]"
    sid = t.get("id")
    if not isinstance(sid, str) or not _ID_RE.match(sid):
        problem = "missing" if sid is None else f"{sid!r} is not of the form [a-z0-9-]"
        raise ConfigError(r.name, f"{where}.id", problem)
    if len(sid) > _ID_MAX:
        raise ConfigError(r.name, f"{where}.id", f"longer than {_ID_MAX} characters")
    if sid in RESERVED:
        raise ConfigError(r.name, f"{where}.id", f"{sid!r} is reserved for tracker's own folder")
    where = f"source.{sid}"
    r.keys(t, where, _SOURCE_KEYS)
    url = t.get("url")
    if not isinstance(url, str) or not url.strip():
        raise ConfigError(r.name, f"{where}.url", "missing")
    if problem := url_problem(url.strip()):
        raise ConfigError(r.name, f"{where}.url", f"{url!r} {problem}")
    selectors = r.strings(t, where, "selector", ["body"], one_allowed=True)
    remove = r.strings(t, where, "remove", [])
    for key, values in (("selector", selectors), ("remove", remove)):
        for sel in values:
            try:
                check_selector(sel)
            except InvalidSelector as exc:
                raise ConfigError(
                    r.name, f"{where}.{key}", f"invalid CSS selector {sel!r}: {exc}"
                ) from None
            if m := _USER_ACTION.search(sel):
                problem = f"{sel!r}: {m.group(0)} matches what a user does, never a fetched page"
                raise ConfigError(r.name, f"{where}.{key}", problem)
    ignore = []
    for pattern in r.strings(t, where, "ignore", []):
        try:
            ignore.append(re.compile(pattern))
        except re.error as exc:
            problem = f"invalid regex {pattern!r}: {exc}"
            raise ConfigError(r.name, f"{where}.ignore", problem) from None
    baseline = None
    if "baseline" in t:
        baseline = base / r.string(t, where, "baseline", "")
        if not baseline.is_file():
            raise ConfigError(r.name, f"{where}.baseline", f"no such file: {baseline}")
    cron = None
    if "cron" in t:
        cron = r.string(t, where, "cron", "")
        if "interval" in t:
            raise ConfigError(r.name, f"{where}.cron", "give interval or cron, not both")
        from apscheduler.triggers.cron import CronTrigger  # the scheduler, only when needed

        try:
            CronTrigger.from_crontab(cron)
        except ValueError as exc:
            raise ConfigError(r.name, f"{where}.cron", f"invalid cron expression: {exc}") from None
    return Source(
        id=sid,
        name=r.line(t, where, "name", sid),
        url=url.strip(),
        selectors=tuple(selectors),
        remove=tuple(remove),
        ignore=tuple(ignore),
        min_length=r.integer(t, where, "min_length", 100, minimum=0),
        interval=r.duration(t, where, "interval", None),
        cron=cron,
        baseline=baseline,
    )


def _watch(r: Reader, t: dict[str, Any], index: int, source_ids: set[str]) -> Watch:
    where = f"watch[{index}]"
    r.keys(t, where, {"name", "sources", "clauses", "keywords", "amounts", "severity"})
    if "name" not in t:
        raise ConfigError(r.name, f"{where}.name", "missing")
    name = r.line(t, where, "name", "")
    where = f"watch.{name}"
    sources = r.strings(t, where, "sources", [])
    for sid in sources:
        if sid not in source_ids:
            raise ConfigError(r.name, f"{where}.sources", f"no source with id {sid!r}")
    severity = r.string(t, where, "severity", "warning")
    if severity not in SEVERITIES:
        raise ConfigError(r.name, f"{where}.severity", f"{severity!r} is not one of {SEVERITIES}")
    clauses = r.strings(t, where, "clauses", [])
    keywords = r.strings(t, where, "keywords", [])
    amounts = r.boolean(t, where, "amounts", False)
    if not clauses and not keywords and not amounts:
        raise ConfigError(r.name, where, "needs clauses, keywords or amounts = true")
    return Watch(name, tuple(sources), tuple(clauses), tuple(keywords), amounts, severity)
