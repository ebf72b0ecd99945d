"""The matcher's thresholds come from data (interaction_model.calibrate), not from hand."""

from __future__ import annotations

from interaction_model import calibrate
from interaction_model.matcher import recognize
from interaction_model.thresholds import (
    CLOSE_THRESHOLD,
    CONSEQUENTIAL_INTENTS,
    SAFETY_THRESHOLD,
    THRESHOLD,
    Thresholds,
)


def test_the_thresholds_are_the_calibrated_ones() -> None:
    cases = calibrate.load_cases()
    chosen = calibrate.calibrate(cases)
    constants = (THRESHOLD, CLOSE_THRESHOLD, SAFETY_THRESHOLD)
    assert (chosen.ordinary, chosen.close, chosen.safety) == constants
    assert calibrate.cost(cases, chosen)[0] == 0  # no harmful answer on the calibration data


def test_harm_counts_before_wrong_answers() -> None:
    cases = calibrate.load_cases()
    loose = Thresholds(0.4, 0.4, 0.4)
    assert calibrate.cost(cases, loose)[0] > 0


def test_a_loose_match_never_selects_an_intent_with_a_consequence() -> None:
    for text in ("she's not ok", "nope i'm not fine", "forget about me", "stop everything"):
        found = recognize(text)
        assert found.intent not in CONSEQUENTIAL_INTENTS or found.score == 1.0, (text, found)


def test_calibration_prints_its_choice(capsys: object) -> None:
    calibrate.main()
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    assert f"ordinary {THRESHOLD}" in out and "0 harmful" in out
