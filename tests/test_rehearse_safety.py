"""Rehearsal: the screen reads the typed line, and the weather word is elicited."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.rehearsal_helpers import Rehearse, transcript


def test_the_issues_phrasings_get_safe_answers_in_rehearsal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = """\
tell porch light i'm not okay
tell porch light i feel hopeless
tell porch light i can't do this anymore
tell porch light things got physical last night
/quit
"""
    result = Rehearse(tmp_path, monkeypatch)(script, at="2026-11-29 19:00")
    assert result.exit_code == 0, result.output
    not_okay, hopeless, anymore, physical = transcript(result.stdout)[:4]
    assert not_okay.request.startswith("DistressIntent")
    assert "Nothing needs solving" in not_okay.text
    assert hopeless.request.startswith("CrisisIntent") and "number again" in hopeless.text
    assert anymore.request.startswith("CrisisIntent")
    assert physical.request.startswith("AbuseIntent") and "Domestic Violence" in physical.text


def test_a_weather_word_is_elicited_and_distress_in_it_is_caught(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = """\
tell porch light to start our check in
yes
tell porch light next
tell porch light next
honestly we feel hopeless
/quit
"""
    result = Rehearse(tmp_path, monkeypatch)(script, at="2026-11-29 19:00")
    assert result.exit_code == 0, result.output
    turns = transcript(result.stdout)
    asked, answer = turns[3], turns[4]
    assert "weather word" in asked.text and asked.listening
    assert answer.request.startswith("CrisisIntent") and "number again" in answer.text


def test_an_own_weather_word_goes_to_the_elicited_slot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = """\
tell porch light to start our check in
yes
tell porch light next
tell porch light next
bittersweet
/quit
"""
    result = Rehearse(tmp_path, monkeypatch)(script, at="2026-11-29 19:00")
    turns = transcript(result.stdout)
    assert turns[4].request == "WeatherWordIntent weather=bittersweet"
    assert "Thanks for that" in turns[4].text


def test_lines_no_pattern_foresaw_are_caught_by_their_meaning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The screen reads what a typed line means: a danger, an abuse and a distress line
    that none of the screen's patterns holds, and an everyday line that stays ordinary."""
    script = """\
tell porch light there's someone trying the back door handle
tell porch light he screams until i say sorry
tell porch light i feel like i'm underwater and can't come up
tell porch light my wife pushed me to sign up for salsa classes
/quit
"""
    result = Rehearse(tmp_path, monkeypatch)(script, at="2026-11-29 19:00")
    assert result.exit_code == 0, result.output
    danger, abuse, distress, everyday = transcript(result.stdout)[:4]
    assert danger.request.startswith("DangerIntent") and "9 1 1" in danger.text
    assert abuse.request.startswith("AbuseIntent") and "Domestic Violence" in abuse.text
    assert distress.request.startswith("DistressIntent")
    assert "Nothing needs solving" in distress.text
    assert not everyday.request.startswith(("Danger", "Abuse", "Crisis", "Distress"))


def test_an_emergency_the_patterns_hear_as_distress_gets_the_emergency_number(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Distress words ("can't breathe", "shaking") in an emergency give way to the danger
    answer, and the danger gate reads an emergency no other reader holds."""
    script = """\
tell porch light my dad is choking on a grape and can't breathe
tell porch light he's shaking and sweating and won't wake up properly
tell porch light the tide came in and our boat is drifting out
tell porch light i can't stop shaking after that fight
/quit
"""
    result = Rehearse(tmp_path, monkeypatch)(script, at="2026-11-29 19:00")
    assert result.exit_code == 0, result.output
    choking, collapse, adrift, upset = transcript(result.stdout)[:4]
    for turn in (choking, collapse, adrift):
        assert turn.request.startswith("DangerIntent") and "9 1 1" in turn.text
    assert upset.request.startswith("DistressIntent")
    assert "Nothing needs solving" in upset.text
