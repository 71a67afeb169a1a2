"""Email over SMTP: a plain-text part and a readable HTML part, both from the same message.

The subject names the agreement and the top clause.  Page text is
HTML-escaped; deletions are red and struck through, insertions green.
Uses the standard library's smtplib and email: STARTTLS or implicit TLS,
optional login with a password from the environment.
"""

from __future__ import annotations

import html
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any, ClassVar

from ..config import Context, Invalid, Secret, secret_setting, setting
from ..config.values import boolean, integer, line, lines, string
from ..message import Message
from ..model import ChangeKind, Event
from ..text.controls import neutral
from .channel import Channel, DeliveryError, register
from .courier import Courier
from .text import (
    body_lines,
    change_heading,
    excerpt,
    facts_line,
    following_lines,
    plain_text,
    reference_lines,
    title,
)

_STYLE = {
    "delete": "background:#ffe0e0;color:#a00000;text-decoration:line-through",
    "insert": "background:#dcf5dc;color:#006000;font-weight:bold;text-decoration:none",
}


def subject(message: Message) -> str:
    """One line, whatever the page or the configuration holds: a header cannot break."""
    return " ".join(neutral(f"[tracker] {title(message)}").split())


def html_body(message: Message) -> str:
    about = message.outcome

    def e(text: str) -> str:
        return html.escape(neutral(text))

    parts = [
        '<div style="font-family:sans-serif;line-height:1.6;max-width:60em">',
        f"<h2 style='margin:0'>{e(title(message))}</h2>",
        f'<p><a href="{e(about.url)}">{e(about.name)}</a> · '
        f"severity <b>{e(message.severity)}</b></p>",
    ]
    for fired in about.fired:
        parts.append(
            f"<p>Watch <b>{e(fired.watch)}</b> ({e(fired.severity)}): "
            f"{e(', '.join(fired.clauses))}</p>"
        )
    if message.event in (Event.FAILING, Event.RECOVERED) and about.error:
        parts.append(f"<p>Last error: {e(about.error)}</p>")
    for change in about.changes:
        parts.append(f"<h3 style='margin-bottom:0.2em'>{e(change_heading(change))}</h3>")
        if change.kind is ChangeKind.MODIFIED:
            spans = "".join(
                e(t) if op == "equal" else f'<{op[:3]} style="{_STYLE[op]}">{e(t)}</{op[:3]}>'
                for op, t in excerpt(change.spans)
            )
            parts.append(f"<p style='margin-top:0'>{spans}</p>")
        elif lines := body_lines(change):
            op = "insert" if change.kind is ChangeKind.ADDED else "delete"
            parts.append(f'<p style="{_STYLE[op]}">{"<br>".join(map(e, lines))}</p>')
        parts += [f"<p>{e(line)}</p>" for line in reference_lines(change)]
        if facts := facts_line(change):
            parts.append(f"<p><b>Facts:</b> {e(facts)}</p>")
    parts += [f"<p><i>{e(note)}</i></p>" for note in following_lines(message)]
    parts.append("</div>")
    return "\n".join(parts)


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
