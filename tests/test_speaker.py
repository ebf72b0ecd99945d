"""Speakers, `porchlight say`, and `porchlight serve --dev --speak`."""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask

from local_tts import engine
from local_tts.serving import BackgroundSpeaker, speak_responses, speech_of
from local_tts.speaker import (
    PLAYER_VARIABLE,
    AudioSpeaker,
    LiveSpeaker,
    TextSpeaker,
    find_player,
    make_speaker,
    play,
)
from local_tts.wav import WavWriter
from skill.app import create_app
from skill.cli import main
from skill.conversation.clock import SettableClock
from tests.envelopes import Device, dumps
from tests.speech_helpers import fake_player, played, wav_seconds


def test_a_configured_player_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PLAYER_VARIABLE, "my-player --quiet")
    assert find_player() == ["my-player", "--quiet"]


def test_the_first_player_on_the_path_is_used(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PLAYER_VARIABLE, raising=False)
    fake = tmp_path / "paplay"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert find_player() == ["paplay"]


def test_no_player_says_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PLAYER_VARIABLE, raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(engine.SpeechUnavailable, match="apt-get install alsa-utils"):
        find_player()


def test_a_failing_player_is_reported(tmp_path: Path) -> None:
    with pytest.raises(engine.SpeechUnavailable, match="could not play the audio"):
        play(["sh", "-c", "echo 'no soundcards found' >&2; exit 1", "sh"], tmp_path / "x.wav")
    with pytest.raises(engine.SpeechUnavailable, match="could not play audio with"):
        play([str(tmp_path / "missing-player")], tmp_path / "x.wav")


def test_the_audio_speaker_plays_the_whole_response(tmp_path: Path) -> None:
    folder = tmp_path / "played"
    audio = AudioSpeaker(WavWriter(), find_player_from(fake_player(folder)))
    audio.speak('Hello. <break time="1s"/> Goodbye.')
    [file] = played(folder)
    assert wav_seconds(file) > 1.5


def find_player_from(command: str) -> list[str]:
    os.environ[PLAYER_VARIABLE] = command
    try:
        return find_player()
    finally:
        del os.environ[PLAYER_VARIABLE]


def test_make_speaker_uses_the_wav_path_on_espeak(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PLAYER_VARIABLE, "true")
    assert isinstance(make_speaker(WavWriter()), AudioSpeaker)


class FakeEngine:
    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []

    def setProperty(self, name: str, value: Any) -> None:
        self.calls.append((name, value))

    def say(self, text: str) -> None:
        self.calls.append(("say", text))

    def runAndWait(self) -> None:
        self.calls.append(("run", None))


def test_the_live_speaker_speaks_and_sleeps_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeEngine()
    monkeypatch.setattr(engine, "engine", lambda: fake)
    live = LiveSpeaker("voice-1", 100, sleep=lambda s: fake.calls.append(("sleep", s)))
    live.speak('One. <break time="2s"/><prosody rate="50%">two</prosody>')
    assert fake.calls == [
        ("voice", "voice-1"), ("rate", 100), ("volume", engine.BASE_VOLUME), ("say", "One."),
        ("run", None), ("sleep", 2.0), ("voice", "voice-1"), ("rate", 50),
        ("volume", engine.BASE_VOLUME), ("say", "two"), ("run", None)]


def test_the_text_speaker_marks_pauses() -> None:
    out = io.StringIO()
    TextSpeaker(out).speak('Hello. <break time="1s"/> There.<break time="100ms"/> Bye.')
    assert out.getvalue() == "Hello. … There. Bye.\n"


def test_speech_of_a_response() -> None:
    assert speech_of({"response": {"outputSpeech": {"ssml": "<speak>Hi</speak>"}}}) == (
        "<speak>Hi</speak>")
    assert speech_of({"response": {"outputSpeech": {"type": "PlainText", "text": "Hi"}}}) == "Hi"
    assert speech_of({"response": {}}) is None
    assert speech_of({}) is None


class RecordingSpeaker:
    def __init__(self, fail: bool = False) -> None:
        self.said: list[str] = []
        self.fail = fail

    def speak(self, ssml: str) -> None:
        self.said.append(ssml)
        if self.fail:
            raise engine.SpeechFailed("broken speaker")


