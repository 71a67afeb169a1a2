"""Webhook: POST the source's alert as JSON, the same object as in ``--json``.

The body is the source object with two more keys, ``event`` (change,
failing, recovered, test) and ``message_id`` (stable across retries, so a
receiver can drop the rare duplicate).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from ..config import Secret, secret_setting
from ..message import Message
from .channel import Channel, http_url, register
from .courier import Courier


def body(message: Message) -> dict[str, Any]:
    return {**message.outcome.to_json(), "event": str(message.event), "message_id": message.id}


@register
@dataclass(frozen=True, kw_only=True)
class WebhookChannel(Channel):
    kind: ClassVar[str] = "webhook"
    url: Secret = secret_setting(check=http_url)

    async def send(self, message: Message, courier: Courier) -> None:
        await courier.post_json(self.label, self.url, body(message))
