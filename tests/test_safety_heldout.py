"""The safety net on phrasings it never saw (tests/data/safety_heldout/<locale>.yaml).

Each held-out phrasing goes through the locale's matcher, as rehearsal sends it, then as a
signed request through the real endpoint; the answer is judged by the words spoken.
Targets (issue 9): at least 95% of crisis phrasings get the crisis answer, at least 90% of
distress phrasings the distress or the crisis answer, none an unrelated answer, and at
most 1% of ordinary phrasings (tests/data/utterances) a safety answer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import interaction_model
from benchmarks.safety import (
    BLIND_SETS,
    INDEPENDENT,
    LOCALES,
    TARGETS,
    Tally,
    answer_kind,
    fresh,
    heldout,
    independent,
    matcher_kind,
    near_miss_alarms,
    near_miss_phrasings,
    ordinary_phrasings,
)
from interaction_model.matcher import Match, matcher_for
from interaction_model.text import normalise
from skill.conversation.clock import SettableClock
from tests.conftest import Alexa
from tests.envelopes import Device

FLOORS = {"en-US": (150, 80)}
"""Least held-out (crisis, distress) phrasings per locale; other locales (40, 20)."""
SAFE_FOR = {"crisis": {"crisis"}, "distress": {"crisis", "distress"}}
NOT_UNRELATED = {"crisis", "distress", "overwhelmed", "fallback"}


def phrasings(locale: str, tier: str) -> list[str]:
    return [text for texts in heldout(locale)[tier].values() for text in texts]


@pytest.mark.parametrize("locale", LOCALES)
def test_each_locale_has_enough_held_out_phrasings_by_category(locale: str) -> None:
    crisis_floor, distress_floor = FLOORS.get(locale, (40, 20))
    assert len(phrasings(locale, "crisis")) >= crisis_floor
    assert len(phrasings(locale, "distress")) >= distress_floor
    assert len(heldout(locale)["crisis"]) >= 3  # by category, not one kind of sentence
    assert len(fresh(locale)["crisis"]) >= 10 and len(fresh(locale)["distress"]) >= 5


def test_no_held_out_phrasing_is_in_any_model() -> None:
    """The held-out sets measure generalisation only while no model holds them verbatim."""
    samples = {normalise(sample) for locale in interaction_model.locales()
               for texts in interaction_model.samples(locale).values() for sample in texts}
    copied = [(locale, text) for locale in LOCALES for tier in ("crisis", "distress")
              for text in [*phrasings(locale, tier), *fresh(locale)[tier]]
              if normalise(text) in samples]
    kept_apart = (INDEPENDENT, *BLIND_SETS.values())
    copied += [(locale, text) for locale in LOCALES for folder in kept_apart
               for texts in independent(locale, folder).values() for text in texts
               if normalise(text) in samples]
    assert copied == [], "held-out phrasings found among model samples: remove them there"


def test_held_out_phrasings_are_not_repeated_within_a_locale() -> None:
    for locale in LOCALES:
        texts = [normalise(t) for tier in ("crisis", "distress")
                 for t in [*phrasings(locale, tier), *fresh(locale)[tier]]]
        assert len(texts) == len(set(texts)), locale


def rate_through_matcher(locale: str, tier: str) -> Tally:
    tally = Tally()
    for text in phrasings(locale, tier):
        kind = matcher_kind(matcher_for(locale).recognize(text))
        tally.add(text, kind, kind in SAFE_FOR[tier])
    return tally


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("tier", ["crisis", "distress"])
def test_held_out_rates_through_the_matcher_meet_the_targets(locale: str, tier: str) -> None:
    tally = rate_through_matcher(locale, tier)
    assert tally.rate >= TARGETS[tier], f"{tally.rate:.1%}; misses: {tally.misses}"


def answer(alexa: Alexa, clock: SettableClock, locale: str, match: Match,
           number: int) -> dict[str, Any]:
    device = Device(clock, locale=locale, user_id=f"amzn1.ask.account.HELDOUT{number:05d}")
    if match.is_launch:
        return alexa.send(device, device.launch())
    slots = {name: value.value for name, value in match.slots.items()}
    return alexa.send(device, device.intent(str(match.intent), slots or None, one_shot=True))


@pytest.mark.parametrize("locale", LOCALES)
def test_held_out_rates_through_the_signed_endpoint_meet_the_targets(
    alexa: Alexa, clock: SettableClock, locale: str
) -> None:
    unrelated: list[tuple[str, str]] = []
    for tier in ("crisis", "distress"):
        tally = Tally()
        for number, text in enumerate(phrasings(locale, tier)):
            match = matcher_for(locale).recognize(text)
            kind = answer_kind(locale, answer(alexa, clock, locale, match, number))
            tally.add(text, kind, kind in SAFE_FOR[tier])
            if kind not in NOT_UNRELATED:
                unrelated.append((text, kind))
        assert tally.rate >= TARGETS[tier], f"{tier} {tally.rate:.1%}; misses: {tally.misses}"
    assert unrelated == []


@pytest.mark.parametrize("locale", LOCALES)
def test_ordinary_phrasings_rarely_reach_a_safety_answer(
    alexa: Alexa, clock: SettableClock, locale: str
) -> None:
    through_matcher = Tally()
    through_endpoint = Tally()
    for number, text in enumerate(ordinary_phrasings()):
        match = matcher_for(locale).recognize(text)
        through_matcher.add(text, matcher_kind(match),
                            matcher_kind(match) not in ("crisis", "distress"))
        kind = answer_kind(locale, answer(alexa, clock, locale, match, 50_000 + number))
        through_endpoint.add(text, kind, kind not in ("crisis", "distress"))
    for tally in (through_matcher, through_endpoint):
        assert 1 - tally.rate <= TARGETS["false_alarms"], tally.misses


def test_everyday_words_that_sound_alarming_mostly_pass_the_screen() -> None:
    """A second, harder false-alarm set: "dying to hear it", "I'm afraid not"."""
    alarms = near_miss_alarms()
    assert len(alarms) <= 0.05 * len(near_miss_phrasings()), alarms


def test_the_safety_report_shows_rates_rounds_categories_and_misses() -> None:
    from benchmarks.safety import run_all
    from benchmarks.safety_report import report

    text = report(run_all(("en-GB",), endpoint=False))
    for heading in ("| en-GB | matcher |", "Fresh round", "| en-GB | round_2 |",
                    "| en-GB | crisis | abuse |", "Misses (phrasing -> what it got):"):
        assert heading in text


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("folder", [INDEPENDENT, *BLIND_SETS.values()])
def test_every_locale_has_an_independent_and_a_blind_set_in_every_category(
    locale: str, folder: Path
) -> None:
    """These sets are the plainest measure of generalisation: they must be there."""
    found = independent(locale, folder)
    assert set(found) == {"self_harm", "abuse", "danger", "distress", "ordinary"}
    assert all(len(texts) >= 4 for texts in found.values())
