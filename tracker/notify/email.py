"""Email over SMTP: a plain-text part and a readable HTML part, both from the same message.

The subject names the agreement and the top clause.  The HTML part is what a
lawyer forwards: a severity badge, the version and when the old text was last
seen, each change with deletions struck and insertions green (and marked, so
they read without colour), emphasis as emphasis, and a footer with the
``tracker diff`` command and the report page.
Uses the standard library's smtplib and email: STARTTLS or implicit TLS,
optional login with a password from the environment.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass, replace
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any, ClassVar

from markupsafe import Markup

from ..config import Context, Invalid, Secret, secret_setting, setting
from ..config.values import boolean, integer, line, lines, string
from ..message import Message
from ..model import Change, ChangeKind, Event
from ..text.controls import neutral
from ..text.shown import Piece
from .channel import Channel, DeliveryError, register
from .courier import Courier
from .html import esc, pieces_html
from .text import (
    body_pieces,
    change_heading,
    digest_line,
    event_line,
    excerpt,
    facts_line,
    following_lines,
    plain_text,
    recorded_line,
    reference_lines,
    title,
)

_BADGE = {"info": "#1565c0", "warning": "#b26a00", "critical": "#c62828"}
_EVENT_BADGE = {Event.FAILING: ("FAILING", "#c62828"), Event.RECOVERED: ("RECOVERED", "#2e7d32")}


def subject(message: Message) -> str:
    """One line, whatever the page or the configuration holds: a header cannot break."""
    return " ".join(neutral(f"[tracker] {title(message)}").split())


def html_body(message: Message) -> str:
    """The HTML part, from ``templates/email.html`` (Jinja2, every value escaped)."""
    import jinja2  # only when a mail is built: not on every check's start-up

    badge, colour = _EVENT_BADGE.get(
        message.event, (message.severity.upper(), _BADGE.get(message.severity, "#555"))
    )
    digest = message.event is Event.DIGEST
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("tracker.notify", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    return env.get_template("email.html").render(
        title=neutral(title(message)),
        badge=badge,
        badge_colour=colour,
        digest_line=digest_line(message) if digest else "",
        sections=[_section(m) for m in (message.items if digest else (message,))],
    )


def _section(message: Message) -> dict[str, Any]:
    """What the mail says of one message (a digest says it of each it gathers)."""
    about = message.outcome
    has_command = about.version and message.event is Event.CHANGE
    return {
        "title": neutral(title(message)),
        "name": neutral(about.name),
        "url": about.url,
        "event_line": neutral(event_line(message) or ""),
        "recorded": recorded_line(message),
        "watches": about.fired,
        "changes": [_change(change) for change in about.changes],
        "notes": [neutral(n) for n in following_lines(message)],
        "command": f"tracker diff {about.id} {about.version}" if has_command else "",
        "report": message.report or "",
    }


def _change(change: Change) -> dict[str, Any]:
    return {
        "heading": esc(change_heading(change)),
        "colour": _BADGE.get(change.severity, "#555"),
        "diff": pieces_html(excerpt(change)) if change.kind is ChangeKind.MODIFIED else "",
        "lines": [_line(change, line) for line in body_pieces(change)],
        "references": reference_lines(change),
        "facts": facts_line(change),
    }


def _line(change: Change, line: Sequence[Piece]) -> Markup:
    """An added or removed clause's line: all of it inserted or struck, with its emphasis."""
    op = "insert" if change.kind is ChangeKind.ADDED else "delete"
    return pieces_html([replace(p, op=op) for p in line])


def build(message: Message, sender: str, to: tuple[str, ...]) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = subject(message)
    msg["From"] = sender
    msg["To"] = ", ".join(to)
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(idstring=message.id[:40].replace("_", "."), domain="tracker")
    msg.set_content(plain_text(message))
    msg.add_alternative(html_body(message), subtype="html")
    return msg


def _addresses(value: Any, ctx: Context) -> tuple[str, ...]:
    found = lines(value, ctx)
    if not all("@" in a for a in found):
        raise Invalid("must be a list of email addresses")
    return found


def _ascii_password(value: Secret, ctx: Context) -> Secret:
    if not value.value.isascii():
        raise Invalid("holds non-ASCII characters, which SMTP cannot send")
    return value


@register
@dataclass(frozen=True, kw_only=True)
class EmailChannel(Channel):
    kind: ClassVar[str] = "email"
    host: str = setting(read=line)
    port: int | None = setting(None, read=integer(1, 65535))  # None: by the kind of TLS
    starttls: bool = setting(False, read=boolean)
    implicit_tls: bool = setting(False, read=boolean, key="ssl")
    username: str | None = setting(None, read=string)
    password: Secret | None = secret_setting(required=False, check=_ascii_password)
    sender: str = setting(read=line, key="from")
    to: tuple[str, ...] = setting(read=_addresses)

    def __post_init__(self) -> None:
        if self.starttls and self.implicit_tls:
            raise Invalid("choose starttls or ssl, not both", "ssl")
        if self.password and not self.username:
            raise Invalid("missing (a password is set)", "username")

    @property
    def smtp_port(self) -> int:
        """The port given, else the usual one for the kind of TLS."""
        return self.port or (465 if self.implicit_tls else 587 if self.starttls else 25)

    async def send(self, message: Message, courier: Courier) -> None:
        msg = build(message, self.sender, self.to)  # a message that cannot be built fails here
        await courier.blocking(lambda: self._send(msg, courier.timeout))

    def _send(self, msg: EmailMessage, timeout: float) -> None:
        where = f"{self.label} via {self.host}:{self.smtp_port}"
        try:
            if self.implicit_tls:
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                    self.host, self.smtp_port, timeout=timeout, context=ssl.create_default_context()
                )
            else:
                smtp = smtplib.SMTP(self.host, self.smtp_port, timeout=timeout)
            with smtp:
                if self.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self.username and self.password:
                    smtp.login(self.username, self.password.value)
                smtp.send_message(msg)
        except smtplib.SMTPAuthenticationError as exc:
            raise DeliveryError(
                f"{where}: login refused ({exc.smtp_code})", transient=False
            ) from None
        except smtplib.SMTPRecipientsRefused:
            raise DeliveryError(f"{where}: recipients refused", transient=False) from None
        except smtplib.SMTPResponseException as exc:
            transient = 400 <= exc.smtp_code < 500
            raise DeliveryError(
                f"{where}: server said {exc.smtp_code}", transient=transient
            ) from None
        except ssl.SSLCertVerificationError as exc:  # holds until the configuration changes
            reason = f"{where}: its certificate is not trusted ({exc.verify_message})"
            raise DeliveryError(reason, transient=False) from None
        except (smtplib.SMTPException, OSError) as exc:
            if _timed_out(exc):  # smtplib reports a silent server as "disconnected"
                raise DeliveryError(f"{where}: timed out after {timeout:g}s") from None
            reason = (
                exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
            )
            raise DeliveryError(f"{where}: {reason}") from None


def _timed_out(exc: BaseException) -> bool:
    """Whether a send failed because the server said nothing in time, however smtplib put it."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, TimeoutError) or "timed out" in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False
