"""Tonight's prompt, depth and "not now", end to end through the signed endpoint."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest

from skill.content import load_content
from skill.conversation.clock import SettableClock
from skill.conversation.state import Household
from skill.storage import HouseholdStore, household_key
from tests.conftest import Alexa, speech
from tests.envelopes import Device

CONTENT = load_content("en-US")
PROSODY = re.compile(r'<prosody rate="92%">(.*?)</prosody>')


def prompt_of(payload: dict[str, Any]) -> Any:
    """The library prompt a response spoke, found by its text."""
    match = PROSODY.search(speech(payload))
    assert match, speech(payload)
    text = match.group(1).replace("&quot;", '"').replace("&amp;", "&")
    found = [p for p in CONTENT.prompts if p.text == text]
    assert len(found) == 1, text
    return found[0]


def household(store: HouseholdStore, device: Device) -> Household:
    return Household.from_attributes(store.load(household_key(device.user_id)))


def ask(alexa: Alexa, device: Device, intent: str, **slots: str) -> dict[str, Any]:
    """A one-shot request: "Alexa, tell Porch Light <intent>"."""
    return alexa.send(device, device.intent(intent, slots or None, one_shot=True))


def next_evening(clock: SettableClock, days: int = 1) -> None:
    clock.advance(timedelta(days=days))


def set_level(store: HouseholdStore, device: Device, level: int) -> None:
    key = household_key(device.user_id)
    attributes = store.load(key) or Household(welcomed=True).to_attributes()
    attributes["level"] = level
    store.save(key, attributes)


# --- first run and launch -------------------------------------------------------------


def test_first_launch_explains_consent_and_voice_history(alexa: Alexa, device: Device) -> None:
    payload = alexa.send(device, device.launch())
    said = speech(payload)
    assert "not now" in said.lower() and "Alexa app" in said and "?" in said
    assert payload["response"]["shouldEndSession"] is False
    assert payload["response"]["reprompt"]


def test_yes_to_the_launch_offer_speaks_a_level_one_prompt_and_ends(
    alexa: Alexa, device: Device
) -> None:
    alexa.send(device, device.launch())
    payload = alexa.send(device, device.intent("AMAZON.YesIntent"))
    assert prompt_of(payload).level == 1
    response = payload["response"]
    assert response["shouldEndSession"] is True
    assert "reprompt" not in response
    assert response["card"]["content"] == prompt_of(payload).text
    assert "another one" in speech(payload).lower() and "not now" in speech(payload)


def test_second_launch_is_a_plain_welcome_back(alexa: Alexa, device: Device) -> None:
    alexa.send(device, device.launch())
    payload = alexa.send(device, device.launch())
    assert "Alexa app" not in speech(payload)
    assert payload["sessionAttributes"]["offer"] == "prompt"


# --- tonight's prompt -----------------------------------------------------------------


def test_tonights_prompt_is_stable_within_an_evening(
    alexa: Alexa, device: Device, clock: SettableClock
) -> None:
    first = prompt_of(ask(alexa, device, "TonightsPromptIntent"))
    clock.advance(timedelta(hours=3))  # past midnight, still the same evening
    again = ask(alexa, device, "TonightsPromptIntent")
    assert prompt_of(again) == first
    next_evening(clock)
    assert prompt_of(ask(alexa, device, "TonightsPromptIntent")) != first


def test_another_one_is_different_and_no_deeper(
    alexa: Alexa, device: Device, store: HouseholdStore
) -> None:
    set_level(store, device, 3)
    first = prompt_of(ask(alexa, device, "TonightsPromptIntent"))
    other = prompt_of(ask(alexa, device, "AnotherPromptIntent"))
    assert other != first and other.level <= 3
    assert prompt_of(ask(alexa, device, "TonightsPromptIntent")) == other


def test_prompts_used_in_the_last_60_days_are_not_repeated(
    alexa: Alexa, device: Device, clock: SettableClock
) -> None:
    seen = []
    for _ in range(30):
        seen.append(prompt_of(ask(alexa, device, "TonightsPromptIntent")).id)
        next_evening(clock)
    assert len(set(seen)) == len(seen)


def test_cards_can_be_turned_off(alexa: Alexa, device: Device, store: HouseholdStore) -> None:
    ask(alexa, device, "SetBoundaryIntent", rule="cards")
    payload = ask(alexa, device, "TonightsPromptIntent")
    assert "card" not in payload["response"]


# --- depth ----------------------------------------------------------------------------


def test_deeper_raises_one_level_and_only_once_an_evening(
    alexa: Alexa, device: Device, store: HouseholdStore
) -> None:
    assert prompt_of(ask(alexa, device, "DeeperIntent")).level == 2
    payload = ask(alexa, device, "DeeperIntent")
    assert "already" in speech(payload)
    assert household(store, device).level == 2


def test_gentler_lowers_the_level_at_once(
    alexa: Alexa, device: Device, store: HouseholdStore
) -> None:
    set_level(store, device, 3)
    payload = ask(alexa, device, "GentlerIntent")
    assert prompt_of(payload).level <= 2
    assert household(store, device).level == 2


def test_hearth_needs_two_separate_yeses(
    alexa: Alexa, device: Device, store: HouseholdStore
) -> None:
    set_level(store, device, 3)
    first = alexa.send(device, device.intent("DeeperIntent", one_shot=True))
    assert first["response"]["shouldEndSession"] is False
    assert household(store, device).level == 3
    second = alexa.send(device, device.intent("AMAZON.YesIntent"))
    assert second["response"]["shouldEndSession"] is False
    assert household(store, device).level == 3
    third = alexa.send(device, device.intent("AMAZON.YesIntent"))
    assert prompt_of(third).level == 4
    assert household(store, device).level == 4


def test_no_to_the_second_hearth_question_is_a_withdrawal(
    alexa: Alexa, device: Device, store: HouseholdStore
) -> None:
    set_level(store, device, 3)
    alexa.send(device, device.intent("DeeperIntent", one_shot=True))
    alexa.send(device, device.intent("AMAZON.YesIntent"))
    payload = alexa.send(device, device.intent("AMAZON.NoIntent"))
    assert payload["response"]["shouldEndSession"] is True
    assert "?" not in speech(payload)
    state = household(store, device)
    assert state.level == 3
    assert [w.ref for w in state.withdrawals] == ["hearth-second-yes"]


def test_never_two_hearth_prompts_in_a_row(
    alexa: Alexa, device: Device, store: HouseholdStore, clock: SettableClock
) -> None:
    set_level(store, device, 4)
    levels = []
    for _ in range(4):
        levels.append(prompt_of(ask(alexa, device, "TonightsPromptIntent")).level)
        next_evening(clock)
    assert levels == [4, 3, 4, 3]


def test_deeper_offer_after_comfortable_evenings_and_at_most_weekly(
    alexa: Alexa, device: Device, clock: SettableClock
) -> None:
    alexa.send(device, device.launch())
    for _ in range(3):
        ask(alexa, device, "TonightsPromptIntent")
        next_evening(clock)
    offer = alexa.send(device, device.launch())
    assert offer["sessionAttributes"]["offer"] == "deeper"
    assert "deeper" in speech(offer)
    yes = alexa.send(device, device.intent("AMAZON.YesIntent"))
    assert prompt_of(yes).level == 2
    next_evening(clock)
    assert alexa.send(device, device.launch())["sessionAttributes"]["offer"] == "prompt"


# --- not now ----------------------------------------------------------------------------


@pytest.mark.parametrize("decline", ["NotNowIntent", "AMAZON.NoIntent", "AMAZON.StopIntent",
                                     "AMAZON.CancelIntent"])
def test_declining_the_launch_offer_is_a_withdrawal(
    alexa: Alexa, device: Device, store: HouseholdStore, decline: str
) -> None:
    alexa.send(device, device.launch())
    payload = alexa.send(device, device.intent(decline))
    response = payload["response"]
    assert response["shouldEndSession"] is True and "reprompt" not in response
    assert "?" not in speech(payload)
    assert [w.ref for w in household(store, device).withdrawals] == ["prompt"]


def test_one_shot_not_now_after_a_prompt_declines_that_prompt(
    alexa: Alexa, device: Device, store: HouseholdStore, clock: SettableClock
) -> None:
    given = prompt_of(ask(alexa, device, "TonightsPromptIntent"))
    clock.advance(timedelta(minutes=10))
    payload = ask(alexa, device, "NotNowIntent")
    assert payload["response"]["shouldEndSession"] is True
    assert "?" not in speech(payload)
    (withdrawal,) = household(store, device).withdrawals
    assert (withdrawal.declined, withdrawal.ref, withdrawal.at) == ("prompt", given.id, clock())


def test_not_now_rotates_kind_lines_without_questions(
    alexa: Alexa, device: Device, clock: SettableClock
) -> None:
    said = set()
    for _ in range(12):
        said.add(speech(ask(alexa, device, "NotNowIntent")))
        next_evening(clock)
    assert len(said) >= 2
    assert not any("?" in line or "sure" in line for line in said)


def test_after_not_now_the_evening_is_quiet(
    alexa: Alexa, device: Device, clock: SettableClock
) -> None:
    alexa.send(device, device.launch())
    ask(alexa, device, "NotNowIntent")
    clock.advance(timedelta(hours=4))  # 1 a.m.: still the same evening
    quiet = alexa.send(device, device.launch())
    assert speech(quiet).endswith("What would you like?</speak>") or "What can I" in speech(quiet)
    assert "prompt" not in speech(quiet) and "prompt" not in str(quiet["response"]["reprompt"])
    assert quiet.get("sessionAttributes", {}).get("offer") is None
    clock.advance(timedelta(hours=5))  # 6 a.m. local: past 5 a.m., a new evening
    assert alexa.send(device, device.launch())["sessionAttributes"]["offer"] == "prompt"


def test_a_declined_prompt_is_held_back_for_30_days(
    alexa: Alexa, device: Device, store: HouseholdStore, clock: SettableClock
) -> None:
    declined = prompt_of(ask(alexa, device, "TonightsPromptIntent"))
    ask(alexa, device, "NotNowIntent")
    assert prompt_of(ask(alexa, device, "TonightsPromptIntent")) != declined
    held = household(store, device)
    from skill.conversation.consent import held_back_prompt_ids

    assert declined.id in held_back_prompt_ids(held, clock() + timedelta(days=29))
    assert declined.id not in held_back_prompt_ids(held, clock() + timedelta(days=31))


def test_after_declining_a_deep_prompt_the_next_starts_lighter(
    alexa: Alexa, device: Device, store: HouseholdStore, clock: SettableClock
) -> None:
    set_level(store, device, 3)
    deep = prompt_of(ask(alexa, device, "TonightsPromptIntent"))
    assert deep.level == 3
    payload = ask(alexa, device, "NotNowIntent")
    assert "lighter" in speech(payload)
    next_evening(clock)
    assert prompt_of(ask(alexa, device, "TonightsPromptIntent")).level <= 2
    assert household(store, device).level == 3


def test_no_deeper_offers_for_seven_days_after_not_now(
    alexa: Alexa, device: Device, clock: SettableClock
) -> None:
    alexa.send(device, device.launch())
    ask(alexa, device, "NotNowIntent")
    next_evening(clock)
    offers = []
    for _ in range(9):
        ask(alexa, device, "TonightsPromptIntent")
        next_evening(clock)
        offers.append(alexa.send(device, device.launch())["sessionAttributes"]["offer"])
    assert "deeper" not in offers[:5]
    assert "deeper" in offers


def test_not_now_wins_from_inside_the_hearth_question(
    alexa: Alexa, device: Device, store: HouseholdStore
) -> None:
    set_level(store, device, 3)
    alexa.send(device, device.intent("DeeperIntent", one_shot=True))
    payload = alexa.send(device, device.intent("NotNowIntent"))
    assert payload["response"]["shouldEndSession"] is True
    assert household(store, device).withdrawals[0].ref == "hearth-first-yes"


def test_not_now_with_nothing_offered_is_still_recorded(
    alexa: Alexa, device: Device, store: HouseholdStore
) -> None:
    ask(alexa, device, "NotNowIntent")
    (withdrawal,) = household(store, device).withdrawals
    assert withdrawal.declined == "nothing"


# --- pauses -----------------------------------------------------------------------------


def test_pause_for_two_weeks_then_back(
    alexa: Alexa, device: Device, clock: SettableClock, store: HouseholdStore
) -> None:
    alexa.send(device, device.launch())
    payload = ask(alexa, device, "PauseIntent", duration="P2W")
    assert "December" in speech(payload)  # two weeks from November 27
    next_evening(clock, 3)
    assert "prompt" not in speech(alexa.send(device, device.launch()))
    assert "back" in speech(ask(alexa, device, "ResumeIntent"))
    assert alexa.send(device, device.launch())["sessionAttributes"]["offer"] == "prompt"


def test_a_pause_ends_by_itself(alexa: Alexa, device: Device, clock: SettableClock) -> None:
    alexa.send(device, device.launch())
    ask(alexa, device, "PauseIntent", duration="P1W")
    next_evening(clock, 8)
    assert alexa.send(device, device.launch())["sessionAttributes"]["offer"] == "prompt"


def test_pause_without_a_span_pauses_a_week(
    alexa: Alexa, device: Device, store: HouseholdStore, clock: SettableClock
) -> None:
    ask(alexa, device, "PauseIntent")
    from skill.conversation.consent import paused_until

    until = paused_until(household(store, device), clock())
    assert until == clock() + timedelta(days=7)


def test_we_are_back_without_a_pause(alexa: Alexa, device: Device) -> None:
    assert "Nothing was paused" in speech(ask(alexa, device, "ResumeIntent"))


# --- built-ins --------------------------------------------------------------------------


def test_help_says_not_now_always_works_and_what_this_is_not(
    alexa: Alexa, device: Device
) -> None:
    payload = ask(alexa, device, "AMAZON.HelpIntent")
    said = speech(payload)
    assert "not now" in said and "isn't therapy" in said and "referee" in said
    assert payload["response"]["shouldEndSession"] is False


@pytest.mark.parametrize("intent", ["AMAZON.StopIntent", "AMAZON.CancelIntent",
                                    "AMAZON.NavigateHomeIntent", "AMAZON.NoIntent"])
def test_leaving_without_an_offer_is_a_short_goodbye(
    alexa: Alexa, device: Device, store: HouseholdStore, intent: str
) -> None:
    payload = ask(alexa, device, intent)
    assert payload["response"]["shouldEndSession"] is True
    assert household(store, device).withdrawals == ()


def test_fallback_keeps_listening_with_a_reprompt(alexa: Alexa, device: Device) -> None:
    payload = ask(alexa, device, "AMAZON.FallbackIntent")
    assert payload["response"]["shouldEndSession"] is False
    assert payload["response"]["reprompt"]


def test_session_ended_gets_an_empty_response(alexa: Alexa, device: Device) -> None:
    alexa.send(device, device.launch())
    payload = alexa.send(device, device.session_ended("EXCEEDED_MAX_REPROMPTS"))
    assert "outputSpeech" not in payload["response"]


def test_nothing_the_couple_said_is_stored(
    alexa: Alexa, device: Device, store: HouseholdStore
) -> None:
    envelope = device.intent("PauseIntent", {"duration": "P1W"}, one_shot=True)
    envelope["request"]["intent"]["slots"]["note"] = {"name": "note", "value": "secret words"}
    alexa.send(device, envelope)
    ask(alexa, device, "NotNowIntent")
    import json

    stored = json.dumps(store.load(household_key(device.user_id)))
    assert "secret" not in stored and "P1W" not in stored
    assert device.user_id not in stored


def test_a_one_shot_first_run_hears_the_privacy_notice_once(
    alexa: Alexa, device: Device, clock: SettableClock
) -> None:
    first = speech(ask(alexa, device, "TonightsPromptIntent"))
    assert "Alexa app" in first and "not now" in first
    assert "Alexa app" not in speech(ask(alexa, device, "TonightsPromptIntent"))
    assert "Alexa app" not in speech(alexa.send(device, device.launch()))
