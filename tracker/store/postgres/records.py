"""Sources' states and versions in PostgreSQL, answering :mod:`tracker.store.base`.

A version is one row, its message in it: the version and what it says are
written in one statement, so neither is ever seen without the other.  A
source's lock is a session advisory lock named after it, held by the thread's
connection for as long as a check decides and records.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from ...message import Message
from ...stamps import isoformat, sha256, utcnow
from ..source import STATE_FIELDS, next_name
from ..state import State
from ..versions import Listed, Version, read_message
from .database import Database, jsonb, shown

_TOUCH = "UPDATE sources SET last_check = %s, touched = true WHERE id = %s"


class Row:
    """A version's parts, read from its row when asked."""

    def __init__(self, db: Database, source_id: str) -> None:
        self.db, self.source = db, source_id

    def text(self, name: str) -> str:
        text = self._column("text", name)
        if text is None:
            raise FileNotFoundError(f"no version {name} of {self.source}")
        return str(text)

    def message(self, name: str) -> Any:
        return self._column("message", name)

    def raw(self, name: str) -> bytes | None:
        page = self._column("page", name)
        return gzip.decompress(page) if page is not None else None

    def _column(self, column: str, name: str) -> Any:
        """One column of the version's row (``column`` is one of this class's own names)."""
        query = f"SELECT {column} FROM versions WHERE source = %s AND name = %s"
        return self.db.one(query, (self.source, name))


class SqlHistory(Listed):
    """A source's versions as rows (names ordered by their number)."""

    def __init__(self, db: Database, source_id: str) -> None:
        super().__init__()
        self.db, self.source = db, source_id
        self.parts = Row(db, source_id)
        self.set_aside: list[str] = []  # rows are written whole: nothing is ever torn
        self._peeked: list[str] | None = None  # read with the state, for the next names()

    def forget(self) -> None:
        super().forget()
        self._peeked = None

    def peeked(self, names: list[str]) -> None:
        """The names as just read beside the state: the next :meth:`names` needs no query."""
        self._peeked = names

    def _listed(self) -> list[str]:
        if self._peeked is not None:
            names, self._peeked = self._peeked, None
            return names
        rows = self.db.execute(
            "SELECT name FROM versions WHERE source = %s ORDER BY seq", (self.source,)
        ).fetchall()
        return [r[0] for r in rows]

    def get(self, name: str) -> Version:
        meta = self.db.one(
            "SELECT meta FROM versions WHERE source = %s AND name = %s", (self.source, name)
        )
        if meta is None:
            raise FileNotFoundError(f"no version {name} of {self.source}")
        return Version(name, meta, self.parts)

    def latest(self) -> Version | None:
        row = self.db.execute(
            "SELECT name, meta, text FROM versions WHERE source = %s ORDER BY seq DESC LIMIT 1",
            (self.source,),
        ).fetchone()
        return Version.holding(row[0], row[1], row[2], self.parts) if row else None

    newest_readable = latest

    def newest_message(self) -> Message | None:
        return read_message(
            self.db.one(
                "SELECT message FROM versions WHERE source = %s ORDER BY seq DESC LIMIT 1",
                (self.source,),
            )
        )


