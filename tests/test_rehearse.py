"""`porchlight rehearse` driven by scripts: whole conversations through the real skill."""

from __future__ import annotations

import os
import subprocess
import sys
import wave
from pathlib import Path

import pytest

from local_tts.rehearsal.identity import IDENTITY_FILE
from tests.rehearsal_helpers import (
    EVENING_AT,
    Rehearse,
    prompt_in,
    starts_with_one_of,
    transcript,
    variants,
)
from tests.speech_helpers import fake_player, played

EVENING = """\
# A whole evening: first launch, a prompt, another one, "not now", a quiet return.
open porch light
yes
ask porch light for another one
tell porch light not now
open porch light
/quit
"""


@pytest.fixture
def rehearse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Rehearse:
    return Rehearse(tmp_path, monkeypatch)


def check_evening(output: str) -> None:
    launch, yes, another, not_now, relaunch, leave = transcript(output)
    assert (launch.said, launch.request, launch.listening) == (
        "open porch light", "LaunchRequest", True)
    assert starts_with_one_of(launch.text, "welcome_first")
    assert launch.text.endswith("?")  # an offer the "yes" answers
    assert (yes.request, yes.listening) == ("AMAZON.YesIntent", False)
    assert starts_with_one_of(yes.text, "prompt_intro")
    first = prompt_in(yes.text)
    assert first.level == 1
    assert (another.request, another.listening) == ("AnotherPromptIntent", False)
    assert starts_with_one_of(another.text, "another_intro")
    second = prompt_in(another.text)
    assert second.id != first.id and second.level <= 1
    assert (not_now.request, not_now.listening) == ("NotNowIntent", False)
    assert not_now.text in variants("not_now")
    assert (relaunch.request, relaunch.listening) == ("LaunchRequest", True)
    assert relaunch.text in variants("welcome_quiet")
    assert (leave.said, leave.request, leave.text) == ("/quit", "SessionEndedRequest", "")


def test_a_whole_evening_as_a_script(rehearse: Rehearse) -> None:
    result = rehearse(EVENING)
    assert result.exit_code == 0, result.output
    check_evening(result.stdout)


def test_a_whole_evening_piped_into_the_command(tmp_path: Path) -> None:
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data")}
    env.pop("PORCHLIGHT_DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "skill.cli", "rehearse", "--at", EVENING_AT,
         "--database-url", f"sqlite:///{tmp_path}/piped.sqlite3"],
        input=EVENING, capture_output=True, text=True, env=env, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    check_evening(done.stdout)


def test_the_household_is_the_same_on_the_next_run(rehearse: Rehearse, tmp_path: Path) -> None:
    assert starts_with_one_of(transcript(rehearse("open porch light\n").stdout)[0].text,
                              "welcome_first")
    again = transcript(rehearse("open porch light\n").stdout)[0]
    assert again.text in variants("welcome_back")
    assert (tmp_path / "data" / "porch-light" / IDENTITY_FILE).is_file()
    other = transcript(rehearse("open porch light\n", "--user", "sam and alex").stdout)[0]
    assert starts_with_one_of(other.text, "welcome_first")


def test_slots_tolerance_and_fallback_are_shown(rehearse: Rehearse) -> None:
    result = rehearse("tell porch light to pause for two weeks\n"
                      "we're back\n"
                      "um pause for a month please\n"
                      "what's the capital of france\n")
    pause, back, month, unknown, leave = transcript(result.stdout)
    assert pause.request == "PauseIntent duration=P2W"
    assert "Friday, December 11" in pause.text
    assert back.request == "ResumeIntent"
    assert month.request.startswith("PauseIntent duration=P1M (score 0.")
    assert unknown.request.startswith("AMAZON.FallbackIntent (nearest ")
    assert unknown.listening and leave.request == "SessionEndedRequest"


