"""`porchlight rehearse --web`: the same command and options, a page on loopback, the
browser opened unless --no-browser, and nothing typed in what the command prints."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from local_tts.engine import SpeechUnavailable
from local_tts.rehearsal.setup import Options
from local_tts.rehearsal.web import serve
from skill.cli import main
from tests.page_helpers import page_rehearsal
from tests.rehearsal_helpers import EVENING_AT, Rehearse

SECRET = "our private pineapple words"


def post(url: str, path: str, body: dict[str, str]) -> dict[str, Any]:
    request = urllib.request.Request(url + path, data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as answer:
        payload: dict[str, Any] = json.loads(answer.read())
    return payload


def test_the_web_page_from_the_command_line(tmp_path: Path) -> None:
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data")}
    env.pop("PORCHLIGHT_DATABASE_URL", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "skill.cli", "rehearse", "--web", "--no-browser", "--mute",
         "--at", EVENING_AT, "--timezone", "America/Los_Angeles", "--person", "Sam",
         "--database-url", f"sqlite:///{tmp_path}/web.sqlite3"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert server.stdout is not None
        first = server.stdout.readline()
        url = first.split(": ", 1)[1].strip()
        assert url.startswith("http://127.0.0.1:") and url.endswith("/")
        with urllib.request.urlopen(url + "api/hello", timeout=60) as answer:
            hello = json.loads(answer.read())
        assert hello["muted"] is True  # --mute: the page starts muted
        # Every option of `rehearse` applies: --at, read in --timezone.
        assert hello["now"] == "Friday 27 November, 9:00 PM (America/Los_Angeles)"
        turn = post(url, "api/say", {"text": "ask porch light for tonight's prompt"})
        assert turn["turns"][0]["request"] == "TonightsPromptIntent"
        assert post(url, "api/say", {"text": SECRET})["turns"][0]["said"]
    finally:
        server.send_signal(signal.SIGINT)
        out, err = server.communicate(timeout=60)
    assert server.returncode == 0, err
    assert SECRET not in out + err and "pineapple" not in out + err
    assert "api/say" not in out + err  # no request lines either


def test_web_options_go_with_web(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for extra in (["--port", "8080"], ["--no-browser"]):
        result = Rehearse(tmp_path, monkeypatch)("", *extra)
        assert result.exit_code == 2 and "go with --web" in result.output
    bad = CliRunner().invoke(main, ["rehearse", "--web", "--locale", "xx-XX"])
    assert bad.exit_code == 2 and "no model for xx-XX" in bad.output


def test_the_browser_opens_on_the_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str] = []

    def stop(self: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(serve.BaseWSGIServer, "serve_forever", stop)
    for works in (True, False):
        monkeypatch.setattr(serve.webbrowser, "open",
                            lambda url, works=works: opened.append(url) or works)
        result = Rehearse(tmp_path, monkeypatch)("", "--web")
        assert result.exit_code == 0, result.output
        assert opened[-1] in result.output
        assert ("no browser could be opened" in result.output) is not works
    assert len(opened) == 2 and opened[0] != opened[1]  # a new token each run


def test_a_port_in_use_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = Rehearse(tmp_path, monkeypatch)("", "--web", "--no-browser", "--port",
                                                 str(port))
    assert result.exit_code == 1
    assert f"Port {port} is in use" in result.output


def test_without_a_speech_engine_the_page_shows_words_only(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_engine(options: Options) -> Any:
        raise SpeechUnavailable("no speech engine here")

    monkeypatch.setattr(serve, "make_writer", no_engine)
    with page_rehearsal(Rehearse(tmp_path, monkeypatch), tmp_path / "w", sound=False) as page:
        note = serve.give_voice(page.rehearsal, Options(), tmp_path / "w")
        page.sound_note = note
        hello = page.hello()
        assert (hello["sound"], hello["sound_note"]) == (False, "no speech engine here")
        (turn,) = page.say("open porch light")["turns"]
        assert turn["said"] and turn["audio"] is None


def test_other_trouble_with_the_port_is_a_clear_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refused(*args: Any, **kwargs: Any) -> Any:
        raise OSError(99, "Cannot assign requested address")

    monkeypatch.setattr(serve, "make_server", refused)
    result = Rehearse(tmp_path, monkeypatch)("", "--web", "--no-browser", "--port", "8123")
    assert result.exit_code == 1
    assert "cannot serve the page on port 8123" in result.output
    assert "Cannot assign requested address" in result.output


def test_save_wav_keeps_the_files_the_page_plays(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    rehearse = Rehearse(tmp_path, monkeypatch)
    folder = tmp_path / "kept"
    rehearsal, close = serve.open_rehearsal(Options(database_url=rehearse.database_url,
                                                    at=EVENING_AT, save_wav=folder))
    try:
        assert serve.give_voice(rehearsal, Options(), tmp_path / "private") is None
        page = serve.PageRehearsal(rehearsal, private_wavs=tmp_path / "private")
        (turn,) = page.say("open porch light")["turns"]
        name = turn["audio"].removeprefix("audio/").removesuffix(".wav")
        assert page.sound(name) == (folder / "turn-001.wav").read_bytes()
    finally:
        close()
