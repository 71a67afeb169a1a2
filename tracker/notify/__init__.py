"""Notification channels: Slack, email and webhook, registered by kind.

A channel turns a message (one source's alert, as stored in the outbox) into
something a person reads, and sends it.  Channels register themselves with
:func:`register`; configuration finds them by their ``kind``.  Secrets come
from the environment (``*_env`` keys) or the file, are held in
:class:`Secret`, and never reach a log line or an error message.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING, Any, ClassVar

from ..errors import ConfigError, TrackerError
from ..model import SEVERITIES, rank

if TYPE_CHECKING:
    from .courier import Courier


class DeliveryError(TrackerError):
    """A message could not be sent to one channel.

    ``transient`` failures (connection, timeout, 429, 5xx) leave it queued and are
    retried as long as it takes; the others mark that one message failed on that
    channel, with this reason, until ``tracker outbox --retry``.
    """

    def __init__(
        self, reason: str, *, transient: bool = True, retry_after: float | None = None
    ) -> None:
        self.reason = " ".join(reason.split())
        self.transient = transient
        self.retry_after = retry_after
        super().__init__(self.reason)


@dataclass(frozen=True)
class Secret:
    """A value that must never be shown: its repr and str name only where it came from."""

    value: str = field(repr=False)
    origin: str = "the configuration file"

    def __str__(self) -> str:
        return f"<secret from {self.origin}>"


@dataclass(frozen=True)
class Channel:
    """Where messages go.  Subclasses add their settings and implement :meth:`send`."""

    kind: ClassVar[str]
    name: str
    min_severity: str = "info"

    def wants(self, severity: str) -> bool:
        return rank(severity) >= rank(self.min_severity)

    async def send(self, message: Mapping[str, Any], courier: Courier) -> None:
        """Send one message, or raise DeliveryError (anything else: it cannot be built)."""
        raise NotImplementedError

    @classmethod
    def from_table(cls, table: Mapping[str, Any], where: str, ctx: ParseContext) -> Channel:
        raise NotImplementedError


# A field read from ``key`` or from ``key_env`` (the name of an environment variable).
SECRET = {"secret": True}


def channel_keys(cls: type[Channel]) -> set[str]:
    """The keys a ``[[notify]]`` table of this kind may hold: its fields, as spelled in files."""
    keys = {"kind", "name", "min_severity"}
    for f in fields(cls):
        key = f.metadata.get("key", f.name)
        keys.add(key)
        if f.metadata.get("secret"):
            keys.add(f"{key}_env")
    return keys


_REGISTRY: dict[str, type[Channel]] = {}


def register(cls: type[Channel]) -> type[Channel]:
    _REGISTRY[cls.kind] = cls
    return cls


@dataclass
class ParseContext:
    """What a channel needs to read its table: the file name and the environment."""

    file: str
    environ: Mapping[str, str]

    def fail(self, key: str, problem: str) -> ConfigError:
        return ConfigError(self.file, key, problem)

    def string(self, t: Mapping[str, Any], where: str, key: str, default: str | None = None) -> str:
        value = t.get(key, default)
        if not isinstance(value, str) or not value:
            raise self.fail(f"{where}.{key}", "missing" if value is None else "must be a string")
        return value

    def secret(
        self, t: Mapping[str, Any], where: str, key: str, required: bool = True
    ) -> Secret | None:
        """``key`` from the file, or ``key_env`` naming an environment variable."""
        env_key = f"{key}_env"
        if key in t and env_key in t:
            raise self.fail(f"{where}.{key}", f"give {key} or {env_key}, not both")
        if env_key in t:
            var = self.string(t, where, env_key)
            value = self.environ.get(var)
            if not value:
                raise self.fail(f"{where}.{env_key}", f"environment variable {var} is not set")
            return Secret(value, f"${var}")
        if key in t:
            return Secret(self.string(t, where, key))
        if required:
            raise self.fail(f"{where}.{key}", f"missing (or set {env_key})")
        return None


def http_url(ctx: ParseContext, table: Mapping[str, Any], where: str, key: str) -> Secret:
    """A webhook URL (``key`` or ``key_env``): a secret, since it carries its own credentials."""
    url = ctx.secret(table, where, key)
    assert url is not None
    if not url.value.startswith(("https://", "http://")):
        raise ctx.fail(f"{where}.{key}", "is not an http(s) URL")
    return url


def parse_channels(
    tables: Sequence[Mapping[str, Any]], file: str, environ: Mapping[str, str]
) -> tuple[Channel, ...]:
    # Importing the channel modules registers them.
    from . import email, slack, webhook  # noqa: F401

    ctx = ParseContext(file, environ)
    channels: list[Channel] = []
    for index, t in enumerate(tables, 1):
        kind = t.get("kind")
        where = f"notify[{index}]"
        if kind not in _REGISTRY:
            known = ", ".join(sorted(_REGISTRY))
            raise ctx.fail(f"{where}.kind", f"{kind!r} is not one of: {known}")
        cls = _REGISTRY[kind]
        allowed = channel_keys(cls)
        for key in t:
            if key not in allowed:
                raise ctx.fail(f"{where}.{key}", f"unknown key: not a key of {kind} channels")
        if "name" in t:
            name = t["name"]
            if not isinstance(name, str) or not name.strip():
                raise ctx.fail(f"{where}.name", "must be a string (a channel's name)")
            if any(ord(c) < 32 or ord(c) == 127 for c in name):
                raise ctx.fail(f"{where}.name", "must be one line, without control characters")
        severity = t.get("min_severity", "info")
        if severity not in SEVERITIES:
            raise ctx.fail(f"{where}.min_severity", f"{severity!r} is not one of {SEVERITIES}")
        channels.append(cls.from_table(t, where, ctx))
    names = [c.name for c in channels]
    # Unnamed channels of one kind are told apart by their position among that kind.
    seen: dict[str, int] = {}
    for i, c in enumerate(channels):
        if "name" not in tables[i] and names.count(c.name) > 1:
            seen[c.name] = seen.get(c.name, 0) + 1
            channels[i] = replace(c, name=f"{c.name}-{seen[c.name]}")
    final = [c.name for c in channels]
    for i, name in enumerate(final):
        if final.count(name) > 1:
            raise ctx.fail(f"notify[{i + 1}].name", f"duplicate channel name {name!r}")
    return tuple(channels)
