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
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any, ClassVar

from . import SECRET, Channel, DeliveryError, ParseContext, Secret, register
from .courier import Courier
from .text import (
    change_heading,
    excerpt,
    facts_line,
    following_lines,
    plain_text,
    reference_lines,
    source,
    title,
)

_STYLE = {
    "delete": "background:#ffe0e0;color:#a00000;text-decoration:line-through",
    "insert": "background:#dcf5dc;color:#006000;font-weight:bold;text-decoration:none",
}


def subject(message: Mapping[str, Any]) -> str:
    """One line, whatever the page or the configuration holds: a header cannot break."""
    return " ".join(f"[tracker] {title(message)}".split())


def html_body(message: Mapping[str, Any]) -> str:
    src = source(message)
    e = html.escape
    parts = [
        '<div style="font-family:sans-serif;line-height:1.6;max-width:60em">',
        f"<h2 style='margin:0'>{e(title(message))}</h2>",
        f'<p><a href="{e(src["url"])}">{e(src["name"])}</a> · '
        f"severity <b>{e(message['severity'])}</b></p>",
    ]
    for alert in src.get("alerts") or []:
        parts.append(
            f"<p>Watch <b>{e(alert['watch'])}</b> ({e(alert['severity'])}): "
            f"{e(', '.join(alert['clauses']))}</p>"
        )
    if message["event"] in ("failing", "recovered") and src.get("error"):
        parts.append(f"<p>Last error: {e(src['error'])}</p>")
    for change in src.get("changes") or []:
        parts.append(f"<h3 style='margin-bottom:0.2em'>{e(change_heading(change))}</h3>")
        if change["kind"] == "modified":
            spans = "".join(
                e(t) if op == "equal" else f'<{op[:3]} style="{_STYLE[op]}">{e(t)}</{op[:3]}>'
                for op, t in excerpt(change["diff"])
            )
            parts.append(f"<p style='margin-top:0'>{spans}</p>")
        elif change["kind"] in ("added", "removed"):
            op = "insert" if change["kind"] == "added" else "delete"
            body = change["new"] if op == "insert" else change["old"]
            lines = "<br>".join(e(line) for line in (body or "").splitlines())
            parts.append(f'<p style="{_STYLE[op]}">{lines}</p>')
        parts += [f"<p>{e(line)}</p>" for line in reference_lines(change)]
        if facts := facts_line(change):
            parts.append(f"<p><b>Facts:</b> {e(facts)}</p>")
    parts += [f"<p><i>{e(note)}</i></p>" for note in following_lines(src)]
    parts.append("</div>")
    return "\n".join(parts)


def build(message: Mapping[str, Any], sender: str, to: tuple[str, ...]) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = subject(message)
    msg["From"] = sender
    msg["To"] = ", ".join(to)
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(
        idstring=str(message["id"])[:40].replace("_", "."), domain="tracker"
    )
    msg.set_content(plain_text(message))
    msg.add_alternative(html_body(message), subtype="html")
    return msg


@register
@dataclass(frozen=True)
class EmailChannel(Channel):
    kind: ClassVar[str] = "email"
    host: str = ""
    port: int = 25
    starttls: bool = False
    implicit_tls: bool = field(default=False, metadata={"key": "ssl"})
    username: str | None = None
    password: Secret | None = field(default=None, metadata=SECRET)
    sender: str = field(default="", metadata={"key": "from"})
    to: tuple[str, ...] = ()

    @classmethod
    def from_table(cls, table: Mapping[str, Any], where: str, ctx: ParseContext) -> Channel:
        starttls, implicit = table.get("starttls", False), table.get("ssl", False)
        for key, value in (("starttls", starttls), ("ssl", implicit)):
            if not isinstance(value, bool):
                raise ctx.fail(f"{where}.{key}", "must be true or false")
        if starttls and implicit:
            raise ctx.fail(f"{where}.ssl", "choose starttls or ssl, not both")
        port = table.get("port", 465 if implicit else 587 if starttls else 25)
        if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
            raise ctx.fail(f"{where}.port", "must be a port number")
        to = table.get("to")
        if isinstance(to, str):
            to = [to]
        if (
            not to
            or not isinstance(to, list)
            or not all(isinstance(a, str) and "@" in a for a in to)
        ):
            raise ctx.fail(f"{where}.to", "must be a list of email addresses")
        sender = ctx.string(table, where, "from")
        username = table.get("username")
        if username is not None and not isinstance(username, str):
            raise ctx.fail(f"{where}.username", "must be a string")
        password = ctx.secret(table, where, "password", required=False)
        if password and not username:
            raise ctx.fail(f"{where}.username", "missing (a password is set)")
        if password and not password.value.isascii():
            key = "password_env" if "password_env" in table else "password"
            raise ctx.fail(f"{where}.{key}", "holds non-ASCII characters, which SMTP cannot send")
        return cls(
            name=table.get("name") or "email",
            min_severity=table.get("min_severity", "info"),
            host=ctx.string(table, where, "host"),
            port=port,
            starttls=starttls,
            implicit_tls=implicit,
            username=username,
            password=password,
            sender=sender,
            to=tuple(to),
        )

    async def send(self, message: Mapping[str, Any], courier: Courier) -> None:
        msg = build(message, self.sender, self.to)  # a message that cannot be built fails here
        await courier.blocking(lambda: self._send(msg, courier.timeout))

    def _send(self, msg: EmailMessage, timeout: float) -> None:
        where = f"email {self.name!r} via {self.host}:{self.port}"
        try:
            if self.implicit_tls:
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                    self.host, self.port, timeout=timeout, context=ssl.create_default_context()
                )
            else:
                smtp = smtplib.SMTP(self.host, self.port, timeout=timeout)
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
        except (smtplib.SMTPException, OSError) as exc:  # OSError covers timeouts
            reason = (
                exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
            )
            raise DeliveryError(f"{where}: {reason}") from None
