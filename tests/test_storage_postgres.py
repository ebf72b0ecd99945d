"""The household store contract on PostgreSQL, and PostgreSQL's own details.

Every test that needs the server is marked ``postgres`` and gets a fresh schema; without
PORCHLIGHT_TEST_DATABASE_URL they are skipped and counted in the run's summary.
"""

from __future__ import annotations

import re
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from skill.storage import HouseholdStore, StoreError, open_store
from skill.storage.postgres import SCHEMA_VERSION, PostgresStore, connection_info
from tests.postgres import url_with_schema
from tests.test_storage import E1, E2, HOUSEHOLD, StoreContract, event_ids


@pytest.mark.postgres
class TestPostgresStore(StoreContract):
    url: str
    schema: str

    @pytest.fixture(autouse=True)
    def _database(self, postgres_url: str, postgres_schema: str) -> None:
        self.url, self.schema = postgres_url, postgres_schema

    def make_store(self, tmp_path: Path) -> HouseholdStore:
        return PostgresStore(self.url, schema=self.schema, auto_upgrade=True)

    def raw(self, sql: str) -> None:
        with psycopg.connect(url_with_schema(self.url, self.schema), autocommit=True) as db:
            db.execute(sql)  # type: ignore[arg-type]

    def test_a_fresh_store_is_at_the_current_schema(self, store: HouseholdStore) -> None:
        assert store.schema_version() == SCHEMA_VERSION
        assert store.upgrade() == SCHEMA_VERSION

    def test_without_auto_upgrade_nothing_is_created_until_asked(self) -> None:
        store = PostgresStore(self.url, schema=self.schema)
        try:
            assert store.schema_version() == 0
            with pytest.raises(StoreError, match="porchlight db upgrade"):
                store.check()
            with pytest.raises(StoreError, match="porchlight db upgrade"):
                store.load(HOUSEHOLD)
            assert store.upgrade() == SCHEMA_VERSION
            store.check()
            assert store.load(HOUSEHOLD) == {}
        finally:
            store.close()

    def test_a_newer_database_is_refused(self, store: HouseholdStore) -> None:
        newer = SCHEMA_VERSION + 1
        self.raw(f"UPDATE porchlight_schema SET version = {newer}")
        for action in (store.check, store.upgrade):
            with pytest.raises(StoreError) as raised:
                action()
            numbers = set(re.findall(r"\d+", str(raised.value)))
            assert {str(newer), str(SCHEMA_VERSION)} <= numbers, str(raised.value)

    def test_concurrent_upgrades_take_turns(self) -> None:
        stores = [PostgresStore(self.url, schema=self.schema) for _ in range(4)]
        errors: list[BaseException] = []
        start = threading.Barrier(len(stores))

        def upgrade(store: PostgresStore) -> None:
            try:
                start.wait(timeout=10)
                store.upgrade()
            except BaseException as error:
                errors.append(error)

        threads = [threading.Thread(target=upgrade, args=(s,)) for s in stores]
        try:
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=30)
            assert errors == []
            assert stores[0].schema_version() == SCHEMA_VERSION
        finally:
            for store in stores:
                store.close()

    def test_two_stores_on_one_schema_see_each_other(self, store: HouseholdStore) -> None:
        other = PostgresStore(url_with_schema(self.url, self.schema))
        try:
            store.save(HOUSEHOLD, {"events": [E1]})
            other.save(HOUSEHOLD, {"events": [E2]})
            assert event_ids(store.load(HOUSEHOLD)) == ["e1", "e2"]
        finally:
            other.close()

    def test_open_store_takes_postgres_urls(self) -> None:
        for scheme in ("postgresql", "postgres"):
            url = url_with_schema(self.url, self.schema).replace("postgresql", scheme, 1)
            store = open_store(url, auto_upgrade=True, pool_size=2, timeout=1.5)
            try:
                assert isinstance(store, PostgresStore)
                assert store.timeout == 1.5
                store.save(HOUSEHOLD, {"level": 2})
                assert store.load(HOUSEHOLD) == {"level": 2}
            finally:
                store.close()

    def test_upgrade_needs_an_existing_schema(self) -> None:
        store = PostgresStore(self.url, schema="porchlight_no_such_schema")
        try:
            with pytest.raises(StoreError, match="CREATE SCHEMA"):
                store.upgrade()
        finally:
            store.close()

    def test_a_held_lock_fails_a_write_within_the_timeout(self, store: HouseholdStore) -> None:
        store.save(HOUSEHOLD, {"level": 1})
        with psycopg.connect(url_with_schema(self.url, self.schema)) as blocker:
            blocker.execute("LOCK TABLE households IN ACCESS EXCLUSIVE MODE")
            started = time.monotonic()
            with pytest.raises(StoreError):
                store.save(HOUSEHOLD, {"level": 2})
            assert time.monotonic() - started < 5
            blocker.rollback()
        assert store.load(HOUSEHOLD) == {"level": 1}

    def test_events_keep_byte_order_whatever_the_collation(self, store: HouseholdStore) -> None:
        at = "2026-11-28T02:00:00+00:00"
        ids = ["B", "a", "_z", "Z-1", "z_1"]
        store.save(HOUSEHOLD, {"events": [{"id": i, "kind": "pause", "at": at} for i in ids]})
        assert event_ids(store.load(HOUSEHOLD)) == sorted(ids)


@pytest.fixture
def no_psycopg(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setitem(sys.modules, "psycopg", None)
    monkeypatch.delitem(sys.modules, "skill.storage.postgres", raising=False)
    yield


def test_a_missing_postgres_extra_is_named(no_psycopg: None) -> None:
    with pytest.raises(ValueError, match=re.escape("porch-light[postgres]")):
        open_store("postgresql://postgres@127.0.0.1:5432/test")


def test_timeouts_go_into_the_connection_options() -> None:
    info = connection_info("postgresql://porch@db.example:6543/porch", 1.0, "tenant_7")
    assert "host=db.example" in info and "port=6543" in info
    assert "statement_timeout=1000" in info and "lock_timeout=1000" in info
    assert "search_path=tenant_7" in info
    assert "connect_timeout=2" in info  # libpq's minimum
    assert "application_name=porchlight" in info


def test_options_in_the_url_come_after_ours_and_win() -> None:
    url = "postgresql://porch@db/porch?options=-c%20statement_timeout%3D3000&connect_timeout=4"
    info = connection_info(url, 1.0)
    assert info.index("statement_timeout=1000") < info.index("statement_timeout=3000")
    assert "connect_timeout=4" in info


@pytest.mark.parametrize("schema", ["a b", "x;drop", "1abc", "", "é"])
def test_a_schema_must_be_a_plain_name(schema: str) -> None:
    with pytest.raises(ValueError, match="schema"):
        connection_info("postgresql://db/porch", 1.0, schema)


def test_a_malformed_postgres_url_is_refused() -> None:
    with pytest.raises(ValueError, match="PostgreSQL URL"):
        connection_info("postgresql://db/porch?not_a_libpq_option=1", 1.0)


def test_an_unreachable_server_fails_fast(unused_port: int) -> None:
    store = PostgresStore(f"postgresql://postgres@127.0.0.1:{unused_port}/test", timeout=0.5)
    try:
        started = time.monotonic()
        with pytest.raises(StoreError, match="no connection"):
            store.load(HOUSEHOLD)
        with pytest.raises(StoreError):
            store.check()
        assert time.monotonic() - started < 5
    finally:
        store.close()
