"""A whole weekly check-in, rehearsed as a script through the real skill."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.rehearsal_helpers import Rehearse, starts_with_one_of, transcript

CHECK_IN = """\
# Sunday evening: permission, appreciation, weather, shift, a skipped tense moment,
# what helped, next week, close (and the reminder offer, left unanswered).
tell porch light to start our check in
yes
tell porch light next
tell porch light next
cloudy
tell porch light next
tell porch light skip
tell porch light next
tell porch light next
/quit
"""


def test_a_whole_weekly_check_in_as_a_script(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    result = Rehearse(tmp_path, monkeypatch)(CHECK_IN, at="2026-11-29 19:00")
    assert result.exit_code == 0, result.output
    turns = transcript(result.stdout)
    assert [t.request for t in turns] == [
        "StartCheckInIntent", "AMAZON.YesIntent", "NextStepIntent", "NextStepIntent",
        "WeatherWordIntent weather=cloudy", "NextStepIntent", "SkipStepIntent",
        "NextStepIntent", "NextStepIntent", "SessionEndedRequest"]
    permission, appreciation, weather, ask, shifted, tense, helped, next_week, close, _ = turns
    assert starts_with_one_of(permission.text, "checkin_permission") and permission.listening
    assert starts_with_one_of(appreciation.text, "checkin_appreciation")
    assert not appreciation.listening  # between steps the couple talk, not the speaker
    assert starts_with_one_of(weather.text, "checkin_weather")
    assert not weather.listening  # the couple tell each other their weather
    assert starts_with_one_of(ask.text, "checkin_weather_ask") and ask.listening
    assert "When did the weather shift" in shifted.text
    assert starts_with_one_of(tense.text, "checkin_tense_moment")
    assert starts_with_one_of(helped.text, "checkin_skipped")
    assert starts_with_one_of(next_week.text, "checkin_next_week")
    assert starts_with_one_of(close.text, "checkin_close")


def test_state_shows_boundaries_and_the_check_in(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    script = """\
tell porch light let's not talk about money
tell porch light no prompts after ten pm
tell porch light to start our check in
/state
/quit
"""
    result = Rehearse(tmp_path, monkeypatch)(script, at="2026-11-29 19:00")
    assert result.exit_code == 0, result.output
    assert "Off-limits topics: money." in result.stdout
    assert "Quiet hours: from 22:00, no prompts." in result.stdout
    assert "Check-in under way (full): at the permission step." in result.stdout
