"""SQLite household store: WAL, one connection per thread, migrations by version.

Durability follows what a write carries. A save that adds events (a withdrawal, a pause,
a resume, a boundary change: the product's consent promise) and every delete commit with
``synchronous=FULL``, an fsync of the WAL, so they survive a power cut once acknowledged.
A save that only replaces the household document (tonight's prompt, a check-in step)
commits with ``synchronous=NORMAL``: in WAL mode that is durable against a crash of the
process, and a power cut can at worst lose the last such saves (the couple may hear a
different prompt), never a consent event. docs/state.md says more.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from skill.storage.base import (
    HouseholdStore,
    NoDatabase,
    StoredAttributes,
    StoreError,
    document_json,
    event_rows,
    schema_problem,
    stored_attributes,
)

# How long a write waits for another writer: well inside Alexa's answer time; 1 s was not
# enough for eight busy writers on a loaded machine, and a lost write can be a lost "not now".
BUSY_TIMEOUT_MS = 5000

MIGRATIONS: tuple[str, ...] = (
    # 1: households and their append-only events
    """
    CREATE TABLE households (
        key TEXT PRIMARY KEY,
        state TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE household_events (
        key TEXT NOT NULL,
        event_id TEXT NOT NULL,
        at TEXT NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (key, event_id)
    );
    CREATE INDEX household_events_by_time ON household_events (key, at);
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)

LOAD = (
    "SELECT 0 AS part, state AS body, '' AS at, '' AS event_id FROM households WHERE key = ?1 "
    "UNION ALL SELECT 1, body, at, event_id FROM household_events WHERE key = ?1 "
    "ORDER BY part, at, event_id"
)
UPSERT_DOCUMENT = (
    "INSERT INTO households (key, state, updated_at) VALUES (?, ?, ?) "
    "ON CONFLICT (key) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at"
)
INSERT_EVENT = (
    "INSERT OR IGNORE INTO household_events (key, event_id, at, body) VALUES (?, ?, ?, ?)"
)

FULL = "FULL"
"""fsync at every commit: survives a power cut (events, deletes, migrations)."""
NORMAL = "NORMAL"
"""WAL without an fsync per commit: survives a crash of the process (document-only saves)."""