class SqlSource:
    """One source's record in the database."""

    def __init__(self, db: Database, source_id: str, lock_timeout: float = 30.0) -> None:
        self.db, self.id, self.lock_timeout = db, source_id, lock_timeout
        self.versions = SqlHistory(db, source_id)
        self._as_read: dict[str, Any] | None = None
        self._checking = False  # this process holds the source's check claim
        self._touched = False  # a touch waiting to go with the claim's release

    @contextmanager
    def lock(self) -> Iterator[None]:
        what = f"source {self.id}"
        with self.db.advisory_lock(f"tracker/source/{self.id}", self.lock_timeout, what):
            self.versions.held = True
            try:
                yield
            finally:
                self.versions.held = False
                self.versions.forget()

    def try_checking(self) -> bool:
        """A second lock, held from fetch to record, so that two daemons (or a cron run
        beside a daemon) sharing the database never check one source at once."""
        key = f"tracker/checking/{self.id}"
        got = self.db.one("SELECT pg_try_advisory_lock(hashtextextended(%s, 0))", (key,))
        self._checking = bool(got)
        return self._checking

    def done_checking(self) -> None:
        """Let go of the claim, and mark the check in the same statement if it found
        nothing new (an unchanged check costs three statements in all)."""
        key = f"tracker/checking/{self.id}"
        unlock = "SELECT pg_advisory_unlock(hashtextextended(%s, 0))"
        if self._touched:
            self.db.execute(f"WITH touch AS ({_TOUCH}) {unlock}", (self._now(), self.id, key))
        else:
            self.db.execute(unlock, (key,))
        self._checking = self._touched = False

    def exists(self) -> bool:
        return bool(
            self.db.one(
                "SELECT EXISTS (SELECT 1 FROM sources WHERE id = %s)"
                " OR EXISTS (SELECT 1 FROM versions WHERE source = %s)",
                (self.id, self.id),
            )
        )

    def read_state(self) -> State:
        """As the folder store reads it: a check that only touched it was unchanged."""
        self._as_read = None
        row = self.db.execute(
            "SELECT s.state, s.last_check, s.touched,"
            " ARRAY(SELECT name FROM versions WHERE source = %s ORDER BY seq)"
            " FROM (SELECT 1) AS one LEFT JOIN sources s ON s.id = %s",
            (self.id, self.id),
        ).fetchone()
        assert row is not None  # one row, whether the source has one or not
        data, last_check, touched, names = row
        self.versions.peeked(list(names))
        if not isinstance(data, dict):
            return State()
        self._as_read = data
        state = State.from_json(data)
        state.checked_at(last_check, touched)
        return state

    def touch_state(self) -> None:
        if self._checking:  # goes with the claim's release
            self._touched = True
            return
        self.db.execute(_TOUCH, (self._now(), self.id))

    @staticmethod
    def _now() -> str:
        return isoformat(utcnow())

    def write_state(self, state: State) -> None:
        self._touched = False  # what is written now says more than a touch
        data = {k: getattr(state, k) for k in STATE_FIELDS}
        if data == self._as_read:
            self.touch_state()
            return
        self.db.execute(
            "INSERT INTO sources (id, state, last_check, touched) VALUES (%s, %s, %s, false)"
            " ON CONFLICT (id) DO UPDATE SET state = EXCLUDED.state,"
            " last_check = EXCLUDED.last_check, touched = false",
            (self.id, jsonb(data), state.last_check or isoformat(utcnow())),
        )
        self._as_read = data

    def next_name(self, when: datetime | None = None) -> str:
        return next_name(self.versions.names(), when)

    def record(
        self,
        text: str,
        meta: dict[str, Any],
        page: bytes | None,
        message: Message | None = None,
        name: str | None = None,
    ) -> Version:
        """Insert a version and its message in one statement (committed when it returns; on
        the server's disk first when it records a change, as the state folder syncs it)."""
        name = name or self.next_name()
        meta = {"version": name, **meta, "text_hash": sha256(text)}
        with self.db.transaction(durable=message is not None) as conn:
            conn.execute(
                "INSERT INTO versions (source, seq, name, meta, text, page, message)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s)",
                (
                    self.id,
                    int(name.split("_", 1)[0]),
                    name,
                    jsonb(meta),
                    text,
                    page,
                    jsonb(message.to_json()) if message is not None else None,
                ),
            )
        self.versions.noted(name)
        return Version.holding(name, meta, text, self.versions.parts)


class PostgresStore:
    """Every source's record in one database; connections per thread, opened when used."""

    def __init__(self, url: str) -> None:
        self.db = Database(url)
        self.url = shown(url)

    def source(self, source_id: str, lock_timeout: float = 30.0) -> SqlSource:
        return SqlSource(self.db, source_id, lock_timeout)

    def versions(self, source_id: str) -> SqlHistory:
        return SqlHistory(self.db, source_id)

    def close(self) -> None:
        self.db.close()

    def ready(self) -> None:
        self.db.ready()

    def source_ids(self) -> Iterator[str]:
        rows = self.db.execute(
            "SELECT id FROM sources UNION SELECT source FROM versions ORDER BY 1"
        ).fetchall()
        for row in rows:
            yield row[0]
