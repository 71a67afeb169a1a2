"""Loading a configuration: the file (or the built-in default) into a :class:`Config`.

The loader knows no source kind and no channel: the composition root
(:mod:`tracker.cli`) hands it the registries, each kind's settings as a
dataclass.  Every problem becomes one :class:`ConfigError` naming the file,
the key and what is wrong, so the command line can print a single line and exit 2.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError
from .checks import source_id
from .schema import Config, Options, Settings, Source, Watch
from .values import Context, Invalid, keys, read

if TYPE_CHECKING:
    from ..notify.channel import Channel

BUILTIN = "<built-in default>"


@dataclass(frozen=True)
class Registry:
    """The kinds a configuration may name: each source kind's and channel's settings class."""

    kinds: Mapping[str, type[Options]]
    channels: Mapping[str, type[Channel]]


def resolve(path: str | Path | None, cwd: Path | None = None) -> Path | None:
    """The file ``load`` reads: ``path``, else ``./tracker.toml``, else None (built-in)."""
    if path is not None:
        return Path(path)
    local = (cwd or Path.cwd()) / "tracker.toml"
    return local if local.is_file() else None


def load(
    registry: Registry,
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
        return parse(registry, text, Context(BUILTIN, cwd, data_dir, env))
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        raise ConfigError(str(path), None, "file not found") from None
    except UnicodeDecodeError:
        raise ConfigError(str(path), None, "not UTF-8 text") from None
    except OSError as exc:
        raise ConfigError(str(path), None, exc.strerror or str(exc)) from None
    base = path.resolve().parent
    return parse(registry, text, Context(str(path), base, base, env))


def parse(registry: Registry, text: str, ctx: Context) -> Config:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(ctx.file, None, f"invalid TOML: {exc}") from None
    except RecursionError:
        raise ConfigError(ctx.file, None, "invalid TOML: values nested too deep") from None
    for key in data:
        if key not in ("tracker", "source", "watch", "notify"):
            raise ConfigError(ctx.file, key, "unknown key")
    table = data.get("tracker", {})
    if not isinstance(table, dict):
        raise ConfigError(ctx.file, "tracker", "must be a table, [tracker]")
    # The default state folder, like any given, is beside the configuration file.
    beside = {} if "state_dir" in table else {"state_dir": ctx.state_base / "snapshots"}
    settings = read(Settings, table, "tracker", ctx, given=beside)
    raw_sources = _tables(data, "source", ctx)
    if not raw_sources:
        raise ConfigError(ctx.file, "source", "no [[source]] configured")
    sources = tuple(_source(registry, t, i, ctx) for i, t in enumerate(raw_sources, 1))
    seen: set[str] = set()
    for src in sources:
        if src.id in seen:
            raise ConfigError(ctx.file, f"source.{src.id}.id", f"duplicate id {src.id!r}")
        seen.add(src.id)
    for src in sources:
        if src.translation_of is not None and src.translation_of not in seen - {src.id}:
            where, known = f"source.{src.id}.translation_of", ", ".join(sorted(seen - {src.id}))
            raise ConfigError(ctx.file, where, f"no other source {src.translation_of!r} ({known})")
    watches = tuple(_watch(t, i, seen, ctx) for i, t in enumerate(_tables(data, "watch", ctx), 1))
    named: set[str] = set()
    for i, watch in enumerate(watches, 1):
        if watch.name in named:
            raise ConfigError(ctx.file, f"watch[{i}].name", f"duplicate watch name {watch.name!r}")
        named.add(watch.name)
    channels = _channels(registry, _tables(data, "notify", ctx), ctx)
    return Config(ctx.file, settings, sources, watches, channels)


def _tables(data: Mapping[str, Any], key: str, ctx: Context) -> list[dict[str, Any]]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ConfigError(ctx.file, key, f"must be an array of tables, [[{key}]]")
    return value


def _source(registry: Registry, t: Mapping[str, Any], index: int, ctx: Context) -> Source:
    """One ``[[source]]``: its common keys, then its kind's own keys."""
    ident = _ident(t, f"source[{index}]", ctx)
    where = f"source.{ident}"
    kind = t.get("kind", "page")
    if kind not in registry.kinds:
        known = ", ".join(sorted(registry.kinds))
        raise ConfigError(ctx.file, f"{where}.kind", f"{kind!r} is not one of {known}")
    options_class = registry.kinds[kind]
    own = {k: v for k, v in t.items() if k in keys(options_class)}
    common = {k: v for k, v in t.items() if k not in own and k != "kind"}
    for key in common:
        if key not in keys(Source):
            raise ConfigError(ctx.file, f"{where}.{key}", _unknown_source_key(registry, key, kind))
    options = read(options_class, own, where, ctx)
    given = {"id": ident, "kind": kind, "options": options}
    return read(Source, common, where, ctx, given=given)


