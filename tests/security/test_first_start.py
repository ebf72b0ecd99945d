"""Issue 12, section 5: many processes opening one new SQLite file at the same moment
(gunicorn workers on a first start) all come up, and the file ends in WAL mode with the
schema created once.

Measured before: two processes opening a new file at once failed on
``PRAGMA journal_mode=WAL`` ("database is locked") in 37 of 40 tries.
"""

from __future__ import annotations

import multiprocessing
import sqlite3
from pathlib import Path

from skill.storage.sqlite import SCHEMA_VERSION, SQLiteStore

PROCESSES = 8
ROUNDS = 5


def open_and_save(path: str, start: multiprocessing.synchronize.Event, number: int) -> None:
    start.wait(30)
    store = SQLiteStore(path)
    store.save(f"household-{number}", {"level": number, "events": [
        {"id": f"e{number}", "at": "2026-11-28T02:00:00+00:00", "kind": "pause"}]})
    store.close()


def test_many_processes_racing_on_a_new_file_all_start(tmp_path: Path) -> None:
    context = multiprocessing.get_context("fork")
    for round_number in range(ROUNDS):
        path = str(tmp_path / f"round-{round_number}" / "porchlight.sqlite3")
        start = context.Event()
        processes = [context.Process(target=open_and_save, args=(path, start, number))
                     for number in range(PROCESSES)]
        for process in processes:
            process.start()
        start.set()
        for process in processes:
            process.join(timeout=60)
        assert [process.exitcode for process in processes] == [0] * PROCESSES, (
            f"round {round_number}: a process failed to open the new file")
        with sqlite3.connect(path) as check:
            assert check.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            assert check.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
            assert check.execute("SELECT count(*) FROM households").fetchone()[0] == PROCESSES
        check.close()
