"""The one typed reader of configuration tables: every key's name, type and default come
from a dataclass field.

A field read from the file says how in its metadata (:func:`setting`): the key
as the file spells it, and a *reader*, a function from the TOML value to the
typed one that raises :class:`Invalid` with what is wrong.  Checks that span
several keys live in the dataclass's ``__post_init__``, raising :class:`Invalid`
with the key to blame.  :func:`read` turns either into one
:class:`~tracker.errors.ConfigError` naming the file, the key and the problem.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import MISSING, Field, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from ..errors import ConfigError

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

T = TypeVar("T", bound="DataclassInstance")
_DURATION_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, None: 1}
_SIZE_RE = re.compile(r"^\s*(\d+)\s*(b|kb|kib|mb|mib)?\s*$", re.IGNORECASE)
_SIZE_UNITS = {"b": 1, "kb": 1000, "kib": 1024, "mb": 1000**2, "mib": 1024**2}
MAX_DURATION = 366 * 86400.0  # a year: longer is a typo, and overflows the scheduler
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class Invalid(Exception):
    """A value (or, with ``key``, a combination of values) the configuration cannot take."""

    def __init__(self, problem: str, key: str | None = None) -> None:
        self.problem = problem
        self.key = key
        super().__init__(problem)


@dataclass(frozen=True)
class Secret:
    """A value that must never be shown: its repr and str name only where it came from.

    ``missing`` names the environment variable a ``*_env`` key names when it is not
    set: only what uses the secret fails (a channel's messages wait), never the load.
    """

    value: str = field(repr=False)
    origin: str = "the configuration file"
    missing: str | None = None

    def __str__(self) -> str:
        return f"<secret from {self.origin}>"

    def __bool__(self) -> bool:
        return self.missing is None


@dataclass(frozen=True)
class Context:
    """What readers may need besides the value: where relative paths start, the environment."""

    file: str
    state_base: Path  # [tracker] paths (state_dir, report_dir, browser)
    file_base: Path  # a source's files (baseline)
    environ: Mapping[str, str]


Reader = Callable[[Any, Context], Any]


@dataclass(frozen=True)
class Spec:
    """How one field is read: its key in the file, its reader, and whether it is a secret."""

    read: Reader
    key: str | None = None
    secret: bool = False  # also read from ``<key>_env``, the name of an environment variable


def setting(default: Any = MISSING, *, read: Reader, key: str | None = None) -> Any:
    """A field read from the file by ``read``; without a default, the key must be given."""
    meta = {"config": Spec(read, key)}
    if default is MISSING:
        return field(metadata=meta)
    if isinstance(default, list | dict | set):
        raise TypeError("use a tuple or a frozen default")
    return field(default=default, metadata=meta)


def secret_setting(
    *, key: str | None = None, required: bool = True, check: Reader | None = None
) -> Any:
    """A secret: ``key`` in the file, or ``key_env`` naming an environment variable."""
    spec = Spec(check or (lambda value, ctx: value), key, secret=True)
    meta = {"config": spec}
    return field(metadata=meta) if required else field(default=None, metadata=meta)


def spec_of(f: Field[Any]) -> Spec | None:
    spec = f.metadata.get("config")
    return spec if isinstance(spec, Spec) else None


@functools.cache
def specs(schema: type) -> tuple[tuple[Field[Any], Spec], ...]:
    """Each field of ``schema`` a file sets, with its spec: worked out once per kind, not
    once per table (a thousand sources are a thousand tables of one kind)."""
    return tuple((f, spec) for f in dataclasses.fields(schema) if (spec := spec_of(f)))


def keys(schema: type) -> frozenset[str]:
    """The keys a table of ``schema`` may hold, as the file spells them."""
    out = set()
    for f, spec in specs(schema):
        key = spec.key or f.name
        out.add(key)
        if spec.secret:
            out.add(f"{key}_env")
    return frozenset(out)


def read(
    schema: type[T],
    table: Mapping[str, Any],
    where: str,
    ctx: Context,
    given: Mapping[str, Any] | None = None,
    allowed: set[str] | None = None,
) -> T:
    """An instance of ``schema`` from ``table``: every key checked, every problem one line.

    ``given`` are fields set by the caller, not read from the table; ``allowed``
    are keys the caller reads itself (they are not unknown).
    """
    known = keys(schema) | (allowed or set())
    for key in table:
        if key not in known:
            raise ConfigError(ctx.file, f"{where}.{key}", "unknown key")
    values: dict[str, Any] = dict(given or {})
    for f, spec in specs(schema):
        if f.name in values:
            continue
        key = spec.key or f.name
        try:
            if spec.secret:
                value = _secret(table, key, ctx)
                if value is not None:  # checked once it is there to check
                    values[f.name] = spec.read(value, ctx) if value else value
                elif f.default is MISSING:
                    raise Invalid(f"missing (or set {key}_env)")
            elif key in table:
                values[f.name] = spec.read(table[key], ctx)
            elif f.default is MISSING and f.default_factory is MISSING:
                raise Invalid("missing")
        except Invalid as exc:
            raise ConfigError(ctx.file, f"{where}.{exc.key or key}", exc.problem) from None
    try:
        return schema(**values)
    except Invalid as exc:
        blame = f"{where}.{exc.key}" if exc.key else where
        raise ConfigError(ctx.file, blame, exc.problem) from None


def _secret(table: Mapping[str, Any], key: str, ctx: Context) -> Secret | None:
    env_key = f"{key}_env"
    if key in table and env_key in table:
        raise Invalid(f"give {key} or {env_key}, not both")
    if env_key in table:
        var = table[env_key]
        if not isinstance(var, str) or not var:
            raise Invalid("must be a string", env_key)
        value = ctx.environ.get(var)
        return Secret(value, f"${var}") if value else Secret("", f"${var}", missing=var)
    if key in table:
        value = table[key]
        if isinstance(value, list) and value and all(isinstance(v, str) and v for v in value):
            return Secret("\n".join(value))  # several, one per line (apprise's URLs)
        return Secret(string(value, ctx))
    return None


# -- readers: a TOML value in, a typed value out, or Invalid -----------------------------


def string(value: Any, ctx: Context) -> str:
    if not isinstance(value, str) or not value:
        raise Invalid("must be a string")
    return value


def line(value: Any, ctx: Context) -> str:
    """A non-empty string of one line: names go into headers and log lines."""
    if not isinstance(value, str):
        raise Invalid("must be a string")
    if not value.strip():
        raise Invalid("must not be empty")
    if _CONTROL.search(value):
        raise Invalid("must be one line, without control characters")
    return value


def clock_time(value: Any, ctx: Context) -> str:
    """A time of day, ``HH:MM`` (24 hours)."""
    if not isinstance(value, str) or not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
        raise Invalid('must be a time of day, "HH:MM" (UTC)')
    return value


def header(value: Any, ctx: Context) -> str:
    """A value sent in an HTTP header: one line of ASCII."""
    found = line(value, ctx)
    if not found.isascii():
        raise Invalid("must be ASCII: it is sent in an HTTP header")
    return found


def lines(value: Any, ctx: Context) -> tuple[str, ...]:
    """A string or a list of them, each one line: names and addresses go into headers."""
    found = [value] if isinstance(value, str) else value
    if not isinstance(found, list) or not found:
        raise Invalid("must be a string or a list of them")
    return tuple(line(v, ctx) for v in found)


def strings(value: Any, ctx: Context) -> tuple[str, ...]:
    """A list of non-empty strings (possibly empty)."""
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise Invalid("must be a list of non-empty strings")
    return tuple(value)


def one_or_more(value: Any, ctx: Context) -> tuple[str, ...]:
    """A string, or a non-empty list of them."""
    found = strings([value] if isinstance(value, str) else value, ctx)
    if not found:
        raise Invalid("must not be empty")
    return found


def boolean(value: Any, ctx: Context) -> bool:
    if not isinstance(value, bool):
        raise Invalid("must be true or false")
    return value


def integer(minimum: int, maximum: int | None = None) -> Reader:
    def whole(value: Any, ctx: Context) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise Invalid(f"must be a whole number >= {minimum}")
        if maximum is not None and value > maximum:
            raise Invalid(f"must be a whole number from {minimum} to {maximum}")
        return value

    return whole


def ratio(value: Any, ctx: Context) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < 1:
        raise Invalid("must be a number from 0 to below 1")
    return float(value)


def parse_duration(value: object) -> float | None:
    """``"30m"``, ``"6h"``, ``"1d"``, ``"500ms"`` or a number of seconds; None if invalid."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if value >= 0 else None
    if isinstance(value, str) and (m := _DURATION_RE.match(value)):
        return float(m.group(1)) * _UNITS[m.group(2)]
    return None


def duration(zero: bool = False, minimum: float = 0.0) -> Reader:
    """A duration in seconds: above zero (or zero, if ``zero``), at least ``minimum`` (a floor
    that keeps a typo from hammering a site or spinning a loop), at most a year."""

    def seconds(value: Any, ctx: Context) -> float:
        found = parse_duration(value)
        if found is None:
            raise Invalid(f"{value!r} is not a duration like '30s', '30m' or '6h'")
        if found == 0 and zero:
            return found
        if found == 0:
            raise Invalid("must be more than zero")
        if found < minimum:
            raise Invalid(f"{value!r} is too short: at least {minimum:g}s")
        if found > MAX_DURATION:
            raise Invalid(f"{value!r} is longer than a year")
        return found

    return seconds


def size(value: Any, ctx: Context) -> int:
    """A number of bytes, more than zero: 5000000 or "5MB"."""
    found = 0
    if isinstance(value, int) and not isinstance(value, bool):
        found = value
    elif isinstance(value, str) and (m := _SIZE_RE.match(value)):
        found = int(m.group(1)) * _SIZE_UNITS[(m.group(2) or "b").lower()]
    if found <= 0:
        raise Invalid(f'{value!r} is not a size like 5000000 or "5MB"')
    return found


def choice(*allowed: str) -> Reader:
    def one_of(value: Any, ctx: Context) -> str:
        if not isinstance(value, str):
            raise Invalid("must be a string")
        if value not in allowed:
            raise Invalid(f"{value!r} is not one of {', '.join(allowed)}")
        return value

    return one_of


def state_path(value: Any, ctx: Context) -> Path:
    """A path in ``[tracker]``, relative to the configuration file's folder."""
    return ctx.state_base / line(value, ctx)


def file_path(value: Any, ctx: Context) -> Path:
    """A text file a source names (a baseline), relative to the configuration file's folder:
    read once now, so a file that cannot be is said here and not on every run."""
    path = ctx.file_base / string(value, ctx)
    if not path.is_file():
        raise Invalid(f"no such file: {path}")
    try:
        path.read_text("utf-8")
    except UnicodeDecodeError:
        raise Invalid(f"{path} is not UTF-8 text") from None
    except OSError as exc:
        raise Invalid(f"{path}: {exc.strerror or exc}") from None
    return path