def _ident(t: Mapping[str, Any], where: str, ctx: Context) -> str:
    """The source's id, read first: the other keys are named after it."""
    if "id" not in t:
        raise ConfigError(ctx.file, f"{where}.id", "missing")
    try:
        return source_id(t["id"], ctx)
    except Invalid as exc:
        raise ConfigError(ctx.file, f"{where}.id", exc.problem) from None


def _unknown_source_key(registry: Registry, key: str, kind: str) -> str:
    owners = sorted(k for k, cls in registry.kinds.items() if key in keys(cls))
    if owners:
        return f'applies to kind = "{owners[0]}" sources, not {kind}'
    return "unknown key"


def _watch(t: Mapping[str, Any], index: int, source_ids: set[str], ctx: Context) -> Watch:
    where = f"watch[{index}]"
    if "name" not in t:
        raise ConfigError(ctx.file, f"{where}.name", "missing")
    if isinstance(t["name"], str) and t["name"].strip():
        where = f"watch.{t['name']}"
    watch = read(Watch, t, where, ctx)
    for sid in watch.sources:
        if sid not in source_ids:
            raise ConfigError(ctx.file, f"{where}.sources", f"no source with id {sid!r}")
    return watch


def _channels(
    registry: Registry, tables: Sequence[Mapping[str, Any]], ctx: Context
) -> tuple[Channel, ...]:
    channels: list[Channel] = []
    for index, t in enumerate(tables, 1):
        where = f"notify[{index}]"
        kind = t.get("kind")
        if not isinstance(kind, str) or kind not in registry.channels:
            known = ", ".join(sorted(registry.channels))
            raise ConfigError(ctx.file, f"{where}.kind", f"{kind!r} is not one of: {known}")
        cls = registry.channels[kind]
        table = {k: v for k, v in t.items() if k != "kind"}
        for key in table:
            if key not in keys(cls):
                problem = f"unknown key: not a key of {kind} channels"
                raise ConfigError(ctx.file, f"{where}.{key}", problem)
        channels.append(read(cls, table, where, ctx))
    # An unnamed channel is called by its kind: a name nothing else changes, so its waiting
    # messages stay its own.  Two unnamed channels of one kind would have to be told apart
    # by something that changes when a third is added: they need names.
    unnamed: dict[str, int] = {}
    for i, channel in enumerate(channels):
        if channel.name:
            continue
        if channel.kind in unnamed:
            problem = (
                f"two {channel.kind} channels need a name each (the one without keeps "
                f"{channel.kind!r}, so its waiting messages stay its own)"
            )
            raise ConfigError(ctx.file, f"notify[{i + 1}].name", problem)
        unnamed[channel.kind] = i
        channels[i] = dataclasses.replace(channel, name=channel.kind)
    names = [c.name for c in channels]
    for i, name in enumerate(names):
        if names.count(name) > 1:
            raise ConfigError(ctx.file, f"notify[{i + 1}].name", f"duplicate channel name {name!r}")
    return tuple(channels)
