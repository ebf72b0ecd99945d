"""PostgreSQL household store: many server processes on many machines, one database.

The behaviour is the SQLite store's: the state document is replaced whole and events are
append-only (``ON CONFLICT DO NOTHING`` on household and event id), so a withdrawal or a
pause written by one request survives any save from another (docs/state.md).

Every operation is bounded, so a request still answers well inside Alexa's 8 seconds when
the database is down or slow: a pooled connection within ``timeout``; statements and lock
waits cut by the server at ``timeout``; and a client-side deadline that closes a connection
whose server stops answering at all. Needs the extra ``porch-light[postgres]``.
"""

from __future__ import annotations

import math
import os
import re
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Any

import psycopg
from psycopg import errors as pg_errors
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from psycopg_pool import ConnectionPool, PoolTimeout

from skill.storage.base import (
    HouseholdStore,
    StoredAttributes,
    StoreError,
    document_json,
    event_rows,
    schema_problem,
    stored_attributes,
)

# The client-side deadline of one operation, as a multiple of the timeout: an operation is a
# connection check and up to three statements, each of which the server cuts at the timeout.
DEADLINE_FACTOR = 2.0
# Schema changes may take longer than a request may; they run from `porchlight db upgrade`.
UPGRADE_STATEMENT_TIMEOUT = "60s"
SCHEMA_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")

VERSION_TABLE = """
CREATE TABLE IF NOT EXISTS porchlight_schema (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    version integer NOT NULL
)
"""
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 1: households and their append-only events ("C" collation: byte order, as in SQLite)
    (
        """
        CREATE TABLE households (
            key text COLLATE "C" PRIMARY KEY,
            state text NOT NULL,
            updated_at timestamptz NOT NULL DEFAULT now()
        )
        """,
        """
        CREATE TABLE household_events (
            key text COLLATE "C" NOT NULL,
            event_id text COLLATE "C" NOT NULL,
            at text COLLATE "C" NOT NULL,
            body text NOT NULL,
            recorded_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (key, event_id)
        )
        """,
        "CREATE INDEX household_events_by_time ON household_events (key, at, event_id)",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)


def connection_info(url: str, timeout: float, schema: str | None = None) -> str:
    """libpq connection parameters for ``url`` with Porch Light's timeouts added.

    Options already in the URL (``?options=-c...``) come after ours, so they win; an
    explicit ``schema`` is put first on the search path.
    """
    try:
        params: dict[str, Any] = dict(conninfo_to_dict(url))
    except psycopg.ProgrammingError as error:
        raise ValueError(f"not a usable PostgreSQL URL: {error}") from None
    if schema is not None and not SCHEMA_NAME.fullmatch(schema):
        raise ValueError(f"schema must be a plain SQL name (letters, digits, _), not {schema!r}")
    milliseconds = round(timeout * 1000)
    options = [
        f"-c statement_timeout={milliseconds}",
        f"-c lock_timeout={milliseconds}",
        f"-c idle_in_transaction_session_timeout={milliseconds * 10}",
        str(params.get("options") or ""),
        f"-c search_path={schema}" if schema else "",
    ]
    params["options"] = " ".join(option for option in options if option)
    params.setdefault("connect_timeout", max(2, math.ceil(timeout)))  # libpq's minimum is 2
    params.setdefault("application_name", "porchlight")
    params.setdefault("keepalives", 1)
    params.setdefault("keepalives_idle", 10)
    params.setdefault("keepalives_interval", 2)
    params.setdefault("keepalives_count", 3)
    params.setdefault("tcp_user_timeout", milliseconds * 3)
    return make_conninfo("", **params)


class _Deadline:
    """Closes the connection's socket if the operation is still running after ``seconds``.

    A server that stops answering (frozen, or a network that swallows packets) would
    otherwise hold the request past Alexa's patience; shutting the socket down wakes the
    waiting client at once, and the pool then discards the broken connection.
    """

    def __init__(self, connection: psycopg.Connection[Any], seconds: float) -> None:
        self._connection = connection
        self._lock = threading.Lock()
        self._finished = False
        self.expired = False
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def _expire(self) -> None:
        with self._lock:
            if self._finished:
                return
            self.expired = True
            try:
                with socket.socket(fileno=os.dup(self._connection.pgconn.socket)) as sock:
                    sock.shutdown(socket.SHUT_RDWR)
            except (OSError, psycopg.Error):
                pass  # already closed: nothing left to wake

    def __enter__(self) -> _Deadline:
        self._timer.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        with self._lock:
            self._finished = True
        self._timer.cancel()