def test_later_moves_the_clock_across_evenings(rehearse: Rehearse) -> None:
    result = rehearse("open porch light\n"
                      "tell porch light not now\n"
                      "open porch light\n"
                      "/later 3 days\n"
                      "open porch light\n"
                      "/later two hours\n"
                      "/later a while\n")
    turns = transcript(result.stdout)
    assert turns[1].request == "NotNowIntent"
    assert turns[2].text in variants("welcome_quiet")
    assert turns[3].request == "SessionEndedRequest"  # the open session timed out
    assert "It is now Monday 30 November, 9:00 PM (America/New_York)." in turns[3].notes
    assert turns[4].text in variants("welcome_back")
    assert "It is now Monday 30 November, 11:00 PM (America/New_York)." in turns[5].notes
    assert any("/later needs a span like '3 days'" in n for n in turns[6].notes)


def test_state_intents_and_help(rehearse: Rehearse) -> None:
    result = rehearse("ask porch light for tonight's prompt\n"
                      "tell porch light not now\n"
                      "/state\n/intents\n/help\n/dance\n")
    notes = "\n".join(note for turn in transcript(result.stdout) for note in turn.notes)
    assert "Depth: level 1 of 4 (Porch)." in notes
    assert '"Not now" recorded 1 time(s); the latest on Friday 27 November, 9:00 PM, ' \
           "declining: prompt " in notes
    assert "Tonight is a quiet evening: no offers until 5 AM." in notes
    assert 'PauseIntent: "pause for {duration}" / "to pause for {duration}"' in notes
    assert 'AMAZON.StopIntent: "stop" / "stop it"' in notes
    assert "/later 3 days" in notes
    assert "unknown command /dance; /help lists them" in notes


def test_exit_leaves_the_skill(rehearse: Rehearse) -> None:
    turns = transcript(rehearse("open porch light\nexit\nexit\n").stdout)
    assert [t.request for t in turns] == ["LaunchRequest", "SessionEndedRequest",
                                          "SessionEndedRequest"]


def test_each_turn_can_be_saved_as_a_wav_file(rehearse: Rehearse, tmp_path: Path) -> None:
    folder = tmp_path / "wavs"
    result = rehearse("open porch light\nyes\n", "--save-wav", str(folder))
    assert result.exit_code == 0, result.output
    assert f"(saved {folder / 'turn-001.wav'})" in result.stdout
    rehearse("tell porch light not now\n", "--save-wav", str(folder))
    files = sorted(folder.glob("turn-*.wav"))
    assert [f.name for f in files] == ["turn-001.wav", "turn-002.wav", "turn-003.wav"]
    for file in files:
        with wave.open(str(file)) as audio:
            assert audio.getnframes() / audio.getframerate() > 1.0


def test_answers_are_spoken(rehearse: Rehearse, tmp_path: Path,
                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORCHLIGHT_AUDIO_PLAYER", fake_player(tmp_path / "played"))
    result = rehearse("open porch light\nyes\n", "--speak", "--voice", "en-us", "--rate", "200")
    assert result.exit_code == 0, result.output
    assert len(played(tmp_path / "played")) == 2


def test_failing_sound_falls_back_to_printing(rehearse: Rehearse,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORCHLIGHT_AUDIO_PLAYER", "false")
    result = rehearse("open porch light\nyes\n", "--speak")
    assert result.exit_code == 0
    assert "(no sound: false could not play the audio" in result.stderr
    assert "printing only from now on" in result.stderr
    assert len(transcript(result.stdout)) == 2


def test_no_audio_player_means_printing_only(rehearse: Rehearse, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    result = rehearse("open porch light\n", "--speak")
    assert result.exit_code == 0
    assert "no audio player found" in result.stderr and "printing only" in result.stderr


@pytest.mark.parametrize("options, expected", [
    (["--at", "tonight"], "--at wants a local time like '2026-12-01 21:00'"),
    (["--locale", "fr-FR"], "no model for fr-FR; choose one of "),
    (["--endpoint", "http://127.0.0.1:9/alexa", "--at", EVENING_AT],
     "a server keeps its own: leave out --at with --endpoint"),
    (["--database-url", "mysql://nowhere/db"], "sqlite:///PATH"),
    (["--save-wav", "x", "--voice", "elvish"], "no voice matches 'elvish'"),
])
def test_bad_options_are_explained(rehearse: Rehearse, options: list[str], expected: str
                                   ) -> None:
    result = rehearse("open porch light\n", *options, at=None)
    assert result.exit_code == 2
    assert expected in result.output
