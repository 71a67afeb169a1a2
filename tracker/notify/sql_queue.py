"""The outbox as tables beside a PostgreSQL store, for any number of deliverers at once.

``outbox`` holds each message once (its id is the key, so queueing twice is a
no-op); ``deliveries`` holds each channel's handover of it.  A deliverer claims
a message with ``SELECT … FOR NO KEY UPDATE SKIP LOCKED`` on a connection of its
own and keeps the claim while it sends: another deliverer skips the message,
and a deliverer that dies lets go of it with its connection.  Each channel's
handover is committed the moment it changes, on another connection (the claim
takes no lock the handover's write needs), so a kill between a send and its
mark repeats at most that one send, under the same message id.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import psycopg

from ..config import Settings
from ..message import Message
from ..store.postgres.database import Database, jsonb
from ..store.postgres.records import PostgresStore
from .channel import Channel
from .entry import Entry, Handover, dropped, first, in_order, retried

log = logging.getLogger("tracker.notify.outbox")

_OPEN = "status NOT IN ('sent', 'dropped')"


class SqlOutbox:
    """The queue in the store's database."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        store = settings.opened_store()
        assert isinstance(store, PostgresStore)
        self.db: Database = store.db
        self._claimer: psycopg.Connection[Any] | None = None
        self._as_read: dict[str, dict[str, Any]] = {}  # message id -> channel -> handover
        self._damaged: list[str] = []

    def __reduce__(self) -> tuple[type[SqlOutbox], tuple[Settings]]:
        """Sent to a worker process as its settings: it opens its own connections there."""
        return SqlOutbox, (self.settings,)

    # -- queueing ------------------------------------------------------------------------

    def known(self, message_id: str) -> bool:
        return bool(
            self.db.one("SELECT EXISTS (SELECT 1 FROM outbox WHERE id = %s)", (message_id,))
        )

    def enqueue(self, message: Message, channels: Sequence[Channel]) -> bool:
        wanted = [c for c in channels if c.wants(message.severity)]
        entry = Entry(message, {c.name: first(c, message) for c in wanted})
        return self._insert(entry) and bool(wanted)

    def queue(self, entry: Entry) -> None:
        self._insert(entry)

    def _insert(self, entry: Entry) -> bool:
        """Queue ``entry`` with its handovers in one transaction; False if it was there."""
        about = entry.message.outcome
        with self.db.transaction(durable=True) as conn:
            added = conn.execute(
                "INSERT INTO outbox (id, source, version, created, message)"
                " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (id) DO NOTHING RETURNING id",
                (
                    entry.id,
                    about.id,
                    about.version,
                    entry.message.created,
                    jsonb(entry.message.to_json()),
                ),
            ).fetchone()
            if added is None:
                return False
            for name, handover in entry.deliveries.items():
                self._upsert(conn, entry.id, name, handover)
        self._as_read[entry.id] = entry._deliveries_json()
        return True

    def sent(self, message_id: str) -> Entry | None:
        entries = self._entries("o.id = %s", (message_id,))
        return entries[0] if entries and entries[0].done else None

    # -- reading -------------------------------------------------------------------------

    def pending(self) -> list[Entry]:
        return self._entries(
            f"EXISTS (SELECT 1 FROM deliveries d WHERE d.message_id = o.id AND d.{_OPEN})", ()
        )

    def _entries(self, where: str, params: tuple[Any, ...]) -> list[Entry]:
        rows = self.db.execute(
            "SELECT o.id, o.message, coalesce((SELECT jsonb_object_agg(d.channel, d.handover)"
            " FROM deliveries d WHERE d.message_id = o.id), '{}'::jsonb)"
            f" FROM outbox o WHERE {where}",
            params,
        ).fetchall()
        entries = []
        for message_id, message, deliveries in rows:
            try:
                entry = Entry.from_json({**message, "deliveries": deliveries})
            except (KeyError, TypeError, ValueError, AttributeError):
                if message_id not in self._damaged:
                    log.warning("outbox entry %s could not be read; left in the table", message_id)
                    self._damaged.append(message_id)
                continue
            self._as_read[entry.id] = entry._deliveries_json()
            entries.append(entry)
        return in_order(entries)

    def damaged(self) -> list[str]:
        return sorted(self._damaged)

    def survey(
        self, source_ids: Iterable[str], rebuild: bool = True
    ) -> tuple[list[Entry], list[str]]:
        """What waits.  Nothing is queued again: the queue and the versions share one
        database, and a version whose message was never queued (a kill between the
        two) is heard again by its source's next check."""
        return self.pending(), []

    # -- acting on one entry -------------------------------------------------------------

    def retry(self, message_id: str) -> bool:
        return self._update(message_id, retried)

    def drop(self, message_id: str) -> bool:
        return self._update(message_id, dropped)

    def _update(self, message_id: str, change: Callable[[Handover], None]) -> bool:
        found = self._entries("o.id = %s", (message_id,))  # one row, not the whole queue
        if not found:
            return False
        with self.claim(found[0], wait=True) as entry:  # None when nothing is left to do
            if entry is None:
                return False
            for handover in entry.deliveries.values():
                change(handover)
            self.save(entry)
        return True

    @contextlib.contextmanager
    def lock(self, wait: bool = True) -> Iterator[bool]:
        """Nothing to hold for a whole run: each message is claimed alone (:meth:`claim`)."""
        yield True

    @contextlib.contextmanager
    def claim(self, entry: Entry, wait: bool = False) -> Iterator[Entry | None]:
        """Lock ``entry``'s row for this deliverer until the block ends; None if another
        deliverer holds it (or, ``wait``-ing, once it is free) or it has nothing left to do."""
        conn = self._claiming()
        skip = "" if wait else " SKIP LOCKED"
        with conn.transaction():
            row = conn.execute(
                f"SELECT id FROM outbox WHERE id = %s FOR NO KEY UPDATE{skip}",
                (entry.id,),
            ).fetchone()
            fresh = self._entries("o.id = %s", (entry.id,)) if row else []
            yield fresh[0] if fresh and not fresh[0].done else None

    def unclaimed(self, entries: list[Entry]) -> list[Entry]:
        """Those no deliverer holds now, as they stand now (held, read afresh, let go): one
        that another deliverer finished a moment ago is not still waiting."""
        if not entries:
            return entries
        conn = self._claiming()
        with conn.transaction():
            rows = conn.execute(
                "SELECT id FROM outbox WHERE id = ANY(%s) FOR NO KEY UPDATE SKIP LOCKED",
                ([e.id for e in entries],),
            ).fetchall()
            free = [row[0] for row in rows]
            # A statement begun after the locks were taken sees every handover committed
            # before another deliverer let go of them.
            fresh = self._entries("o.id = ANY(%s)", (free,)) if free else []
        return [e for e in fresh if not e.done]

    def _claiming(self) -> psycopg.Connection[Any]:
        """The connection claims are held on: its own, so that handovers commit at once."""
        if self._claimer is None or self._claimer.closed:
            self.db.connection()  # the schema is current
            self._claimer = psycopg.connect(self.db.url, autocommit=True)
        return self._claimer

    def save(self, entry: Entry) -> None:
        """Commit each channel's handover that changed since it was read here: a stale copy
        of an entry (a digest settling it) never undoes what another deliverer marked."""
        now = entry._deliveries_json()
        before = self._as_read.get(entry.id, {})
        changed = {name: h for name, h in entry.deliveries.items() if now[name] != before.get(name)}
        if not changed:
            return
        with self.db.transaction(durable=True) as conn:
            for name, handover in changed.items():
                self._upsert(conn, entry.id, name, handover)
        self._as_read[entry.id] = now

    @staticmethod
    def _upsert(conn: psycopg.Connection[Any], message_id: str, name: str, h: Handover) -> None:
        conn.execute(
            "INSERT INTO deliveries (message_id, channel, status, handover)"
            " VALUES (%s, %s, %s, %s) ON CONFLICT (message_id, channel)"
            " DO UPDATE SET status = EXCLUDED.status, handover = EXCLUDED.handover",
            (message_id, name, str(h.status), jsonb(h.to_json())),
        )

    def file_if_done(self, entry: Entry) -> None:
        """Nothing to move: a message is done when no handover is open."""

    def sweep(self) -> None:
        """Nothing half-written to sweep: every write is a transaction."""

    def close(self) -> None:
        if self._claimer is not None:
            self._claimer.close()
