"""What a channel is: where messages go, its settings as a dataclass, and its failures.

Each kind of channel is a module with a :class:`Channel` subclass decorated with
:func:`register`; its fields are its keys in a ``[[notify]]`` table, read by the
configuration loader (:mod:`tracker.config.values`).  Secrets are read from the
file or from the environment (``<key>_env``) into
:class:`~tracker.config.Secret`, and never reach a log line or an error message.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from ..config import Context, Invalid, Secret, setting, url_problem
from ..config.values import choice, clock_time, line
from ..errors import TrackerError
from ..message import Message
from ..model import SEVERITIES, Event, rank

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


@dataclass(frozen=True, kw_only=True)
class Channel:
    """Where messages go.  Subclasses add their settings and implement :meth:`send`."""

    kind: ClassVar[str]
    name: str = setting("", read=line)  # "": named by its kind when the file is read
    min_severity: str = setting("info", read=choice(*SEVERITIES))
    digest: str | None = setting(None, read=choice("daily", "weekly"))
    digest_at: str = setting("09:00", read=clock_time)  # UTC; weekly digests go on Mondays
    immediate_severity: str = setting("critical", read=choice(*SEVERITIES))

    def held(self, message: Message) -> bool:
        """Whether ``message`` waits for this channel's digest: a change below
        ``immediate_severity``; failing and recovered go at once, as critical does."""
        return (
            self.digest is not None
            and message.event is Event.CHANGE
            and rank(message.severity) < rank(self.immediate_severity)
        )

    def wants(self, severity: str) -> bool:
        return rank(severity) >= rank(self.min_severity)

    @property
    def label(self) -> str:
        """How messages and errors name it: ``slack 'team'``."""
        return f"{self.kind} {self.name!r}"

    def unready(self) -> str | None:
        """Why this channel cannot send now (a secret's variable is not set), or None.

        Its messages then wait in the outbox, said by ``check``, ``status`` and
        ``outbox``; every source is still checked and every other channel served.
        """
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, Secret) and value.missing:
                return f"environment variable {value.missing} is not set"
        return None

    async def send(self, message: Message, courier: Courier) -> None:
        """Send one message, or raise DeliveryError (anything else: it cannot be built)."""
        raise NotImplementedError

    async def deliver(self, message: Message, courier: Courier, progress: Progress) -> None:
        """Send as the outbox does.  A channel of several services (apprise) overrides this
        to skip the parts ``progress`` has and mark each as it goes, so a retry never sends
        a part twice; a channel of one part just sends."""
        await self.send(message, courier)


class Progress:
    """Which parts of one message's delivery on one channel are done, kept as each is."""

    def __init__(
        self, done: Iterable[int] = (), keep: Callable[[int], None] = lambda part: None
    ) -> None:
        self._done, self._keep = set(done), keep

    def done(self, part: int) -> bool:
        return part in self._done

    def mark(self, part: int) -> None:
        """Part ``part`` has the message: kept at once (a kill after it must not resend it)."""
        self._done.add(part)
        self._keep(part)


def http_url(value: Any, ctx: Context) -> Secret:
    """A webhook's URL: a secret, since it carries its own credentials; checked as a source's
    URL is (never quoted: it is the secret)."""
    if not isinstance(value, Secret):
        raise Invalid("is not an http(s) URL")
    if problem := url_problem(value.value):
        raise Invalid(problem)
    return value


_REGISTRY: dict[str, type[Channel]] = {}


def register(cls: type[Channel]) -> type[Channel]:
    _REGISTRY[cls.kind] = cls
    return cls


def kinds() -> dict[str, type[Channel]]:
    """Every registered kind of channel, by the name a ``[[notify]]`` table gives it."""
    return dict(_REGISTRY)