def test_background_speech_keeps_order_and_survives_errors() -> None:
    recorder = RecordingSpeaker(fail=True)
    background = BackgroundSpeaker(recorder)
    for word in ("one", "two", "three"):
        background({"response": {"outputSpeech": {"ssml": f"<speak>{word}</speak>"}}})
    background({"response": {}})
    background.wait()
    assert recorder.said == ["<speak>one</speak>", "<speak>two</speak>", "<speak>three</speak>"]


@pytest.fixture
def dev_app(database_url: str, clock: SettableClock) -> Flask:
    return create_app({"database_url": database_url, "dev": True}, clock=clock)


def test_a_dev_server_says_each_response(dev_app: Flask, clock: SettableClock) -> None:
    recorder = RecordingSpeaker()
    background = speak_responses(dev_app, recorder)
    client = dev_app.test_client()
    device = Device(clock)
    response = client.post("/alexa", data=dumps(device.launch()), content_type="application/json")
    assert response.status_code == 200
    client.post("/alexa", data=b"not json", content_type="application/json")
    background.wait()
    assert recorder.said == [response.get_json()["response"]["outputSpeech"]["ssml"]]
    dev_app.extensions["porchlight.store"].close()


def test_serve_speak_needs_dev_mode(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["serve", "--speak", "--database-url",
                                       f"sqlite:///{tmp_path}/x.db"])
    assert result.exit_code == 2
    assert "--speak is for development: use it with --dev" in result.output


def test_serve_speak_explains_missing_audio(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                            ) -> None:
    monkeypatch.delenv(PLAYER_VARIABLE, raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    result = CliRunner().invoke(main, ["serve", "--dev", "--speak", "--database-url",
                                       f"sqlite:///{tmp_path}/x.db"])
    assert result.exit_code == 2
    assert "--speak: no audio player found" in result.output


def test_say_writes_a_wav_file(tmp_path: Path) -> None:
    out = tmp_path / "line.wav"
    result = CliRunner().invoke(main, ["say", 'Hello <break time="1s"/> there.', "--out",
                                       str(out), "--voice", "en-us", "--rate", "150"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"wrote {out} (")
    assert wav_seconds(out) > 1.5


def test_say_plays_aloud(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PLAYER_VARIABLE, fake_player(tmp_path))
    result = CliRunner().invoke(main, ["say", "-"], input="Hello from standard input.")
    assert result.exit_code == 0, result.output
    assert len(played(tmp_path)) == 1


def test_say_shows_the_words_without_audio(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PLAYER_VARIABLE, raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    result = CliRunner().invoke(main, ["say", "Hello. <break time='1s'/> There."])
    assert result.exit_code == 0
    assert "Showing the words instead:" in result.output
    assert "Hello. … There." in result.output


@pytest.mark.parametrize("args, expected", [
    (["<speak>Hello"], "not valid SSML"),
    (["Hello", "--voice", "elvish"], "no voice matches 'elvish'"),
    (["Hello", "--rate", "10"], "10 is not in the range 80<=x<=450"),
])
def test_say_refuses_bad_input(args: list[str], expected: str) -> None:
    result = CliRunner().invoke(main, ["say", *args])
    assert result.exit_code == 2
    assert expected in result.output


def test_say_reports_a_player_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PLAYER_VARIABLE, "false")
    result = CliRunner().invoke(main, ["say", "Hello."])
    assert result.exit_code == 1
    assert "false could not play the audio" in result.output


def test_say_reports_a_missing_engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def unavailable(*args: Any, **kwargs: Any) -> Any:
        raise engine.SpeechUnavailable("no engine here")

    monkeypatch.setattr(engine, "resolve_voice", unavailable)
    result = CliRunner().invoke(main, ["say", "Hello.", "--out", str(tmp_path / "x.wav")])
    assert result.exit_code == 1 and "no engine here" in result.output
    result = CliRunner().invoke(main, ["say", "Hello."])
    assert result.exit_code == 0 and "Showing the words instead:\nHello." in result.output
