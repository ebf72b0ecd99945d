"""Issue 12, section 6: `porchlight data export|delete` trim and check ids, answer bad
input with a clear message and exit 2, and never create a database by reading or deleting.
Run as the operator runs them: the real command in a new process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from skill.storage import household_key, open_store
from tests.servers import ROOT

USER_ID = "amzn1.ask.account.OPERATOR-SECURITY-0001"


def porchlight(*arguments: str | bytes, database: Path) -> subprocess.CompletedProcess[bytes]:
    environment = {**os.environ, "PORCHLIGHT_DATABASE_URL": f"sqlite:///{database}"}
    return subprocess.run([sys.executable, "-m", "skill.cli", *arguments], cwd=ROOT,
                          env=environment, capture_output=True, timeout=60, check=False)


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "ops.sqlite3"
    store = open_store(f"sqlite:///{path}")
    store.save(household_key(USER_ID), {"level": 2})
    store.close()
    return path


def test_an_id_with_spaces_around_it_is_the_same_id(database: Path) -> None:
    """Measured before: `data delete " amzn1…" --yes` said "nothing was stored"."""
    result = porchlight("data", "delete", f"  {USER_ID}\n", "--yes", database=database)
    assert result.returncode == 0, result.stderr
    assert b"deleted household" in result.stdout
    store = open_store(f"sqlite:///{database}")
    assert store.load(household_key(USER_ID)) == {}
    store.close()


@pytest.mark.parametrize("command", ["export", "delete"])
@pytest.mark.parametrize("user_id", [b"amzn1.ask.account.\xff\xfe", b"", b"   ",
                                     b"amzn1 ask account", b"amzn1.ask.account.A;rm"])
def test_a_bad_id_is_a_clear_usage_error(database: Path, command: str, user_id: bytes
                                         ) -> None:
    """Measured before: bytes that are not UTF-8 crashed `data export` with a traceback."""
    extra = ["--yes"] if command == "delete" else []
    result = porchlight("data", command, user_id, *extra, database=database)
    assert result.returncode == 2
    assert b"USER_ID must be an Alexa user id" in result.stderr
    assert b"Traceback" not in result.stderr


@pytest.mark.parametrize("command", [["data", "export", USER_ID],
                                     ["data", "delete", USER_ID, "--yes"]])
def test_reading_or_deleting_never_creates_a_database(tmp_path: Path, command: list[str]
                                                      ) -> None:
    """Measured before: `data export` on a missing file made its folder and an empty one."""
    missing = tmp_path / "not" / "here.sqlite3"
    result = porchlight(*command, database=missing)
    assert result.returncode == 2
    assert b"there is no SQLite database at" in result.stderr
    assert not (tmp_path / "not").exists()


def test_db_upgrade_still_creates_one(tmp_path: Path) -> None:
    new = tmp_path / "new" / "porchlight.sqlite3"
    result = porchlight("db", "upgrade", database=new)
    assert result.returncode == 0, result.stderr
    assert new.is_file()
