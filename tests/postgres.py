"""PostgreSQL for tests: the server PORCHLIGHT_TEST_DATABASE_URL names, a fresh schema each test.

Without the variable every test marked ``postgres`` is skipped, and the run's summary says
how many and how to run them (tests/conftest.py).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote

URL_VARIABLE = "PORCHLIGHT_TEST_DATABASE_URL"
HOW_TO_RUN = (
    f"run them with {URL_VARIABLE}=postgresql://postgres@127.0.0.1:5432/test make test "
    "(.ci/run sets it)"
)
SKIP_REASON = f"needs PostgreSQL: {HOW_TO_RUN}"


def server_url() -> str | None:
    """The PostgreSQL server the tests may use, or None."""
    return os.environ.get(URL_VARIABLE) or None


def url_with_schema(url: str, schema: str) -> str:
    """``url`` with the schema first on the search path (for other processes and the CLI)."""
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options={quote(f'-c search_path={schema}')}"


@contextmanager
def fresh_schema(url: str) -> Iterator[str]:
    """A new, empty schema, dropped with everything in it afterwards."""
    import psycopg

    schema = "porchlight_test_" + uuid.uuid4().hex[:12]
    with psycopg.connect(url, autocommit=True, connect_timeout=5) as connection:
        connection.execute(f"CREATE SCHEMA {schema}")
    try:
        yield schema
    finally:
        with psycopg.connect(url, autocommit=True, connect_timeout=5) as connection:
            connection.execute("SET lock_timeout = '20s'")
            connection.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
