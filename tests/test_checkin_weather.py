"""The check-in's weather step: it ends the session (the couple tell each other), then
"next" or "we're ready with our weather" asks for the word with Dialog.ElicitSlot, and a
one-shot "our weather is cloudy" still works. A word of their own is never stored."""

from __future__ import annotations

import json
from typing import Any

from skill.conversation.state import Household
from skill.storage import HouseholdStore, household_key
from tests.conftest import Alexa, speech
from tests.envelopes import Device


def to_weather(alexa: Alexa, device: Device) -> dict[str, Any]:
    alexa.send(device, device.intent("StartCheckInIntent", one_shot=True))
    alexa.send(device, device.intent("AMAZON.YesIntent"))
    return alexa.send(device, device.intent("NextStepIntent", one_shot=True))


def elicits_the_weather(payload: dict[str, Any]) -> bool:
    (directive,) = payload["response"]["directives"]
    return (directive["type"] == "Dialog.ElicitSlot" and directive["slotToElicit"] == "weather"
            and directive["updatedIntent"]["name"] == "WeatherWordIntent")


def test_the_weather_step_ends_the_session(alexa: Alexa, device: Device) -> None:
    weather = to_weather(alexa, device)
    assert "weather" in speech(weather) and weather["response"]["shouldEndSession"] is True


def test_next_asks_for_the_word_with_elicit_slot(alexa: Alexa, device: Device) -> None:
    to_weather(alexa, device)
    asked = alexa.send(device, device.intent("NextStepIntent", one_shot=True))
    assert "weather word" in speech(asked) and elicits_the_weather(asked)
    assert asked["response"]["shouldEndSession"] is False
    assert asked["response"]["reprompt"]["outputSpeech"]["ssml"]
    shifted = alexa.send(device, device.intent("WeatherWordIntent", {"weather": "sunny"}))
    assert "shift" in speech(shifted)


def test_ready_with_our_weather_asks_too(alexa: Alexa, device: Device) -> None:
    to_weather(alexa, device)
    asked = alexa.send(device, device.intent("WeatherWordIntent", one_shot=True))
    assert elicits_the_weather(asked)


def test_next_again_while_asked_moves_on(alexa: Alexa, device: Device) -> None:
    to_weather(alexa, device)
    alexa.send(device, device.intent("NextStepIntent", one_shot=True))
    assert "shift" in speech(alexa.send(device, device.intent("NextStepIntent")))


def test_skip_while_asked_moves_on(alexa: Alexa, device: Device, store: HouseholdStore) -> None:
    to_weather(alexa, device)
    alexa.send(device, device.intent("NextStepIntent", one_shot=True))
    skipped = alexa.send(device, device.intent("SkipStepIntent"))
    assert "shift" in speech(skipped)
    assert Household.from_attributes(store.load(household_key(device.user_id))).withdrawals == ()


def test_not_now_while_asked_declines_the_check_in(alexa: Alexa, device: Device,
                                                   store: HouseholdStore) -> None:
    to_weather(alexa, device)
    alexa.send(device, device.intent("NextStepIntent", one_shot=True))
    alexa.send(device, device.intent("NotNowIntent"))
    (withdrawal,) = Household.from_attributes(
        store.load(household_key(device.user_id))).withdrawals
    assert withdrawal.declined == "checkin"


def test_a_word_of_their_own_is_welcome_and_never_stored(
    alexa: Alexa, device: Device, store: HouseholdStore
) -> None:
    alexa.send(device, device.intent("RememberWeatherIntent", one_shot=True))
    to_weather(alexa, device)
    alexa.send(device, device.intent("NextStepIntent", one_shot=True))
    own = alexa.send(device, device.intent("WeatherWordIntent", {"weather": "bittersweet"}))
    assert "Thanks for that" in speech(own) and "shift" in speech(own)
    stored = store.load(household_key(device.user_id))
    assert "bittersweet" not in json.dumps(stored)
    assert Household.from_attributes(stored).weather == ()


def test_distress_in_the_weather_word_gets_the_distress_answer(
    alexa: Alexa, device: Device, store: HouseholdStore
) -> None:
    to_weather(alexa, device)
    alexa.send(device, device.intent("NextStepIntent", one_shot=True))
    payload = alexa.send(device, device.intent("WeatherWordIntent",
                                               {"weather": "honestly i'm falling apart"}))
    assert "Nothing needs solving tonight" in speech(payload)
    assert "falling apart" not in json.dumps(store.load(household_key(device.user_id)))


def test_a_one_shot_weather_word_needs_no_question(alexa: Alexa, device: Device) -> None:
    to_weather(alexa, device)
    shifted = alexa.send(device, device.intent("WeatherWordIntent", {"weather": "cloudy"},
                                               one_shot=True))
    assert "shift" in speech(shifted) and "directives" not in shifted["response"]


def test_the_word_is_asked_for_once_then_next_moves_on(alexa: Alexa, device: Device) -> None:
    to_weather(alexa, device)
    asked = alexa.send(device, device.intent("NextStepIntent", one_shot=True))
    assert elicits_the_weather(asked)
    later = alexa.send(device, device.intent("NextStepIntent", one_shot=True))
    assert "shift" in speech(later)


def test_a_weather_word_at_another_step_says_that_step_again(alexa: Alexa, device: Device) -> None:
    """The check-in is under way, so the couple hear where it is, never "you can start
    your check-in"."""
    asked = alexa.send(device, device.intent("StartCheckInIntent", one_shot=True))
    early = alexa.send(device, device.intent("WeatherWordIntent", {"weather": "sunny"}))
    assert speech(early) == speech(asked) and early["response"]["shouldEndSession"] is False
    warm = alexa.send(device, device.intent("AMAZON.YesIntent"))  # the permission still stands
    again = alexa.send(device, device.intent("WeatherWordIntent", {"weather": "cloudy"},
                                             one_shot=True))
    assert speech(again) == speech(warm) and again["response"]["shouldEndSession"] is True
    assert "start your check-in" not in speech(again)
    weather = alexa.send(device, device.intent("NextStepIntent", one_shot=True))
    assert "weather" in speech(weather)
