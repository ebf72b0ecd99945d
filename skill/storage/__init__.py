"""Household storage: pick a backend from a database URL."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from skill.storage.base import (
    HouseholdStore,
    NoDatabase,
    StoreError,
    household_key,
    household_key_of,
)

if TYPE_CHECKING:
    from skill.config import Settings

__all__ = ["HouseholdStore", "NoDatabase", "StoreError", "household_key", "household_key_of",
           "open_store", "store_from_settings"]

POSTGRES_SCHEMES = ("postgresql", "postgres")
POSTGRES_EXTRA_HINT = "pip install 'porch-light[postgres]'"


def sqlite_path(url: str) -> str:
    """The file in a SQLite URL, as SQLAlchemy reads them.

    ``sqlite:///porch.db`` is relative to the working directory and
    ``sqlite:////var/lib/porch.db`` (four slashes) is absolute.
    """
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        raise ValueError(f"a SQLite URL has no host: use sqlite:///PATH, not {url!r}")
    path = unquote(parts.path)[1:]
    if not path or path.endswith("/") or path == ":memory:":
        raise ValueError("the SQLite URL must name a file: use sqlite:///PATH")
    return path


def open_store(url: str, *, pool_size: int = 4, timeout: float = 1.0,
               auto_upgrade: bool | None = None, schema: str | None = None,
               create: bool = True) -> HouseholdStore:
    """Open the store a database URL names; a ValueError says what is wrong with the URL.

    ``auto_upgrade`` None means the backend's default: yes for SQLite, no for PostgreSQL
    (docs/state.md). ``pool_size``, ``timeout`` (seconds) and ``schema`` apply to PostgreSQL.
    ``create=False``: a SQLite file that does not exist is NoDatabase, not a new file.
    """
    scheme = urlsplit(url).scheme.lower()
    if scheme == "sqlite":
        from skill.storage.sqlite import SQLiteStore

        return SQLiteStore(sqlite_path(url), auto_upgrade=auto_upgrade is not False,
                           create=create)
    if scheme in POSTGRES_SCHEMES:
        try:
            from skill.storage.postgres import PostgresStore
        except ImportError as error:
            raise ValueError(
                f"a PostgreSQL database needs the postgres extra ({error}): "
                f"{POSTGRES_EXTRA_HINT}"
            ) from None
        return PostgresStore(url, pool_size=pool_size, timeout=timeout, schema=schema,
                             auto_upgrade=bool(auto_upgrade))
    raise ValueError(
        f"unsupported database URL scheme {scheme!r}: use sqlite:///PATH or "
        "postgresql://USER@HOST/DATABASE"
    )


def store_from_settings(settings: Settings) -> HouseholdStore:
    """The store the settings name, with their pool size, timeout and upgrade rule."""
    return open_store(settings.database_url, pool_size=settings.db_pool_size,
                      timeout=settings.db_timeout_ms / 1000,
                      auto_upgrade=settings.db_auto_upgrade)
