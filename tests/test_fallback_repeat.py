"""The fallback is never dismissive and fits the moment; "say that again" repeats."""

from __future__ import annotations

from typing import Any

import pytest

from local_tts.ssml import plain_text
from skill.content import content_for
from tests.conftest import Alexa, speech
from tests.envelopes import Device

LINES = content_for("en-US").lines


def variants(key: str) -> set[str]:
    return {plain_text(f"<speak>{v}</speak>") for v in LINES[key]}


def fallback(alexa: Alexa, device: Device, *, one_shot: bool = False) -> dict[str, Any]:
    return alexa.send(device, device.intent("AMAZON.FallbackIntent", one_shot=one_shot))


def assert_a_question_with_a_reprompt(payload: dict[str, Any]) -> None:
    response = payload["response"]
    assert response["shouldEndSession"] is False
    assert plain_text(speech(payload)).endswith("?")
    assert response["reprompt"]["outputSpeech"]["ssml"]


def test_a_plain_fallback_asks_and_names_i_need_help(alexa: Alexa, device: Device) -> None:
    payload = fallback(alexa, device, one_shot=True)
    assert plain_text(speech(payload)) in variants("fallback")
    assert "I need help" in speech(payload)
    assert_a_question_with_a_reprompt(payload)


def test_in_a_check_in_the_fallback_suggests_no_prompt(alexa: Alexa, device: Device) -> None:
    alexa.send(device, device.intent("StartCheckInIntent", one_shot=True))
    payload = fallback(alexa, device)
    said = plain_text(speech(payload))
    assert said in variants("fallback_checkin")
    assert "I need help" in said and "prompt" not in said.lower()
    assert_a_question_with_a_reprompt(payload)


def test_after_tonights_prompt_the_fallback_names_i_need_help(alexa: Alexa,
                                                              device: Device) -> None:
    alexa.send(device, device.intent("TonightsPromptIntent", one_shot=True))
    payload = fallback(alexa, device, one_shot=True)
    assert plain_text(speech(payload)) in variants("fallback_after_prompt")
    assert_a_question_with_a_reprompt(payload)


def test_after_not_now_the_fallback_suggests_no_prompt(alexa: Alexa, device: Device) -> None:
    alexa.send(device, device.intent("NotNowIntent", one_shot=True))
    payload = fallback(alexa, device, one_shot=True)
    said = plain_text(speech(payload))
    assert said in variants("fallback_quiet") and "prompt" not in said.lower()
    assert_a_question_with_a_reprompt(payload)


@pytest.mark.parametrize("key", ["fallback", "fallback_checkin", "fallback_after_prompt",
                                 "fallback_quiet"])
def test_no_fallback_line_is_dismissive_or_long(key: str) -> None:
    for line in variants(key) | variants(f"{key}_reprompt"):
        assert len(line.split()) <= 30, line
        for dismissive in ("that's fine", "that's completely fine", "never mind"):
            assert dismissive not in line.lower()


def test_say_that_again_repeats_the_last_question(alexa: Alexa, device: Device) -> None:
    asked = alexa.send(device, device.intent("StartCheckInIntent", one_shot=True))
    again = alexa.send(device, device.intent("AMAZON.RepeatIntent"))
    assert speech(again) == speech(asked)
    assert again["response"]["reprompt"] == asked["response"]["reprompt"]
    yes = alexa.send(device, device.intent("AMAZON.YesIntent"))
    assert "appreciated" in speech(yes)  # the permission offer was still waiting


def test_with_nothing_said_in_this_session_there_is_nothing_to_repeat(
    alexa: Alexa, device: Device
) -> None:
    payload = alexa.send(device, device.intent("AMAZON.RepeatIntent", one_shot=True))
    assert plain_text(speech(payload)) in variants("repeat_nothing")
    assert payload["response"]["shouldEndSession"] is True


def test_what_was_said_stays_in_the_session_only(alexa: Alexa, device: Device,
                                                 store: Any) -> None:
    from skill.storage import household_key

    asked = alexa.send(device, device.intent("StartCheckInIntent", one_shot=True))
    assert asked["sessionAttributes"]["said"]
    stored = str(store.load(household_key(device.user_id)))
    assert "Welcome to your check-in" not in stored
