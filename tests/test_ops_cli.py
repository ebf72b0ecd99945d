"""Operator commands: `porchlight db upgrade`, `porchlight data export|delete USER_ID`."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from skill.cli import main
from skill.storage import HouseholdStore, household_key, open_store
from skill.storage.sqlite import SQLiteStore
from tests.postgres import url_with_schema
from tests.servers import ROOT
from tests.test_storage import E1, E2, event

USER_ID = "amzn1.ask.account.OPERATOR-REQUEST-0001"
NEIGHBOUR_ID = "amzn1.ask.account.OPERATOR-REQUEST-0002"
HISTORY = [{"id": "song-stuck-in-your-head", "level": 1, "at": "2026-11-28T02:00:00+00:00",
            "evening": "2026-11-27"}]


def run(*arguments: str, env: dict[str, str] | None = None, answer: str | None = None
        ) -> Result:
    return CliRunner().invoke(main, list(arguments), env=env, input=answer)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/ops.sqlite3"
    else:
        yield url_with_schema(request.getfixturevalue("postgres_url"),
                              request.getfixturevalue("postgres_schema"))


@pytest.fixture
def filled(database: str) -> Iterator[HouseholdStore]:
    """The database with two households in it."""
    store = open_store(database, auto_upgrade=True)
    store.save(household_key(USER_ID), {
        "schema": 1, "level": 2, "history": HISTORY,
        "events": [E1, E2, event("e3", "2026-11-29T01:00:00+00:00", kind="boundary-set",
                                 topic="money")],
    })
    store.save(household_key(NEIGHBOUR_ID), {"level": 1, "events": [E1]})
    yield store
    store.close()


def test_help_names_the_operator_commands() -> None:
    output = run("--help").output
    assert "data" in output and "db" in output
    assert "export" in run("data", "--help").output
    assert "upgrade" in run("db", "--help").output
    for command in (("db", "upgrade"), ("data", "export"), ("data", "delete")):
        assert "--database-url" in run(*command, "--help").output


def test_help_imports_nothing_heavy() -> None:
    probe = ("import sys; from skill.cli import main; "
             "heavy = {'flask', 'psycopg', 'psycopg_pool', 'ask_sdk_core', 'prometheus_client'}; "
             "print(sorted(heavy & set(sys.modules)))")
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                            text=True, timeout=60, check=True)
    assert result.stdout.strip() == "[]"


def test_db_upgrade_creates_then_reports_current(database: str) -> None:
    first = run("db", "upgrade", "--database-url", database)
    assert first.exit_code == 0, first.output
    assert "schema at version 1 (was 0)" in first.output
    again = run("db", "upgrade", "--database-url", database)
    assert "schema at version 1 (already current)" in again.output


def test_db_upgrade_reads_the_environment(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/env.sqlite3"
    result = run("db", "upgrade", env={"PORCHLIGHT_DATABASE_URL": url})
    assert result.exit_code == 0, result.output
    store = SQLiteStore(tmp_path / "env.sqlite3", auto_upgrade=False)
    try:
        store.check()
    finally:
        store.close()


def test_export_puts_each_kind_of_record_under_a_plain_name(
    database: str, filled: HouseholdStore
) -> None:
    result = run("data", "export", USER_ID, "--database-url", database)
    assert result.exit_code == 0, result.output
    exported: dict[str, Any] = json.loads(result.output)
    assert exported["household"] == household_key(USER_ID)
    assert exported["settings"] == {"schema": 1, "level": 2}
    assert exported["history"] == HISTORY
    assert exported["withdrawals"] == [{"id": "e1", "at": E1["at"], "declined": "prompt",
                                        "ref": "small-comfort-end-of-day"}]
    assert exported["pauses"] == [{"id": "e2", "at": E2["at"], "until": E2["data"]["until"]}]
    assert exported["resumes"] == [] and exported["boundaries_removed"] == []
    assert exported["boundaries_set"] == [{"id": "e3", "at": "2026-11-29T01:00:00+00:00",
                                          "topic": "money"}]
    assert USER_ID not in result.output


def test_export_of_an_unknown_user_is_empty(database: str, filled: HouseholdStore) -> None:
    exported = json.loads(run("data", "export", "amzn1.ask.account.NOBODY",
                              "--database-url", database).output)
    assert exported["settings"] == {} and exported["withdrawals"] == []


def test_delete_removes_only_that_household(database: str, filled: HouseholdStore) -> None:
    result = run("data", "delete", USER_ID, "--yes", "--database-url", database)
    assert result.exit_code == 0, result.output
    assert "deleted household" in result.output
    assert filled.load(household_key(USER_ID)) == {}
    assert filled.load(household_key(NEIGHBOUR_ID)) == {"level": 1, "events": [E1]}
    again = run("data", "delete", USER_ID, "--yes", "--database-url", database)
    assert "nothing was stored" in again.output


def test_delete_asks_first(database: str, filled: HouseholdStore) -> None:
    result = run("data", "delete", USER_ID, "--database-url", database, answer="n\n")
    assert result.exit_code == 1
    assert "Aborted" in result.output
    assert filled.load(household_key(USER_ID)) != {}
    confirmed = run("data", "delete", USER_ID, "--database-url", database, answer="y\n")
    assert confirmed.exit_code == 0 and filled.load(household_key(USER_ID)) == {}


def test_a_bad_database_url_is_a_usage_error() -> None:
    result = run("data", "export", USER_ID, "--database-url", "mysql://db/porch")
    assert result.exit_code == 2
    assert "postgresql://" in result.output


def test_an_unreachable_database_is_a_clear_error(unused_port: int) -> None:
    url = f"postgresql://postgres@127.0.0.1:{unused_port}/test"
    for command in (("db", "upgrade"), ("data", "export", USER_ID),
                    ("data", "delete", USER_ID, "--yes")):
        result = run(*command, "--database-url", url)
        assert result.exit_code == 1, result.output
        assert "no connection" in result.output


def test_export_before_any_upgrade_says_what_to_run(tmp_path: Path) -> None:
    """A missing file is named, and not created (issue 12: it used to leave an empty one)."""
    result = run("data", "export", USER_ID, "--database-url", f"sqlite:///{tmp_path}/new.db")
    assert result.exit_code == 2
    assert "porchlight db upgrade" in result.output
    assert not (tmp_path / "new.db").exists()
