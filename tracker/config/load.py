"""Loading a configuration: the file (or the built-in default) into a :class:`Config`.

Every problem becomes one :class:`ConfigError` naming the file, the key and
what is wrong, so the command line can print a single line and exit 2.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..model import SEVERITIES
from .schema import Config, Settings, Watch, keys
from .source import read_source, url_problem
from .values import Reader

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
    sources = tuple(read_source(r, raw, i, file_base) for i, raw in enumerate(raw_sources, 1))
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
    from ..notify import parse_channels  # the channels register themselves on import

    tables = r.array_of_tables(data, "notify")
    channels = parse_channels(tables, name, os.environ if environ is None else environ)
    return Config(name, settings, sources, watches, channels)


def _settings(r: Reader, t: dict[str, Any], base: Path) -> Settings:
    r.keys(t, "tracker", keys(Settings))
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
        browser=base / r.line(t, "tracker", "browser", "") if "browser" in t else None,
        render_concurrency=r.integer(
            t, "tracker", "render_concurrency", d.render_concurrency, minimum=1
        ),
        render_restart_after=r.integer(
            t, "tracker", "render_restart_after", d.render_restart_after, minimum=1
        ),
        report_dir=base / r.line(t, "tracker", "report_dir", "") if "report_dir" in t else None,
        report_url=_report_url(r, t),
    )


def _report_url(r: Reader, t: dict[str, Any]) -> str | None:
    if "report_url" not in t:
        return None
    url = r.line(t, "tracker", "report_url", "").strip()
    if problem := url_problem(url):
        raise ConfigError(r.name, "tracker.report_url", f"{url!r} {problem}")
    if "report_dir" not in t:
        raise ConfigError(r.name, "tracker.report_url", "needs report_dir: the folder it serves")
    return url.rstrip("/")


def _processes(r: Reader, t: dict[str, Any]) -> int | None:
    value = t.get("processes", "auto")
    if value == "auto":
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise r.fail("tracker", "processes", 'must be "auto" or a whole number >= 1')
    return value


def _watch(r: Reader, t: dict[str, Any], index: int, source_ids: set[str]) -> Watch:
    where = f"watch[{index}]"
    r.keys(t, where, keys(Watch))
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
