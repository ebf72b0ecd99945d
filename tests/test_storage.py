"""The household store contract, which every backend must pass, and SQLite's own details.

A backend's test class only says how to make its store: subclass ``StoreContract`` and
implement ``make_store``. Stores are closed after each test.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from skill.storage import (
    HouseholdStore,
    StoreError,
    household_key,
    household_key_of,
    open_store,
)
from skill.storage.sqlite import SCHEMA_VERSION, SQLiteStore

USER_ID = "amzn1.ask.account.X"
HOUSEHOLD = household_key("amzn1.ask.account.HOUSEHOLD-A")
NEIGHBOUR = household_key("amzn1.ask.account.HOUSEHOLD-B")


def event(event_id: str, at: str, kind: str = "withdrawal", **data: Any) -> dict[str, Any]:
    """An event as the conversation state writes it (ids, kinds and times; nothing said)."""
    return {"id": event_id, "kind": kind, "at": at, "data": data}


E1 = event("e1", "2026-11-28T02:00:00+00:00", declined="prompt", ref="small-comfort-end-of-day")
E2 = event("e2", "2026-11-28T03:30:00+00:00", kind="pause", until="2026-12-05T03:30:00+00:00")
E0 = event("e0", "2026-11-27T01:00:00+00:00", kind="resume")


def envelope(user_id: str | None = USER_ID, *, session_user: str | None = None) -> Any:
    """The parts of an ASK request envelope the store reads."""
    user = SimpleNamespace(user_id=user_id) if user_id else None
    session = SimpleNamespace(user=SimpleNamespace(user_id=session_user)) if session_user else None
    return SimpleNamespace(context=SimpleNamespace(system=SimpleNamespace(user=user)),
                           session=session)


def event_ids(document: dict[str, Any]) -> list[str]:
    return [e["id"] for e in document.get("events", [])]


def source(attributes: dict[str, Any]) -> object:
    """The stored text a load says it read (``StoredAttributes.source``)."""
    return getattr(attributes, "source", None)


class StoreContract:
    """Behaviour every HouseholdStore backend must have."""

    def make_store(self, tmp_path: Path) -> HouseholdStore:
        raise NotImplementedError

    @pytest.fixture
    def store(self, tmp_path: Path) -> Iterator[HouseholdStore]:
        store = self.make_store(tmp_path)
        yield store
        store.close()

    # ------------------------------------------------------------------ documents

    def test_a_new_household_loads_empty(self, store: HouseholdStore) -> None:
        assert store.load(HOUSEHOLD) == {}

    def test_a_document_round_trips(self, store: HouseholdStore) -> None:
        document = {
            "schema": 1, "level": 2, "welcomed": True, "cards": False,
            "off_limits": ["money", "in-laws"], "paused_until": None,
            "history": [{"id": "song-stuck-in-your-head", "level": 1,
                         "at": "2026-11-28T02:00:00+00:00", "evening": "2026-11-27"}],
            "note": "caf\u00e9 \u201cquotes\u201d & <tags>",
        }
        store.save(HOUSEHOLD, document)
        assert store.load(HOUSEHOLD) == document

    def test_a_save_replaces_the_document(self, store: HouseholdStore) -> None:
        store.save(HOUSEHOLD, {"level": 1, "welcomed": True})
        store.save(HOUSEHOLD, {"level": 2})
        assert store.load(HOUSEHOLD) == {"level": 2}

    def test_a_loaded_document_is_a_copy(self, store: HouseholdStore) -> None:
        store.save(HOUSEHOLD, {"level": 1, "events": [E1]})
        loaded = store.load(HOUSEHOLD)
        loaded["level"] = 4
        loaded["events"].clear()
        assert store.load(HOUSEHOLD) == {"level": 1, "events": [E1]}

    def test_a_load_carries_the_stored_text_it_was_read_from(
        self, store: HouseholdStore
    ) -> None:
        """``source`` (what ``skill.handlers.stored`` checks a kept household against) is
        the same while nothing changes, and changes with the document or a new event."""
        assert source(store.load(HOUSEHOLD)) == ("",)
        store.save(HOUSEHOLD, {"level": 1})
        first = source(store.load(HOUSEHOLD))
        assert source(store.load(HOUSEHOLD)) == first
        store.save(HOUSEHOLD, {"level": 1})
        assert source(store.load(HOUSEHOLD)) == first
        store.save(HOUSEHOLD, {"level": 2})
        second = source(store.load(HOUSEHOLD))
        store.save(HOUSEHOLD, {"level": 2, "events": [E1]})
        third = source(store.load(HOUSEHOLD))
        assert len({first, second, third}) == 3 and len(third) == 2

    # --------------------------------------------------------------------- events

    def test_events_round_trip_with_the_document(self, store: HouseholdStore) -> None:
        store.save(HOUSEHOLD, {"level": 1, "events": [E1]})
        assert store.load(HOUSEHOLD) == {"level": 1, "events": [E1]}

    def test_events_are_append_only(self, store: HouseholdStore) -> None:
        store.save(HOUSEHOLD, {"level": 1, "events": [E1]})
        # A request that loaded the household before E1 was written saves without it.
        store.save(HOUSEHOLD, {"level": 2, "events": [E2]})
        loaded = store.load(HOUSEHOLD)
        assert loaded["level"] == 2
        assert loaded["events"] == [E1, E2]

    def test_a_save_without_events_keeps_them(self, store: HouseholdStore) -> None:
        store.save(HOUSEHOLD, {"level": 1, "events": [E1, E2]})
        store.save(HOUSEHOLD, {"level": 3})
        assert event_ids(store.load(HOUSEHOLD)) == ["e1", "e2"]

    def test_events_load_in_time_order(self, store: HouseholdStore) -> None:
        store.save(HOUSEHOLD, {"events": [E2]})
        store.save(HOUSEHOLD, {"events": [E1]})
        store.save(HOUSEHOLD, {"events": [E0]})
        assert event_ids(store.load(HOUSEHOLD)) == ["e0", "e1", "e2"]

    def test_a_duplicate_event_id_is_stored_once(self, store: HouseholdStore) -> None:
        store.save(HOUSEHOLD, {"events": [E1, E1]})
        store.save(HOUSEHOLD, {"events": [E1, E2]})
        store.save(HOUSEHOLD, {"events": [E1]})
        assert event_ids(store.load(HOUSEHOLD)) == ["e1", "e2"]

    def test_a_stored_event_is_never_rewritten(self, store: HouseholdStore) -> None:
        store.save(HOUSEHOLD, {"events": [E1]})
        store.save(HOUSEHOLD, {"events": [{**E1, "kind": "pause"}]})
        assert store.load(HOUSEHOLD)["events"] == [E1]

    def test_events_belong_to_their_household(self, store: HouseholdStore) -> None:
        store.save(HOUSEHOLD, {"events": [E1]})
        store.save(NEIGHBOUR, {"events": [E1, E2]})
        assert event_ids(store.load(HOUSEHOLD)) == ["e1"]
        assert event_ids(store.load(NEIGHBOUR)) == ["e1", "e2"]

    # --------------------------------------------------------------------- delete

    def test_delete_removes_document_and_events_only_for_that_household(
        self, store: HouseholdStore
    ) -> None:
        store.save(HOUSEHOLD, {"level": 3, "events": [E1, E2]})
        store.save(NEIGHBOUR, {"level": 1, "events": [E1]})
        store.delete(HOUSEHOLD)
        assert store.load(HOUSEHOLD) == {}
        assert store.load(NEIGHBOUR) == {"level": 1, "events": [E1]}

    def test_deleting_an_unknown_household_is_fine(self, store: HouseholdStore) -> None:
        store.delete(HOUSEHOLD)
        assert store.load(HOUSEHOLD) == {}

    def test_a_deleted_household_starts_fresh(self, store: HouseholdStore) -> None:
        store.save(HOUSEHOLD, {"level": 3, "events": [E1]})
        store.delete(HOUSEHOLD)
        store.save(HOUSEHOLD, {"level": 1, "events": [E2]})
        assert store.load(HOUSEHOLD) == {"level": 1, "events": [E2]}

    # ---------------------------------------------------------------------- check

    def test_check_passes_on_a_working_store(self, store: HouseholdStore) -> None:
        store.check()

    # ---------------------------------------------------------------- concurrency

    def test_concurrent_saves_lose_no_event(self, store: HouseholdStore) -> None:
        threads, saves = 8, 25
        errors: list[BaseException] = []
        start = threading.Barrier(threads)

        def worker(number: int) -> None:
            try:
                start.wait()
                for i in range(saves):
                    # Read, change, write, as a request does; other threads interleave.
                    document = store.load(HOUSEHOLD)
                    document["level"] = number % 4 + 1
                    document.setdefault("events", []).append(
                        event(f"t{number}-{i}", f"2026-11-28T02:{number:02d}:{i:02d}+00:00")
                    )
                    store.save(HOUSEHOLD, document)
            except BaseException as error:
                errors.append(error)

        workers = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
        for thread in workers:
            thread.start()
        for thread in workers:
            thread.join(timeout=60)
        assert errors == []
        ids = event_ids(store.load(HOUSEHOLD))
        assert len(ids) == threads * saves
        assert set(ids) == {f"t{n}-{i}" for n in range(threads) for i in range(saves)}

    # ------------------------------------------------------------ the ASK adapter

    def test_ask_adapter_round_trip(self, store: HouseholdStore) -> None:
        request = envelope()
        assert store.get_attributes(request) == {}
        store.save_attributes(request, {"level": 2, "events": [E1]})
        assert store.get_attributes(request) == {"level": 2, "events": [E1]}
        assert store.load(household_key(USER_ID)) == {"level": 2, "events": [E1]}
        assert store.get_attributes(envelope("amzn1.ask.account.OTHER")) == {}
        store.delete_attributes(request)
        assert store.get_attributes(request) == {}

    def test_ask_adapter_falls_back_to_the_session_user(self, store: HouseholdStore) -> None:
        store.save_attributes(envelope(None, session_user=USER_ID), {"level": 3})
        assert store.get_attributes(envelope()) == {"level": 3}

    @pytest.mark.parametrize("method", ["get_attributes", "save_attributes", "delete_attributes"])
    def test_ask_adapter_needs_a_user(self, store: HouseholdStore, method: str) -> None:
        arguments: tuple[Any, ...] = (envelope(None),)
        if method == "save_attributes":
            arguments += ({"level": 1},)
        with pytest.raises(StoreError, match="user"):
            getattr(store, method)(*arguments)


class TestSQLiteStore(StoreContract):
    def make_store(self, tmp_path: Path) -> HouseholdStore:
        return SQLiteStore(tmp_path / "x.sqlite3")

    def test_check_fails_when_the_database_is_gone(self, tmp_path: Path) -> None:
        path = tmp_path / "x.sqlite3"
        store = SQLiteStore(path)
        store.save(HOUSEHOLD, {"level": 1})
        store.close()
        for leftover in tmp_path.glob("x.sqlite3*"):
            leftover.unlink()
        path.mkdir()
        with pytest.raises(StoreError):
            store.check()
        with pytest.raises(StoreError):
            store.load(HOUSEHOLD)
        store.close()

    def test_check_fails_when_the_file_is_not_a_database(self, tmp_path: Path) -> None:
        path = tmp_path / "x.sqlite3"
        store = SQLiteStore(path)
        store.close()
        for leftover in tmp_path.glob("x.sqlite3*"):
            leftover.unlink()
        path.write_bytes(b"this is not a database, just some bytes " * 200)
        with pytest.raises(StoreError):
            store.check()
        store.close()

    def test_a_fresh_store_is_at_the_current_schema(self, tmp_path: Path) -> None:
        store = SQLiteStore(tmp_path / "x.sqlite3")
        try:
            assert store.schema_version() == SCHEMA_VERSION
        finally:
            store.close()

    def test_without_auto_upgrade_check_says_what_to_run(self, tmp_path: Path) -> None:
        store = SQLiteStore(tmp_path / "x.sqlite3", auto_upgrade=False)
        try:
            assert store.schema_version() == 0
            for action in (store.check, lambda: store.load(HOUSEHOLD)):
                with pytest.raises(StoreError, match="porchlight db upgrade"):
                    action()
            assert store.upgrade() == SCHEMA_VERSION
            store.check()
        finally:
            store.close()

    def test_reopening_is_idempotent(self, tmp_path: Path) -> None:
        path = tmp_path / "x.sqlite3"
        first = SQLiteStore(path)
        first.save(HOUSEHOLD, {"level": 2, "events": [E1]})
        first.close()
        second = SQLiteStore(path)
        try:
            assert second.schema_version() == SCHEMA_VERSION
            assert second.upgrade() == SCHEMA_VERSION
            assert second.load(HOUSEHOLD) == {"level": 2, "events": [E1]}
        finally:
            second.close()

    def test_a_newer_database_is_refused(self, tmp_path: Path) -> None:
        path = tmp_path / "x.sqlite3"
        SQLiteStore(path).close()
        newer = SCHEMA_VERSION + 1
        with sqlite3.connect(path) as connection:
            connection.execute(f"PRAGMA user_version={newer}")
        connection.close()
        with pytest.raises(StoreError) as raised:
            SQLiteStore(path)
        numbers = set(re.findall(r"\d+", str(raised.value)))
        assert {str(newer), str(SCHEMA_VERSION)} <= numbers, str(raised.value)

    def test_the_file_is_in_wal_mode(self, tmp_path: Path) -> None:
        path = tmp_path / "x.sqlite3"
        store = SQLiteStore(path)
        store.save(HOUSEHOLD, {"level": 1})
        store.close()
        connection = sqlite3.connect(path)
        try:
            (mode,) = connection.execute("PRAGMA journal_mode").fetchone()
        finally:
            connection.close()
        assert mode == "wal"

    def test_two_stores_on_one_file_see_each_other(self, tmp_path: Path) -> None:
        path = tmp_path / "x.sqlite3"
        one, two = SQLiteStore(path), SQLiteStore(path)
        try:
            one.save(HOUSEHOLD, {"events": [E1]})
            two.save(HOUSEHOLD, {"events": [E2]})
            assert event_ids(one.load(HOUSEHOLD)) == ["e1", "e2"]
        finally:
            one.close()
            two.close()

    def test_saves_that_add_events_and_deletes_are_fsynced_others_are_not(
        self, tmp_path: Path
    ) -> None:
        store = SQLiteStore(tmp_path / "x.sqlite3")
        statements: list[str] = []
        connection = store._connection()
        connection.set_trace_callback(statements.append)

        def level_of_next_write(write: Any) -> str:
            statements.clear()
            write()
            first_write = next(index for index, s in enumerate(statements)
                               if s.startswith(("BEGIN", "INSERT", "DELETE")))
            pragmas = [s for s in statements[:first_write] if s.startswith("PRAGMA synchronous")]
            return pragmas[-1] if pragmas else "unchanged"

        try:
            assert level_of_next_write(lambda: store.save(HOUSEHOLD, {"level": 1})) == (
                "PRAGMA synchronous=NORMAL")
            assert level_of_next_write(lambda: store.save(HOUSEHOLD, {"level": 2})) == (
                "unchanged")  # still NORMAL: no PRAGMA per request
            assert level_of_next_write(lambda: store.save(HOUSEHOLD, {"events": [E1]})) == (
                "PRAGMA synchronous=FULL")
            assert level_of_next_write(lambda: store.save(HOUSEHOLD, {"events": [E1]})) == (
                "PRAGMA synchronous=NORMAL")  # E1 is stored already
            assert level_of_next_write(
                lambda: store.save(HOUSEHOLD, {"events": [E1, E2]})) == "PRAGMA synchronous=FULL"
            store.save(HOUSEHOLD, {"level": 3})
            assert level_of_next_write(lambda: store.delete(HOUSEHOLD)) == (
                "PRAGMA synchronous=FULL")
        finally:
            store.close()

    def test_the_first_of_two_events_with_one_id_is_kept(self, tmp_path: Path) -> None:
        store = SQLiteStore(tmp_path / "x.sqlite3")
        try:
            store.save(HOUSEHOLD, {"events": [E1, {**E1, "kind": "other"}]})
            assert store.load(HOUSEHOLD)["events"] == [E1]
        finally:
            store.close()

    def test_the_store_creates_its_folder(self, tmp_path: Path) -> None:
        store = SQLiteStore(tmp_path / "new" / "folder" / "x.sqlite3")
        try:
            store.check()
        finally:
            store.close()
        assert (tmp_path / "new" / "folder" / "x.sqlite3").is_file()


# ---------------------------------------------------------------- household keys


def test_household_key_is_a_sha256_and_never_the_user_id() -> None:
    key = household_key(USER_ID)
    assert re.fullmatch(r"[0-9a-f]{64}", key)
    assert key != USER_ID
    assert USER_ID not in key
    assert key == household_key(USER_ID)
    assert key != household_key(USER_ID + "Y")
    assert household_key_of(envelope()) == key


def test_a_request_without_a_user_has_no_household_key() -> None:
    with pytest.raises(StoreError):
        household_key_of(envelope(None))
    with pytest.raises(StoreError):
        household_key_of(SimpleNamespace(context=None, session=None))


# --------------------------------------------------------------------- open_store


def test_a_three_slash_sqlite_url_is_relative(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    store = open_store("sqlite:///relative.db")
    try:
        assert isinstance(store, SQLiteStore)
        assert not Path(store.path).is_absolute()
        store.check()
    finally:
        store.close()
    assert (tmp_path / "relative.db").is_file()


def test_a_four_slash_sqlite_url_is_absolute(tmp_path: Path) -> None:
    target = tmp_path / "abs" / "path.db"
    url = f"sqlite:///{target}"
    assert url.startswith("sqlite:////")
    store = open_store(url)
    try:
        assert Path(store.path) == target
        store.check()
    finally:
        store.close()
    assert target.is_file()


def test_a_percent_encoded_sqlite_path_is_decoded(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path}/porch%20light.db")
    store.close()
    assert (tmp_path / "porch light.db").is_file()


@pytest.mark.parametrize("url", [
    "mysql://localhost/porch",
    "redis://localhost:6379/0",
    "porch.sqlite3",
])
def test_an_unsupported_scheme_is_refused_helpfully(url: str) -> None:
    with pytest.raises(ValueError, match=r"sqlite:///") as raised:
        open_store(url)
    assert "scheme" in str(raised.value)


@pytest.mark.parametrize("url", ["sqlite://db.example/porch.db", "sqlite://user@host:1/x.db"])
def test_a_sqlite_url_with_a_host_is_refused(url: str) -> None:
    with pytest.raises(ValueError, match=r"host.*sqlite:///"):
        open_store(url)


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///", "sqlite:///folder/",
                                 "sqlite:///:memory:"])
def test_a_sqlite_url_without_a_file_is_refused(url: str) -> None:
    with pytest.raises(ValueError, match=r"file.*sqlite:///"):
        open_store(url)


def test_open_store_errors_leave_no_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for url in ("sqlite:///folder/", "mysql://db/porch", "sqlite://host/x.db"):
        with pytest.raises(ValueError):
            open_store(url)
    assert list(tmp_path.iterdir()) == []
