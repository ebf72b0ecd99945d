"""`porchlight rehearse --timezone / --person` and `/as`: scripts through the real skill, the
device's zone served by the rehearsal's stand-in exactly as Alexa serves it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.rehearsal_helpers import Rehearse, transcript, variants


@pytest.fixture
def rehearse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Rehearse:
    return Rehearse(tmp_path, monkeypatch)


def test_the_skill_uses_the_rehearsed_devices_zone_and_at_is_read_in_it(
    rehearse: Rehearse
) -> None:
    script = "open porch light\n/state\n"
    result = rehearse(script, "--timezone", "Australia/Sydney", at="2026-11-28 21:00")
    assert result.exit_code == 0, result.output
    state = transcript(result.output)[1].notes
    assert "Time zone the skill uses: Australia/Sydney, from the device's settings." in state
    assert "Alexa recognises nobody." in state


def test_before_the_device_is_asked_state_says_the_locale_zone_stands_in(
    rehearse: Rehearse
) -> None:
    result = rehearse("/state\n", "--timezone", "Asia/Kolkata")
    assert ("Time zone the skill uses: the locale's usual one until it asks the device "
            "(this device says Asia/Kolkata).") in result.output


def test_quiet_hours_in_the_evening_of_the_rehearsed_zone(rehearse: Rehearse) -> None:
    script = """\
tell porch light no prompts after ten
ask porch light for tonight's prompt
/later 1 hour
ask porch light for another one
"""
    result = rehearse(script, "--timezone", "America/Los_Angeles", at="2026-11-27 21:30")
    turns = transcript(result.output)
    assert "After 10 p.m., no prompts." in turns[0].text
    assert turns[1].request == "TonightsPromptIntent" and turns[1].text not in variants(
        "quiet_hours_decline")
    assert "10:30 PM (America/Los_Angeles)" in "\n".join(turns[2].notes)
    assert turns[3].text in variants("quiet_hours_decline")


@pytest.mark.parametrize("said, read_back", [
    ("no prompts after one", "1 p.m."), ("no prompts after eleven", "11 p.m."),
    ("no prompts after midnight", "12 a.m."), ("no prompts after ten thirty", "10:30 p.m."),
    ("quiet after nine", "9 p.m."),
])
def test_typed_quiet_hours_mean_the_evening(rehearse: Rehearse, said: str,
                                            read_back: str) -> None:
    result = rehearse(f"tell porch light {said}\n")
    assert f"After {read_back}, no prompts." in transcript(result.output)[0].text


def test_two_people_by_name_greeting_hearth_and_closeness(rehearse: Rehearse) -> None:
    script = """\
open porch light
exit
open porch light
exit
/as Alex
we'd like the closeness prompts
yes
/as Sam
yes
/state
/as nobody
open porch light
"""
    result = rehearse(script, "--person", "Sam")
    assert result.exit_code == 0, result.output
    turns = transcript(result.output)
    assert turns[2].text.startswith("Hi, Sam.")  # Alexa says the name; the skill never knew it
    closeness = [t for t in turns if t.said in ("we'd like the closeness prompts", "yes")]
    assert closeness[0].listening
    assert closeness[1].text == "And the other of you?" and closeness[1].listening
    assert "Closeness and affection prompts are on" in closeness[2].text
    notes = "\n".join(n for t in turns for n in t.notes)
    assert "Speaking as Alex, a person Alexa recognises." in notes
    assert "Closeness & affection prompts: on (each partner said yes)." in notes
    assert "Alexa recognises nobody now." in notes
    assert "Hi," not in turns[-2].text


def test_a_bad_zone_is_a_clear_error(rehearse: Rehearse) -> None:
    result = rehearse("open porch light\n", "--timezone", "Mars/Olympus")
    assert result.exit_code == 2
    assert "--timezone wants an IANA time zone like 'America/Los_Angeles'" in result.output


def test_as_needs_a_name(rehearse: Rehearse) -> None:
    result = rehearse("/as\n")
    assert "/as needs a name, or 'nobody'" in result.output
