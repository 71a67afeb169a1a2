"""The outbox: alerts survive outages and crashes, and go out once per channel.

A change's message is written inside its version folder (``alert.json``, in
the same rename that records the version) and queued here before anything is
sent.  Delivery marks each channel as sent the moment it succeeds, so a
channel that worked is never sent again while another is retried; whatever
still fails stays queued for the next run or the daemon.  A run killed
between sending and marking may send once more; it never loses a message.

Layout, under the state folder::

    outbox/<message-id>.json        queued: the message and each channel's delivery state
    outbox/sent/<message-id>.json   delivered to every channel that wanted it
    outbox/.lock                    held while delivering
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import random
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import filelock

from .config import Settings
from .notify import Channel, DeliveryError
from .store import atomic_write, isoformat, utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Delivery:
    """What happened to one message on one channel in this run."""

    message: str
    source: str
    event: str
    channel: str
    status: str  # sent | failed | pending (not tried: the channel failed earlier this run)
    error: str | None = None
    attempts: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "message": self.message,
            "source": self.source,
            "event": self.event,
            "channel": self.channel,
            "status": self.status,
            "error": self.error,
            "attempts": self.attempts,
        }


def message(
    message_id: str, event: str, severity: str, source: Mapping[str, Any]
) -> dict[str, Any]:
    """A message as stored and sent: the event and the source object of ``--json``."""
    return {
        "id": message_id,
        "event": event,
        "severity": severity,
        "created": isoformat(utcnow()),
        "source": dict(source),
    }


class Outbox:
    def __init__(self, state_dir: Path, settings: Settings) -> None:
        self.dir = state_dir / "outbox"
        self.sent_dir = self.dir / "sent"
        self.settings = settings

    # -- queueing (callers hold the source's lock) ---------------------------------------

    def known(self, message_id: str) -> bool:
        """Whether this message was queued already, or delivered."""
        name = f"{message_id}.json"
        return (self.dir / name).exists() or (self.sent_dir / name).exists()

    def enqueue(self, msg: Mapping[str, Any], channels: Sequence[Channel]) -> bool:
        """Queue ``msg`` for the channels that want its severity; False if already known."""
        if self.known(msg["id"]):
            return False
        wanted = [c.name for c in channels if c.wants(msg["severity"])]
        entry = {**msg, "deliveries": {name: _fresh() for name in wanted}}
        folder = self.dir if wanted else self.sent_dir  # nobody wants it: record, don't queue
        folder.mkdir(parents=True, exist_ok=True)
        atomic_write(folder / f"{msg['id']}.json", _dumps(entry))
        return bool(wanted)

    # -- reading -------------------------------------------------------------------------

    def pending(self) -> list[dict[str, Any]]:
        """Queued messages, oldest first (by creation time, then id: never by timing)."""
        entries = []
        with contextlib.suppress(FileNotFoundError):
            for entry in os.scandir(self.dir):
                if entry.name.endswith(".json") and not entry.name.startswith("."):
                    with contextlib.suppress(FileNotFoundError, ValueError):
                        entries.append(json.loads(Path(entry.path).read_text("utf-8")))
        return sorted(entries, key=lambda e: (e.get("created", ""), e.get("id", "")))

    # -- delivering ----------------------------------------------------------------------

    @contextlib.contextmanager
    def lock(self) -> Iterator[bool]:
        """Hold the delivery lock; yields False if another process kept it too long."""
        self.dir.mkdir(parents=True, exist_ok=True)
        lock = filelock.FileLock(self.dir / ".lock", timeout=self.settings.lock_timeout)
        try:
            lock.acquire()
        except filelock.Timeout:
            yield False
            return
        try:
            yield True
        finally:
            lock.release()

    def deliver(self, channels: Sequence[Channel]) -> list[Delivery]:
        """Send everything queued; return what happened, in queue then channel order."""
        by_name = {c.name: c for c in channels}
        out: list[Delivery] = []
        with self.lock() as held:
            if not held:
                log.warning("outbox is locked by another tracker process; delivery skipped")
                return out
            down: dict[str, str] = {}  # channels that failed this run, and why
            for entry in self.pending():
                out.extend(self._deliver_entry(entry, by_name, down))
        return out

    def _deliver_entry(
        self, entry: dict[str, Any], by_name: Mapping[str, Channel], down: dict[str, str]
    ) -> list[Delivery]:
        out = []
        path = self.dir / f"{entry['id']}.json"
        send = {k: v for k, v in entry.items() if k != "deliveries"}
        states = entry["deliveries"]
        order = [n for n in by_name if n in states] + sorted(n for n in states if n not in by_name)
        for name in order:  # configuration order: reports never depend on timing
            state = states[name]
            if state["status"] == "sent":
                continue
            common = {
                "message": entry["id"],
                "source": entry["source"]["id"],
                "event": entry["event"],
            }
            channel = by_name.get(name)
            if channel is None:  # removed from the configuration: nobody to send to
                state.update(status="sent", error="channel no longer configured")
                atomic_write(path, _dumps(entry))
                continue
            if name in down:
                out.append(Delivery(**common, channel=name, status="pending", error=down[name]))
                continue
            error, attempts = self._send(channel, send)
            state["attempts"] += attempts
            if error is None:
                state.update(status="sent", error=None, sent_at=isoformat(utcnow()))
                out.append(Delivery(**common, channel=name, status="sent", attempts=attempts))
            else:
                state["error"] = error
                down[name] = error
                out.append(
                    Delivery(
                        **common, channel=name, status="failed", error=error, attempts=attempts
                    )
                )
            atomic_write(path, _dumps(entry))  # at once: a sent channel is never sent again
        if all(s["status"] == "sent" for s in entry["deliveries"].values()):
            self.sent_dir.mkdir(parents=True, exist_ok=True)
            os.replace(path, self.sent_dir / path.name)
        return out

    def _send(self, channel: Channel, msg: Mapping[str, Any]) -> tuple[str | None, int]:
        """Send with retries on transient failures; return (error or None, attempts)."""
        s = self.settings
        attempt = 0
        while True:
            attempt += 1
            try:
                channel.send(msg, timeout=s.timeout)
                return None, attempt
            except DeliveryError as exc:
                if not exc.transient or attempt > s.retries:
                    return exc.reason, attempt
                delay = min(60.0, s.backoff * 2 ** (attempt - 1)) * random.uniform(0.5, 1.0)
                log.info("retrying %s in %.1fs: %s", channel.name, delay, exc.reason)
                time.sleep(delay)


def _fresh() -> dict[str, Any]:
    return {"status": "pending", "attempts": 0, "error": None, "sent_at": None}


def _dumps(data: Any) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")
