"""Webhook: POST the source's alert as JSON, the same object as in ``--json``.

The body is the source object with two more keys, ``event`` (change,
failing, recovered, test) and ``message_id`` (stable across retries, so a
receiver can drop the rare duplicate).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import httpx

from .. import __version__
from . import Channel, DeliveryError, ParseContext, Secret, register

_NO_SECRET = Secret("")


def body(message: Mapping[str, Any]) -> dict[str, Any]:
    return {**message["source"], "event": message["event"], "message_id": message["id"]}


@register
@dataclass(frozen=True)
class WebhookChannel(Channel):
    kind: ClassVar[str] = "webhook"
    keys: ClassVar[frozenset[str]] = frozenset({"url", "url_env"})
    url: Secret = _NO_SECRET

    @classmethod
    def from_table(cls, table: Mapping[str, Any], where: str, ctx: ParseContext) -> Channel:
        url = ctx.secret(table, where, "url")
        assert url is not None
        if not url.value.startswith(("https://", "http://")):
            raise ctx.fail(f"{where}.url", "is not an http(s) URL")
        name = table.get("name") or "webhook"
        return cls(name=name, min_severity=table.get("min_severity", "info"), url=url)

    def send(self, message: Mapping[str, Any], timeout: float) -> None:
        headers = {"User-Agent": f"tracker/{__version__}"}
        try:
            resp = httpx.post(self.url.value, json=body(message), headers=headers, timeout=timeout)
        except httpx.HTTPError as exc:
            raise DeliveryError(f"webhook {self.name!r}: {type(exc).__name__}") from None
        if resp.status_code >= 400:
            transient = resp.status_code == 429 or resp.status_code >= 500
            raise DeliveryError(
                f"webhook {self.name!r}: HTTP {resp.status_code}", transient=transient
            )
