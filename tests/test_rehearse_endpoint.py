"""`porchlight rehearse --endpoint` against a running `porchlight serve --dev --speak`."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from skill.cli import main
from tests.rehearsal_helpers import (
    Rehearse,
    prompt_in,
    starts_with_one_of,
    transcript,
    variants,
)
from tests.speech_helpers import fake_player, wait_for_played


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class DevServer:
    def __init__(self, url: str, database_url: str, played: Path) -> None:
        self.url = url
        self.database_url = database_url
        self.played = played


@pytest.fixture
def dev_server(tmp_path: Path) -> Iterator[DevServer]:
    """`porchlight serve --dev --speak` in its own process, playing into a folder."""
    port = free_port()
    database_url = f"sqlite:///{tmp_path}/served.sqlite3"
    env = {**os.environ, "PORCHLIGHT_PORT": str(port), "PORCHLIGHT_DATABASE_URL": database_url,
           "PORCHLIGHT_AUDIO_PLAYER": fake_player(tmp_path / "played")}
    log = tmp_path / "serve.log"
    with log.open("wb") as sink:
        process = subprocess.Popen([sys.executable, "-m", "skill.cli", "serve", "--dev",
                                    "--speak"], env=env, stdout=sink, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=1):
                    break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("porchlight serve --dev did not start: " + log.read_text())
        yield DevServer(f"{base}/alexa", database_url, tmp_path / "played")
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def rehearse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Rehearse:
    return Rehearse(tmp_path, monkeypatch)


def test_the_same_envelopes_reach_a_dev_server_which_speaks_them(
    dev_server: DevServer, rehearse: Rehearse
) -> None:
    rehearse.database_url = dev_server.database_url
    result = rehearse("open porch light\nyes\n/state\n/later 3 days\ntell porch light not "
                      "now\n", "--endpoint", dev_server.url, at=None)
    assert result.exit_code == 0, result.output
    launch, yes, state, later, not_now = transcript(result.stdout)
    assert starts_with_one_of(launch.text, "welcome_first") and launch.listening
    assert yes.request == "AMAZON.YesIntent" and prompt_in(yes.text).level == 1
    assert "Depth: level 1 of 4 (Porch)." in state.notes
    assert any("the server keeps its own clock" in note for note in later.notes)
    assert not_now.text in variants("not_now")
    assert len(wait_for_played(dev_server.played, 3)) == 3


def test_state_over_http_needs_the_database(dev_server: DevServer, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    result = CliRunner().invoke(main, ["rehearse", "--endpoint", dev_server.url],
                                input="/state\n")
    assert "also pass the server's --database-url" in result.stdout


def test_an_unreachable_server_is_reported(rehearse: Rehearse) -> None:
    port = free_port()
    result = rehearse("open porch light\n", "--endpoint", f"http://127.0.0.1:{port}/alexa",
                      at=None)
    assert result.exit_code == 1
    assert f"cannot reach http://127.0.0.1:{port}/alexa" in result.stderr


def test_a_server_that_refuses_is_reported(dev_server: DevServer, rehearse: Rehearse) -> None:
    result = rehearse("open porch light\n", "--endpoint", dev_server.url + "/nowhere", at=None)
    assert result.exit_code == 1
    assert "answered 404" in result.stderr
