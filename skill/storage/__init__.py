"""Household storage: pick a backend from a database URL."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from skill.storage.base import HouseholdStore, StoreError, household_key, household_key_of

__all__ = ["HouseholdStore", "StoreError", "household_key", "household_key_of", "open_store"]


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


def open_store(url: str) -> HouseholdStore:
    """Open the store a database URL names; a ValueError says what is wrong with the URL."""
    scheme = urlsplit(url).scheme.lower()
    if scheme == "sqlite":
        from skill.storage.sqlite import SQLiteStore

        return SQLiteStore(sqlite_path(url))
    raise ValueError(
        f"unsupported database URL scheme {scheme!r}: use sqlite:///PATH"
    )
