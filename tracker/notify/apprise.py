"""Apprise: every other service, from WeCom, DingTalk and Feishu to Teams, Telegram and ntfy.

``kind = "apprise"`` with ``urls`` (or ``urls_env``: one variable holding one or
more apprise URLs, separated by spaces or commas as apprise reads them).  The
message is the same as every channel's, as Markdown (:mod:`.markdown`), cut to
what each service takes.  Each URL is one part of the channel's delivery: a
retry sends only to the services that did not take it yet.

The apprise library is optional (``pip install 'tracker[apprise]'``) and
imported only to send; without it, the channel says so and its messages wait.
"""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass
from typing import Any, ClassVar

from ..config import Context, Invalid, Secret, secret_setting
from ..message import Message
from .channel import Channel, DeliveryError, Progress, register
from .courier import Courier
from .markdown import markdown
from .text import title

INSTALL = "apprise is not installed: pip install 'tracker[apprise]'"
_SCHEMA = re.compile(r"^([a-z][a-z0-9+.-]*)://", re.I)
# Where one URL ends and the next begins: any space, or a comma before another schema.
_BETWEEN = re.compile(r"\s+|,\s*(?=[a-z][a-z0-9+.-]*://)", re.I)
_SECRETISH = re.compile(r"[^/:?&=@,#.\s]{6,}")  # a URL's parts long enough to be tokens


def split_urls(text: str) -> list[str]:
    """The apprise URLs in ``text``, one per service."""
    return [u.strip(" ,") for u in _BETWEEN.split(text) if u.strip(" ,")]


def _urls(value: Secret, ctx: Context) -> Secret:
    found = split_urls(value.value)
    if not found:
        raise Invalid("holds no apprise URL")
    for n, url in enumerate(found, 1):
        if not _SCHEMA.match(url):  # never quoted: it is the secret
            raise Invalid(f"URL #{n} is not an apprise URL (schema://…)")
    return value


@register
@dataclass(frozen=True, kw_only=True)
class AppriseChannel(Channel):
    kind: ClassVar[str] = "apprise"
    urls: Secret = secret_setting(check=_urls)

    @property
    def targets(self) -> list[str]:
        return split_urls(self.urls.value)

    def unready(self) -> str | None:
        if why := super().unready():
            return why
        try:
            import apprise  # noqa: F401
        except ImportError:
            return INSTALL
        return None

    async def send(self, message: Message, courier: Courier) -> None:
        await self.deliver(message, courier, Progress())

    async def deliver(self, message: Message, courier: Courier, progress: Progress) -> None:
        for part, url in enumerate(self.targets):
            if progress.done(part):
                continue
            await courier.blocking(functools.partial(self._one, message, url, part))
            progress.mark(part)

    def _one(self, message: Message, url: str, part: int) -> None:
        """Send to one service, or raise DeliveryError naming it by schema, never by URL."""
        import apprise

        where = f"{self.label} #{part + 1} ({_schema(url)}://)"
        services = apprise.Apprise()
        if not services.add(url):
            raise DeliveryError(f"{where}: not a URL apprise knows", transient=False)
        [service] = list(services)
        limit = min(20_000, int(getattr(service, "body_maxlen", 0) or 20_000))
        with apprise.LogCapture(level=logging.WARNING) as said:  # type: ignore[no-untyped-call]
            sent = services.notify(
                body=markdown(message, limit),
                title=title(message)[: int(getattr(service, "title_maxlen", 250) or 250)],
                body_format=apprise.NotifyFormat.MARKDOWN,
            )
        if not sent:
            raise DeliveryError(f"{where}: {_why(said, url)}")


def _schema(url: str) -> str:
    m = _SCHEMA.match(url)
    return m.group(1).lower() if m else "?"


def _why(said: Any, url: str) -> str:
    """The last thing apprise logged about the failure, without any part of the URL."""
    lines = [line.strip() for line in said.getvalue().splitlines() if line.strip()]
    if not lines:
        return "the service did not take the message"
    last = lines[-1]
    for secret in _SECRETISH.findall(url):
        last = last.replace(secret, "***")
    return " ".join(last.split())[:160]
