"""Two people, each saying yes: the Hearth and the closeness & affection prompts, through
signed requests carrying context.System.person as Alexa sends it for recognised voices."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from local_tts.ssml import plain_text
from skill.conversation.state import Household
from skill.storage import HouseholdStore, household_key
from tests.conftest import Alexa, log_entries, speech
from tests.envelopes import Device
from tests.rehearsal_helpers import variants

ALEX = "amzn1.ask.person.ALEXAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
SAM = "amzn1.ask.person.SAMSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSS"


def as_person(device: Device, person_id: str | None) -> Device:
    device.person_id = person_id
    return device


def text(payload: dict[str, Any]) -> str:
    return plain_text(speech(payload))


def state(store: HouseholdStore, device: Device) -> Household:
    return Household.from_attributes(store.load(household_key(device.user_id)))


def at_level(store: HouseholdStore, device: Device, level: int) -> None:
    store.save(household_key(device.user_id),
               replace(Household(welcomed=True), level=level).to_attributes())


def is_question(payload: dict[str, Any]) -> bool:
    response = payload["response"]
    return response["shouldEndSession"] is False and "reprompt" in response


# ------------------------------------------------------------------------ the Hearth


def test_the_hearth_needs_a_second_yes_from_the_other_person(
    alexa: Alexa, device: Device, store: HouseholdStore
) -> None:
    at_level(store, device, 3)
    alexa.send(device, as_person(device, ALEX).intent("DeeperIntent", one_shot=True))
    first = alexa.send(device, device.intent("AMAZON.YesIntent"))
    assert text(first) in variants("hearth_second_yes")
    again = alexa.send(device, device.intent("AMAZON.YesIntent"))  # Alex again
    assert text(again) == "And the other of you?" and is_question(again)
    assert state(store, device).level == 3
    other = alexa.send(device, as_person(device, SAM).intent("AMAZON.YesIntent"))
    assert "<prosody" in speech(other)
    assert state(store, device).level == 4


def test_without_recognised_voices_two_separate_yeses_still_open_the_hearth(
    alexa: Alexa, device: Device, store: HouseholdStore
) -> None:
    at_level(store, device, 3)
    alexa.send(device, device.intent("DeeperIntent", one_shot=True))
    alexa.send(device, device.intent("AMAZON.YesIntent"))
    alexa.send(device, device.intent("AMAZON.YesIntent"))
    assert state(store, device).level == 4


def test_not_now_from_either_partner_stops_the_hearth_for_both(
    alexa: Alexa, device: Device, store: HouseholdStore
) -> None:
    at_level(store, device, 3)
    alexa.send(device, as_person(device, ALEX).intent("DeeperIntent", one_shot=True))
    alexa.send(device, device.intent("AMAZON.YesIntent"))
    stopped = alexa.send(device, as_person(device, SAM).intent("AMAZON.NoIntent"))
    assert stopped["response"]["shouldEndSession"] is True
    assert state(store, device).level == 3 and len(state(store, device).withdrawals) == 1


# ------------------------------------------------------- closeness & affection prompts


def test_closeness_needs_each_recognised_partner_and_is_read_back(
    alexa: Alexa, device: Device, store: HouseholdStore
) -> None:
    asked = alexa.send(device, as_person(device, ALEX).intent("ClosenessOnIntent",
                                                                one_shot=True))
    assert text(asked) in variants("closeness_first_yes") and is_question(asked)
    same = alexa.send(device, device.intent("AMAZON.YesIntent"))
    assert text(same) == "And the other of you?" and is_question(same)
    assert not state(store, device).closeness
    both = alexa.send(device, as_person(device, SAM).intent("AMAZON.YesIntent"))
    assert "Closeness and affection prompts are on" in text(both)
    assert both["response"]["shouldEndSession"] is True
    assert state(store, device).closeness
    listed = alexa.send(device, device.intent("ListBoundariesIntent", one_shot=True))
    assert "Closeness and affection prompts are on" in text(listed)
    remembered = alexa.send(device, device.intent("WhatDoYouRememberIntent", one_shot=True))
    assert "Closeness and affection prompts are on" in text(remembered)
    assert "as a code, not a name" in text(remembered)


def test_two_recognised_partners_may_say_yes_on_different_evenings(
    alexa: Alexa, device: Device, store: HouseholdStore, clock: Any
) -> None:
    from datetime import timedelta

    alexa.send(device, as_person(device, ALEX).intent("ClosenessOnIntent", one_shot=True))
    alexa.send(device, device.session_ended())
    clock.advance(timedelta(days=2))
    on = alexa.send(device, as_person(device, SAM).intent("ClosenessOnIntent", one_shot=True))
    assert "Closeness and affection prompts are on" in text(on)


def test_without_recognition_two_turns_turn_them_on(
    alexa: Alexa, device: Device, store: HouseholdStore
) -> None:
    asked = alexa.send(device, device.intent("ClosenessOnIntent", one_shot=True))
    assert is_question(asked)
    alexa.send(device, device.intent("AMAZON.YesIntent"))
    assert state(store, device).closeness


def test_a_no_to_the_second_yes_is_a_not_now_and_forgets_the_first_yes(
    alexa: Alexa, device: Device, store: HouseholdStore
) -> None:
    alexa.send(device, device.intent("ClosenessOnIntent", one_shot=True))
    declined = alexa.send(device, device.intent("AMAZON.NoIntent"))
    assert text(declined) in variants("not_now")
    alexa.send(device, device.intent("ClosenessOnIntent", one_shot=True))
    assert not state(store, device).closeness  # one yes again, not two


@pytest.mark.parametrize("who", [ALEX, SAM, None])
def test_either_partner_turns_them_off_at_once_without_a_question(
    alexa: Alexa, device: Device, store: HouseholdStore, who: str | None
) -> None:
    alexa.send(device, as_person(device, ALEX).intent("ClosenessOnIntent", one_shot=True))
    alexa.send(device, as_person(device, SAM).intent("AMAZON.YesIntent"))
    off = alexa.send(device, as_person(device, who).intent("ClosenessOffIntent", one_shot=True))
    assert off["response"]["shouldEndSession"] is True and "?" not in text(off)
    assert "Closeness and affection prompts are on" not in text(off)
    assert not state(store, device).closeness


def test_no_more_of_those_when_they_are_off_declines_like_not_now(
    alexa: Alexa, device: Device, store: HouseholdStore
) -> None:
    alexa.send(device, device.intent("TonightsPromptIntent", one_shot=True))
    declined = alexa.send(device, device.intent("ClosenessOffIntent", one_shot=True))
    assert text(declined) in variants("not_now") | variants("not_now_after_deep")
    (withdrawal,) = state(store, device).withdrawals
    assert withdrawal.declined == "prompt"


def test_a_person_is_kept_only_as_a_keyed_hash_never_logged_and_forgotten(
    alexa: Alexa, device: Device, store: HouseholdStore, capsys: pytest.CaptureFixture[str]
) -> None:
    alexa.send(device, as_person(device, ALEX).intent("ClosenessOnIntent", one_shot=True))
    stored = json.dumps(store.load(household_key(device.user_id)))
    assert ALEX not in stored and "ALEXAAAA" not in stored
    (event,) = [e for e in state(store, device).events if e.kind == "closeness-yes"]
    assert len(event.data["person"]) == 32
    captured = capsys.readouterr().err
    assert log_entries(captured) and ALEX not in captured
    alexa.send(device, device.intent("ForgetEverythingIntent", one_shot=True))
    alexa.send(device, device.intent("AMAZON.YesIntent"))
    assert store.load(household_key(device.user_id)) == {}


def test_the_same_person_hashes_alike_on_another_server_with_the_same_secret(
    app_config: dict[str, Any], clock: Any, authority: Any
) -> None:
    from skill.app import create_app
    from tests.conftest import Alexa as Signed

    keys = []
    for _ in range(2):
        app = create_app({**app_config, "person_key": "a-server-secret"}, clock=clock)
        device = Device(clock, person_id=ALEX)
        Signed(app.test_client(), authority).send(
            device, device.intent("ClosenessOnIntent", one_shot=True))
        store = app.extensions["porchlight.store"]
        household = Household.from_attributes(store.load(household_key(device.user_id)))
        keys.append(household.events[-1].data["person"])
        store.close()
    assert keys[0] == keys[1]


# ----------------------------------------------------------------- greeting by name


def test_a_recognised_speaker_is_greeted_by_name_once_a_session(
    alexa: Alexa, device: Device
) -> None:
    alexa.send(device, device.launch())  # the first-run welcome
    alexa.send(device, device.session_ended())
    hello = alexa.send(device, as_person(device, SAM).launch())
    tag = f'<alexa:name type="first" personId="{SAM}"/>'
    assert speech(hello).count(tag) == 1
    later = alexa.send(device, device.intent("AMAZON.HelpIntent"))
    assert "alexa:name" not in speech(later)


def test_nobody_recognised_gets_no_name_tag(alexa: Alexa, device: Device) -> None:
    assert "alexa:name" not in speech(alexa.send(device, device.launch()))
