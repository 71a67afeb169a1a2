"""Webhook: POST the source's alert as JSON, the same object as in ``--json``.

The body is the source object with two more keys, ``event`` (change,
failing, recovered, test) and ``message_id`` (stable across retries, so a
receiver can drop the rare duplicate).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from . import SECRET, Channel, ParseContext, Secret, http_url, register
from .courier import Courier

_NO_SECRET = Secret("")


def body(message: Mapping[str, Any]) -> dict[str, Any]:
    return {**message["source"], "event": message["event"], "message_id": message["id"]}


@register
@dataclass(frozen=True)
class WebhookChannel(Channel):
    kind: ClassVar[str] = "webhook"
    url: Secret = field(default=_NO_SECRET, metadata=SECRET)

    @classmethod
    def from_table(cls, table: Mapping[str, Any], where: str, ctx: ParseContext) -> Channel:
        url = http_url(ctx, table, where, "url")
        name = table.get("name") or "webhook"
        return cls(name=name, min_severity=table.get("min_severity", "info"), url=url)

    async def send(self, message: Mapping[str, Any], courier: Courier) -> None:
        await courier.post_json(f"webhook {self.name!r}", self.url, body(message))