class SQLiteStore(HouseholdStore):
    """Households in one SQLite file; safe for many threads and processes.

    With ``auto_upgrade`` (the default) opening the store creates or migrates its schema;
    without it, ``check`` reports a schema that `porchlight db upgrade` must bring up to date.
    With ``create=False`` a missing file is an error (NoDatabase), never a new database.

    The first open in each process (the WAL switch, and the schema when upgrading) holds an
    exclusive lock on the file's folder: two processes opening a new file at once (gunicorn
    workers on a first start) would otherwise race, and one fail with "database is locked".
    """

    def __init__(self, path: str | Path, *, auto_upgrade: bool = True,
                 create: bool = True) -> None:
        self.path = str(Path(path).expanduser())
        self._create = create
        if not create and not Path(self.path).is_file():
            raise NoDatabase(f"there is no SQLite database at {self.path} (check the "
                             "database URL; `porchlight db upgrade` creates one)")
        try:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreError(f"cannot create the folder for {self.path}: {error}") from error
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        try:
            with _folder_lock(Path(self.path).parent):
                self._connection()
                if auto_upgrade:
                    self.upgrade()
        except StoreError:
            self.close()
            raise

    def _connection(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            try:
                connection = sqlite3.connect(
                    self.path if self._create else f"{Path(self.path).as_uri()}?mode=rw",
                    timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                    check_same_thread=False, uri=not self._create,
                )
                connection.execute("PRAGMA journal_mode=WAL")
                connection.execute("PRAGMA synchronous=FULL")
                connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
                self._local.synchronous = FULL
            except sqlite3.Error as error:
                raise StoreError(f"cannot open the SQLite store: {error}") from error
            self._local.connection = connection
            with self._connections_lock:
                self._connections.append(connection)
        return connection

    def _set_synchronous(self, connection: sqlite3.Connection, level: str) -> None:
        """The commit's durability; SQLite only changes it outside a transaction."""
        if self._local.synchronous != level:
            connection.execute(f"PRAGMA synchronous={level}")
            self._local.synchronous = level

    @contextmanager
    def _write(self, *, durable: bool = True) -> Iterator[sqlite3.Connection]:
        """A write transaction; ``durable`` (the default) fsyncs its commit."""
        connection = self._connection()
        try:
            self._set_synchronous(connection, FULL if durable else NORMAL)
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield connection
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")
        except sqlite3.Error as error:
            raise _store_error("write", error) from error

    def schema_version(self) -> int:
        """The version the database is at."""
        try:
            row = self._connection().execute("PRAGMA user_version").fetchone()
        except sqlite3.Error as error:
            raise _store_error("read", error) from error
        return int(row[0])

    def upgrade(self) -> int:
        """Apply pending migrations; returns the resulting schema version."""
        with self._write() as connection:
            version = int(connection.execute("PRAGMA user_version").fetchone()[0])
            if version > SCHEMA_VERSION:
                raise StoreError(schema_problem(version, SCHEMA_VERSION))
            for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
                for statement in filter(str.strip, script.split(";")):
                    connection.execute(statement)
                connection.execute(f"PRAGMA user_version={number}")
        return SCHEMA_VERSION

    def load(self, key: str) -> StoredAttributes:
        try:
            # One statement, so one read transaction: the document and the events agree.
            rows = self._connection().execute(LOAD, (key,)).fetchall()
        except sqlite3.Error as error:
            raise _store_error("read", error) from error
        document = next((body for part, body, *_ in rows if part == 0), None)
        return stored_attributes(document, [body for part, body, *_ in rows if part == 1])

    def save(self, key: str, attributes: dict[str, Any]) -> None:
        events = self._unstored_events(key, attributes)
        row = (key, document_json(attributes), datetime.now(UTC).isoformat())
        if not events:
            self._write_document(row)
            return
        with self._write() as connection:
            connection.execute(UPSERT_DOCUMENT, row)
            connection.executemany(INSERT_EVENT, events)

    def _write_document(self, row: tuple[str, str, str]) -> None:
        """A document-only save: one statement, its own transaction, no fsync."""
        connection = self._connection()
        try:
            self._set_synchronous(connection, NORMAL)
            connection.execute(UPSERT_DOCUMENT, row)
        except sqlite3.Error as error:
            raise _store_error("write", error) from error

    def _unstored_events(self, key: str, attributes: dict[str, Any]
                         ) -> list[tuple[str, str, str, str]]:
        """Rows for the events the table does not hold yet (those make the save durable).

        An event stored now stays stored (only a delete removes events, and it wins), so
        one seen here needs no second write.
        """
        wanted = event_rows(attributes)
        if not wanted:
            return []
        try:
            stored = {row[0] for row in self._connection().execute(
                "SELECT event_id FROM household_events WHERE key = ?", (key,))}
        except sqlite3.Error as error:
            raise _store_error("read", error) from error
        return [(key, event_id, at, body)
                for event_id, (at, body) in wanted.items() if event_id not in stored]

    def delete(self, key: str) -> None:
        with self._write() as connection:
            connection.execute("DELETE FROM household_events WHERE key = ?", (key,))
            connection.execute("DELETE FROM households WHERE key = ?", (key,))

    def check(self) -> None:
        problem = schema_problem(self.schema_version(), SCHEMA_VERSION)
        if problem:
            raise StoreError(problem)
        try:
            self._connection().execute("SELECT 1 FROM households LIMIT 1").fetchall()
        except sqlite3.Error as error:
            raise StoreError(f"SQLite store is unavailable: {error}") from error

    def close(self) -> None:
        with self._connections_lock:
            for connection in self._connections:
                connection.close()
            self._connections.clear()
        self._local = threading.local()


@contextmanager
def _folder_lock(folder: Path) -> Iterator[None]:
    """An exclusive lock (flock) on ``folder`` while held; released when the process dies.

    The folder, not a lock file beside the database, so nothing is left behind; a folder
    that cannot be opened for reading goes without (SQLite's busy timeout still applies).
    """
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        yield
        return
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)


def _store_error(what: str, error: sqlite3.Error) -> StoreError:
    """A SQLite failure as StoreError, saying what to run when the tables are missing."""
    if "no such table" in str(error):
        return StoreError(f"SQLite {what}: the tables are missing; run `porchlight db upgrade`")
    return StoreError(f"SQLite {what} failed: {error}")
