"""The weekly check-in, hands-free, through the signed endpoint."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from skill.conversation.clock import SettableClock
from skill.conversation.state import Household
from skill.storage import HouseholdStore, household_key
from tests.conftest import Alexa, speech
from tests.envelopes import Device


def state(store: HouseholdStore, device: Device) -> Household:
    return Household.from_attributes(store.load(household_key(device.user_id)))


def say(alexa: Alexa, device: Device, intent: str, *, one_shot: bool = False,
        **slots: str) -> dict[str, Any]:
    return alexa.send(device, device.intent(intent, slots or None, one_shot=one_shot))


def start(alexa: Alexa, device: Device) -> dict[str, Any]:
    """ "Alexa, tell Porch Light to start our check-in", then yes."""
    permission = say(alexa, device, "StartCheckInIntent", one_shot=True)
    assert permission["response"]["shouldEndSession"] is False
    assert "not now" in speech(permission).lower()
    return say(alexa, device, "AMAZON.YesIntent")


def ended(payload: dict[str, Any]) -> bool:
    return payload["response"]["shouldEndSession"] is True


def test_a_whole_check_in_step_by_step(
    alexa: Alexa, device: Device, store: HouseholdStore
) -> None:
    appreciation = start(alexa, device)
    assert "appreciated" in speech(appreciation) and ended(appreciation)
    assert "next" in speech(appreciation)
    weather = say(alexa, device, "NextStepIntent", one_shot=True)
    assert "weather" in speech(weather) and ended(weather)  # they tell each other first
    shifted = say(alexa, device, "WeatherWordIntent", one_shot=True, weather="cloudy")
    assert "shift" in speech(shifted) and ended(shifted)
    tense = say(alexa, device, "NextStepIntent", one_shot=True)
    assert "tense" in speech(tense)
    helped = say(alexa, device, "SkipStepIntent", one_shot=True)
    assert "skip" in speech(helped) and "helped" in speech(helped)
    next_week = say(alexa, device, "NextStepIntent", one_shot=True)
    assert "next week" in speech(next_week)
    close = say(alexa, device, "NextStepIntent", one_shot=True)
    assert "showing up" in speech(close).lower() or "show" in speech(close).lower()
    household = state(store, device)
    assert household.checkin is None
    assert len(household.checkin_dates) == 1
    assert "cloudy" not in json.dumps(store.load(household_key(device.user_id)))


def test_no_step_gives_advice_or_a_prompt(alexa: Alexa, device: Device) -> None:
    said = [speech(start(alexa, device))]
    for _ in range(7):
        said.append(speech(say(alexa, device, "NextStepIntent", one_shot=True)))
    text = " ".join(said).lower()
    assert "<prosody" not in text  # no library prompt, so no Hearth material either
    for advice in ("you should", "try to", "my advice", "i suggest"):
        assert advice not in text


def test_the_weather_word_is_kept_only_after_the_opt_in(
    alexa: Alexa, device: Device, store: HouseholdStore
) -> None:
    say(alexa, device, "RememberWeatherIntent", one_shot=True)
    start(alexa, device)
    say(alexa, device, "NextStepIntent", one_shot=True)
    say(alexa, device, "WeatherWordIntent", weather="sunny")
    assert [word for _, word in state(store, device).weather] == ["sunny"]


def test_a_stormy_week_offers_a_lighter_night(alexa: Alexa, device: Device) -> None:
    start(alexa, device)
    say(alexa, device, "NextStepIntent", one_shot=True)
    stormy = say(alexa, device, "WeatherWordIntent", weather="storms")
    assert not ended(stormy) and "lighter" in speech(stormy)
    lighter = say(alexa, device, "AMAZON.YesIntent")
    assert "helped" in speech(lighter)
    assert "next week" in speech(say(alexa, device, "NextStepIntent", one_shot=True))


def test_after_a_storm_next_carries_on_as_usual(alexa: Alexa, device: Device) -> None:
    start(alexa, device)
    say(alexa, device, "NextStepIntent", one_shot=True)
    say(alexa, device, "WeatherWordIntent", weather="stormy")
    assert "shift" in speech(say(alexa, device, "NextStepIntent"))


def test_not_now_ends_the_check_in_from_any_step(
    alexa: Alexa, device: Device, store: HouseholdStore
) -> None:
    start(alexa, device)
    say(alexa, device, "NextStepIntent", one_shot=True)
    payload = say(alexa, device, "NotNowIntent")
    assert ended(payload) and "?" not in speech(payload)
    household = state(store, device)
    assert household.checkin is None
    (withdrawal,) = household.withdrawals
    assert (withdrawal.declined, withdrawal.ref) == ("checkin", "weather")
    assert "no check-in" in speech(say(alexa, device, "NextStepIntent", one_shot=True))


def test_not_now_to_the_permission_question(
    alexa: Alexa, device: Device, store: HouseholdStore
) -> None:
    say(alexa, device, "StartCheckInIntent", one_shot=True)
    payload = say(alexa, device, "AMAZON.NoIntent")
    assert ended(payload)
    assert state(store, device).withdrawals[0].declined == "checkin"


def test_a_check_in_expires_after_three_hours(
    alexa: Alexa, device: Device, clock: SettableClock
) -> None:
    start(alexa, device)
    clock.advance(timedelta(hours=2, minutes=59))
    assert "weather" in speech(say(alexa, device, "NextStepIntent", one_shot=True))
    clock.advance(timedelta(hours=3, minutes=1))
    assert "no check-in" in speech(say(alexa, device, "NextStepIntent", one_shot=True))


def test_launch_during_a_check_in_points_to_next(alexa: Alexa, device: Device) -> None:
    alexa.send(device, device.launch())  # the first-run welcome comes first
    start(alexa, device)
    payload = alexa.send(device, device.launch())
    assert "next" in speech(payload) and "check-in" in speech(payload)


def test_skip_outside_a_check_in_is_a_not_now(
    alexa: Alexa, device: Device, store: HouseholdStore
) -> None:
    say(alexa, device, "TonightsPromptIntent", one_shot=True)
    payload = say(alexa, device, "SkipStepIntent", one_shot=True)
    assert ended(payload) and "?" not in speech(payload)
    assert state(store, device).withdrawals[0].declined == "prompt"


def test_a_weather_word_outside_a_check_in_is_just_thanked(
    alexa: Alexa, device: Device, store: HouseholdStore
) -> None:
    payload = say(alexa, device, "WeatherWordIntent", one_shot=True, weather="sunny")
    assert ended(payload)
    assert state(store, device).weather == ()
