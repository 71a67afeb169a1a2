"""One PostgreSQL database: a connection per thread, the schema created and migrated once.

Every statement runs in autocommit unless a ``transaction()`` block holds it.  As
in the state folder, only what would cost an alert waits for the disk: a version
that records a change and the outbox's writes commit ``durable`` (synchronous
commit); a state or a first version does not (``synchronous_commit = off``: a crash
of the server may lose the last moments of them, which costs one full fetch, never
a change, and never leaves anything half-written).  A
source's lock is a session advisory lock, so it is the database's, never a file's
shared between machines, and a process that dies lets go of it with its
connection.  Several processes starting at once on an empty database create the
schema once: each takes one transaction-scoped advisory lock before looking.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg.types.json import Jsonb

from ...errors import LockTimeout, StoreUnavailable

SCHEMA = 1  # the newest schema version this tracker knows
_SCHEMA_LOCK = 7_372_101  # the advisory lock key under which the schema is created

# Each migration takes the schema from the version before it to its own number.
MIGRATIONS: dict[int, tuple[str, ...]] = {
    1: (
        """CREATE TABLE sources (
            id text PRIMARY KEY,
            state jsonb NOT NULL,
            last_check text,
            touched boolean NOT NULL DEFAULT false)""",
        """CREATE TABLE versions (
            source text NOT NULL,
            seq integer NOT NULL,
            name text NOT NULL,
            meta jsonb NOT NULL,
            text text NOT NULL,
            page bytea,
            message jsonb,
            PRIMARY KEY (source, seq),
            UNIQUE (source, name))""",
        # The raw page is gzip'd already: stored out of line as it is, never compressed again.
        "ALTER TABLE versions ALTER COLUMN page SET STORAGE EXTERNAL",
        # Texts compressed with lz4 where the server has it (half pglz's time, as small);
        # a server without it keeps its default.
        """DO $$ BEGIN
            EXECUTE 'ALTER TABLE versions ALTER COLUMN text SET COMPRESSION lz4';
        EXCEPTION WHEN OTHERS THEN NULL;
        END $$""",
        """CREATE TABLE outbox (
            id text PRIMARY KEY,
            source text,
            version text,
            created text NOT NULL,
            message jsonb NOT NULL,
            queued timestamptz NOT NULL DEFAULT now())""",
        """CREATE TABLE deliveries (
            message_id text NOT NULL REFERENCES outbox (id),
            channel text NOT NULL,
            status text NOT NULL,
            handover jsonb NOT NULL,
            PRIMARY KEY (message_id, channel))""",
        "CREATE INDEX deliveries_open ON deliveries (message_id)"
        " WHERE status NOT IN ('sent', 'dropped')",
    ),
}


def shown(url: str) -> str:
    """``url`` without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[-1]
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))


class Database:
    """Connections to one database, one per thread, and the schema made current once."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._local = threading.local()
        self._all: list[psycopg.Connection[Any]] = []  # every thread's, to close them all
        self._ready = False
        self._readying = threading.Lock()

    def connection(self) -> psycopg.Connection[Any]:
        """This thread's connection (made, and the schema checked, on first use)."""
        conn: psycopg.Connection[Any] | None = getattr(self._local, "conn", None)
        if conn is None or conn.closed:
            try:
                conn = psycopg.connect(self.url, autocommit=True, application_name="tracker")
            except psycopg.OperationalError as exc:
                raise StoreUnavailable(f"store {shown(self.url)}: {_first_line(exc)}") from None
            conn.execute("SET synchronous_commit = off")  # see above: durable() turns it on
            self._local.conn = conn
            with self._readying:
                self._all.append(conn)
                if not self._ready:
                    migrate(conn)
                    self._ready = True
        return conn

    def execute(self, sql: str, params: Any = None) -> psycopg.Cursor[Any]:
        try:
            return self.connection().execute(sql, params)
        except psycopg.OperationalError as exc:  # the server went away mid-run
            raise StoreUnavailable(f"store {shown(self.url)}: {_first_line(exc)}") from None

    def ready(self) -> None:
        """Connect now (and create or migrate the schema), so that a store out of reach is
        one line before any work starts."""
        self.connection()

    def one(self, sql: str, params: Any = None) -> Any:
        """The first column of the first row, or None."""
        row = self.execute(sql, params).fetchone()
        return row[0] if row else None

    @contextmanager
    def transaction(self, durable: bool = False) -> Iterator[psycopg.Connection[Any]]:
        """A transaction; ``durable``: committed only once it is on the server's disk."""
        conn = self.connection()
        with conn.transaction():
            if durable:
                conn.execute("SET LOCAL synchronous_commit = on")
            yield conn

    @contextmanager
    def advisory_lock(self, key: str, timeout: float, what: str) -> Iterator[None]:
        """Hold the session lock named ``key``, or raise LockTimeout after ``timeout`` s."""
        deadline = time.monotonic() + timeout
        pause = 0.01
        while not self.one("SELECT pg_try_advisory_lock(hashtextextended(%s, 0))", (key,)):
            if time.monotonic() >= deadline:
                raise LockTimeout(
                    f"state is locked by another tracker process (waited {timeout:g}s for "
                    f"{what} in {shown(self.url)})"
                )
            time.sleep(pause)
            pause = min(pause * 2, 0.2)
        try:
            yield
        finally:
            self.execute("SELECT pg_advisory_unlock(hashtextextended(%s, 0))", (key,))

    def close(self) -> None:
        """Close every thread's connection (their locks go with them)."""
        with self._readying:
            for conn in self._all:
                conn.close()
            self._all.clear()


def migrate(conn: psycopg.Connection[Any]) -> int:
    """Bring the schema to :data:`SCHEMA`, once however many processes ask at once."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
        conn.execute(
            "CREATE TABLE IF NOT EXISTS tracker_schema ("
            " version integer PRIMARY KEY, applied timestamptz NOT NULL DEFAULT now())"
        )
        row = conn.execute("SELECT max(version) FROM tracker_schema").fetchone()
        current = int(row[0]) if row and row[0] is not None else 0
        if current > SCHEMA:
            raise StoreUnavailable(
                f"the database's schema is version {current}; this tracker knows up to "
                f"{SCHEMA}: upgrade tracker"
            )
        for version in range(current + 1, SCHEMA + 1):
            for statement in MIGRATIONS[version]:
                conn.execute(statement)
            conn.execute("INSERT INTO tracker_schema (version) VALUES (%s)", (version,))
    return SCHEMA


def _first_line(exc: Exception) -> str:
    """What the server or libpq said, its first line (libpq never repeats a password)."""
    lines = [line.strip() for line in str(exc).strip().splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


def jsonb(value: Any) -> Jsonb:
    return Jsonb(value)
