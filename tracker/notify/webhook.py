"""Webhook: POST the source's alert as JSON, the same object as in ``--json``.

The body is the source object with two more keys, ``event`` (change,
failing, recovered, test) and ``message_id`` (stable across retries, so a
receiver can drop the rare duplicate).

With ``secret`` (or ``secret_env``), each POST is signed so that a receiver can
reject a forged or replayed alert: ``X-Tracker-Timestamp`` carries the Unix time
of the attempt and ``X-Tracker-Signature`` is ``sha256=`` and the hex HMAC-SHA256,
keyed with the secret, of the timestamp, a ``.``, and the body's bytes exactly
as sent.  The README has a receiver's check.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from typing import Any, ClassVar

from ..config import Secret, secret_setting
from ..message import Message
from ..model import Event
from .channel import Channel, http_url, register
from .courier import Courier


def body(message: Message) -> dict[str, Any]:
    """The source object, as in ``--json``, with the event and the message id; a digest
    is its own object, holding the body of each message it gathers."""
    if message.event is Event.DIGEST:
        return {
            "event": str(message.event),
            "message_id": message.id,
            "severity": message.severity,
            "due": message.created,
            "messages": [body(item) for item in message.items],
        }
    return {**message.outcome.to_json(), "event": str(message.event), "message_id": message.id}


def signature(secret: str, timestamp: str, payload: bytes) -> str:
    """``sha256=<hex>``: HMAC-SHA256 of ``timestamp.payload`` keyed with ``secret``."""
    signed = timestamp.encode("ascii") + b"." + payload
    return "sha256=" + hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()


@register
@dataclass(frozen=True, kw_only=True)
class WebhookChannel(Channel):
    kind: ClassVar[str] = "webhook"
    url: Secret = secret_setting(check=http_url)
    secret: Secret | None = secret_setting(required=False)  # signs each POST when set

    async def send(self, message: Message, courier: Courier) -> None:
        payload = json.dumps(body(message), ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json", "X-Tracker-Message-Id": message.id}
        if self.secret:
            stamp = str(int(time.time()))
            headers["X-Tracker-Timestamp"] = stamp
            headers["X-Tracker-Signature"] = signature(self.secret.value, stamp, payload)
        await courier.post(self.label, self.url, payload, headers)
