"""Calibrate the matcher's thresholds on data, not by hand.

The cases are the real phrasings in ``tests/data/utterances/<locale>.yaml`` (each with the
intent it must reach, or the fallback) and the safety development phrasings in
``tests/data/safety_phrasings.yaml`` (each must reach a safety intent; its
``near_consequential`` ones must not reach an intent with a consequence). The held-out
safety sets are never used here: they measure the result. Every combination of
thresholds on a grid is scored; harm counts first (an ordinary phrasing that reaches an
intent with a consequence it did not ask for, or a safety answer; a safety phrasing that
does not reach one), then wrong answers; among the best, the middle of the plateau is
chosen, one threshold at a time, so that a small change in the data moves it little.
``python -m interaction_model.calibrate`` prints the result; a test keeps the matcher's
constants equal to it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from interaction_model.matcher import FALLBACK_INTENT, Match, Matcher, matcher_for
from interaction_model.thresholds import CONSEQUENTIAL_INTENTS, SAFETY_INTENTS, Thresholds

GRID = tuple(round(0.4 + 0.025 * step, 3) for step in range(23))
"""Candidate thresholds, 0.40 to 0.95."""
DATA = Path(__file__).resolve().parent.parent / "tests" / "data"


@dataclass(frozen=True)
class Case:
    """One phrasing, the matcher's unthresholded reading of it, and what it must reach."""

    text: str
    candidate: Match
    """The best match before thresholds (or the screen's choice, which none applies to)."""
    other: Match | None
    """The best match among other intents, when ``candidate`` is a tolerant safety match."""
    expected: frozenset[str]
    """Intents that are a right answer (the fallback for out-of-domain phrasings)."""
    safety: bool
    """A safety phrasing (it must reach a safety intent)."""


def read_case(matcher: Matcher, text: str, expected: Iterable[str], safety: bool) -> Case:
    found = matcher.recognize(text)
    candidate, other = (found, None) if found.screened else matcher.candidates(text)
    return Case(text, candidate, other, frozenset(expected), safety)


def load_cases(locale: str = "en-US", data: Path = DATA) -> list[Case]:
    """The calibration cases for ``locale`` (ordinary phrasings and safety development ones)."""
    import yaml

    matcher = matcher_for(locale)
    cases: list[Case] = []
    ordinary: dict[str, Any] = yaml.safe_load((data / "utterances" / f"{locale}.yaml")
                                              .read_text(encoding="utf-8"))
    for test in ordinary.get("tests") or ():
        for text in test["sentences"]:
            cases.append(read_case(matcher, text, {test["intent"]["name"]}, False))
    for text in ordinary.get("fallback") or ():
        cases.append(read_case(matcher, str(text), {FALLBACK_INTENT}, False))
    safety: dict[str, list[str]] = yaml.safe_load((data / "safety_phrasings.yaml")
                                                  .read_text(encoding="utf-8"))
    for kind, texts in safety.items():
        right = SAFETY_INTENTS | ({"OverwhelmedIntent"} if kind == "overwhelmed" else set())
        near = kind == "near_consequential"  # only an intent with a consequence is harm
        if near:
            right |= {FALLBACK_INTENT, "OverwhelmedIntent", "NotNowIntent", "GentlerIntent",
                      "AMAZON.StopIntent", "AMAZON.CancelIntent"}
        cases.extend(read_case(matcher, text, right, not near) for text in texts)
    return cases


def cost(cases: Sequence[Case], thresholds: Thresholds) -> tuple[int, int]:
    """(harmful answers, wrong answers) with ``thresholds``."""
    harm = wrong = 0
    for case in cases:
        intent = case.candidate.intent if case.candidate.screened else \
            _decided(case.candidate, case.other, thresholds)
        if intent in case.expected:
            continue
        wrong += 1
        if case.safety or intent in CONSEQUENTIAL_INTENTS or intent in SAFETY_INTENTS:
            harm += 1
    return harm, wrong


def _decided(candidate: Match, other: Match | None, thresholds: Thresholds) -> str | None:
    if candidate.is_launch:
        return None
    if candidate.score < thresholds.needed(candidate.intent, candidate.score):
        return _decided(other, None, thresholds) if other is not None else FALLBACK_INTENT
    return candidate.intent


def calibrate(cases: Sequence[Case]) -> Thresholds:
    """The thresholds with the least harm, then the fewest wrong answers; the middle of
    the best plateau, ordinary first, then close, then safety."""
    scored = {(o, c, s): cost(cases, Thresholds(o, c, s))
              for o in GRID for c in GRID for s in GRID if c >= o and s >= o}
    best = min(scored.values())
    plateau = [key for key, value in scored.items() if value == best]
    for axis in range(3):
        values = sorted({key[axis] for key in plateau})
        middle = values[(len(values) - 1) // 2]
        plateau = [key for key in plateau if key[axis] == middle]
    return Thresholds(*plateau[0])


def main() -> None:
    cases = load_cases()
    chosen = calibrate(cases)
    harm, wrong = cost(cases, chosen)
    print(f"{len(cases)} cases: ordinary {chosen.ordinary}, close {chosen.close}, "
          f"safety {chosen.safety}; {harm} harmful, {wrong} wrong")


if __name__ == "__main__":
    main()