class PostgresStore(HouseholdStore):
    """Households in PostgreSQL through a small connection pool; safe for many processes.

    ``schema`` puts the tables in that (existing) schema instead of the URL's search path.
    With ``auto_upgrade`` the store creates or migrates its schema on opening; otherwise it
    does not touch the database until the first request, and ``check`` reports a schema
    that `porchlight db upgrade` must bring up to date.
    """

    def __init__(self, url: str, *, pool_size: int = 4, timeout: float = 1.0,
                 schema: str | None = None, auto_upgrade: bool = False) -> None:
        self.timeout = timeout
        self._pool: ConnectionPool[psycopg.Connection[Any]] = ConnectionPool(
            connection_info(url, timeout, schema),
            min_size=1, max_size=pool_size, timeout=timeout, open=False,
            kwargs={"autocommit": True}, check=self._check_connection, name="porchlight",
        )
        self._pool.open(wait=False)
        if auto_upgrade:
            try:
                self.upgrade()
            except StoreError:
                self.close()
                raise

    def _check_connection(self, connection: psycopg.Connection[Any]) -> None:
        """The pool's check before lending a connection, bounded like everything else."""
        with _Deadline(connection, self.timeout):
            ConnectionPool.check_connection(connection)

    @contextmanager
    def _connection(self, what: str, *, bounded: bool = True
                    ) -> Iterator[psycopg.Connection[Any]]:
        """A pooled connection for one operation; every database failure as StoreError."""
        deadline: _Deadline | None = None
        try:
            with self._pool.connection(timeout=self.timeout) as connection:
                if not bounded:
                    yield connection
                    return
                with _Deadline(connection, self.timeout * DEADLINE_FACTOR) as deadline:
                    yield connection
        except PoolTimeout as error:
            raise StoreError(f"PostgreSQL {what}: no connection within {self.timeout:g} s "
                             "(is the database up and reachable?)") from error
        except pg_errors.UndefinedTable as error:
            raise StoreError(f"PostgreSQL {what}: the tables are missing; "
                             "run `porchlight db upgrade`") from error
        except psycopg.Error as error:
            if deadline is not None and deadline.expired:
                raise StoreError(f"PostgreSQL {what}: no answer within "
                                 f"{self.timeout * DEADLINE_FACTOR:g} s") from error
            raise StoreError(f"PostgreSQL {what} failed: {error}") from error

    def load(self, key: str) -> StoredAttributes:
        with self._connection("read") as connection:
            row = connection.execute(
                "SELECT state FROM households WHERE key = %s", (key,)
            ).fetchone()
            events = connection.execute(
                "SELECT body FROM household_events WHERE key = %s ORDER BY at, event_id",
                (key,),
            ).fetchall()
        return stored_attributes(row[0] if row else None, [body for (body,) in events])

    def save(self, key: str, attributes: dict[str, Any]) -> None:
        events = event_rows(attributes)
        with self._connection("write") as connection, connection.transaction():
            connection.execute(
                "INSERT INTO households (key, state, updated_at) VALUES (%s, %s, now()) "
                "ON CONFLICT (key) DO UPDATE SET state = excluded.state, "
                "updated_at = excluded.updated_at",
                (key, document_json(attributes)),
            )
            if events:
                # One statement for any number of events; ids already stored are skipped.
                connection.execute(
                    "INSERT INTO household_events (key, event_id, at, body) "
                    "SELECT %s, event_id, at, body "
                    "FROM unnest(%s::text[], %s::text[], %s::text[]) AS e(event_id, at, body) "
                    "ON CONFLICT (key, event_id) DO NOTHING",
                    (key, list(events), [at for at, _ in events.values()],
                     [body for _, body in events.values()]),
                )

    def delete(self, key: str) -> None:
        # The household row first, as in save: two transactions never wait on each other
        # in opposite orders.
        with self._connection("delete") as connection, connection.transaction():
            connection.execute("DELETE FROM households WHERE key = %s", (key,))
            connection.execute("DELETE FROM household_events WHERE key = %s", (key,))

    def schema_version(self) -> int:
        with self._connection("schema check") as connection:
            return _schema_version(connection)

    def check(self) -> None:
        problem = schema_problem(self.schema_version(), SCHEMA_VERSION)
        if problem:
            raise StoreError(problem)

    def upgrade(self) -> int:
        """Apply pending migrations, one process at a time (an advisory lock per schema)."""
        with self._connection("upgrade", bounded=False) as connection, connection.transaction():
            connection.execute(f"SET LOCAL statement_timeout = '{UPGRADE_STATEMENT_TIMEOUT}'")
            connection.execute(f"SET LOCAL lock_timeout = '{UPGRADE_STATEMENT_TIMEOUT}'")
            row = connection.execute("SELECT current_schema()").fetchone()
            if row is None or row[0] is None:
                raise StoreError("PostgreSQL upgrade: no schema on the search path exists; "
                                 "create it first (CREATE SCHEMA ...)")
            connection.execute("SELECT pg_advisory_xact_lock(hashtext(%s))",
                               (f"porchlight:{row[0]}",))
            connection.execute(VERSION_TABLE)
            version = _schema_version(connection)
            if version > SCHEMA_VERSION:
                raise StoreError(schema_problem(version, SCHEMA_VERSION))
            for number, statements in enumerate(MIGRATIONS[version:], start=version + 1):
                for statement in statements:
                    connection.execute(statement)
                connection.execute(
                    "INSERT INTO porchlight_schema (version) VALUES (%s) "
                    "ON CONFLICT (singleton) DO UPDATE SET version = excluded.version",
                    (number,),
                )
        return SCHEMA_VERSION

    def close(self) -> None:
        self._pool.close(timeout=self.timeout)


def _schema_version(connection: psycopg.Connection[Any]) -> int:
    """The stored schema version; 0 when Porch Light's tables were never created."""
    found = connection.execute("SELECT to_regclass('porchlight_schema') IS NOT NULL").fetchone()
    if not found or not found[0]:
        return 0
    row = connection.execute("SELECT version FROM porchlight_schema").fetchone()
    return int(row[0]) if row else 0
