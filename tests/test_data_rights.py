"""What Porch Light remembers, forgetting everything, SkillDisabled, and screens."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask

from skill.conversation.clock import SettableClock
from skill.handlers.stored import DecodedHouseholds
from skill.storage import HouseholdStore, household_key
from tests.conftest import Alexa, speech
from tests.envelopes import Device
from tests.fake_alexa_api import FakeAlexaApi

SCOPE = "alexa::alerts:reminders:skill:readwrite"


@pytest.fixture
def alexa_stand_ins() -> tuple[str, ...]:
    """The skill may call the loopback stand-in for Alexa's APIs in these tests."""
    return ("127.0.0.1",)


def say(alexa: Alexa, device: Device, intent: str, **slots: str) -> dict[str, Any]:
    return alexa.send(device, device.intent(intent, slots or None, one_shot=True))


def test_what_do_you_remember_in_plain_words(alexa: Alexa, device: Device) -> None:
    say(alexa, device, "TonightsPromptIntent")
    say(alexa, device, "NotNowIntent")
    say(alexa, device, "SetBoundaryIntent", topic="money")
    say(alexa, device, "PauseIntent", duration="P1W")
    payload = say(alexa, device, "WhatDoYouRememberIntent")
    said = speech(payload)
    assert "Your depth: light prompts." in said
    assert "Off limits: money." in said and "paused until" in said
    assert "not now" in said and "Nothing you say to each other is kept" in said
    assert device.user_id not in said and "P1W" not in said
    assert payload["response"]["shouldEndSession"] is True


def test_a_new_household_hears_the_short_version(alexa: Alexa, device: Device) -> None:
    said = speech(say(alexa, device, "WhatDoYouRememberIntent"))
    assert "Your depth: light prompts." in said and "Off limits" not in said


def test_forget_everything_asks_once_then_deletes(
    app: Flask, alexa: Alexa, device: Device, store: HouseholdStore
) -> None:
    say(alexa, device, "TonightsPromptIntent")
    say(alexa, device, "SetBoundaryIntent", topic="money")
    confirm = say(alexa, device, "ForgetEverythingIntent")
    assert confirm["response"]["shouldEndSession"] is False
    assert store.load(household_key(device.user_id)) != {}
    assert household_key(device.user_id) in kept_households(app)
    done = alexa.send(device, device.intent("AMAZON.YesIntent"))
    assert "deleted" in speech(done)
    assert store.load(household_key(device.user_id)) == {}
    assert household_key(device.user_id) not in kept_households(app)  # not even in memory


def test_no_to_forgetting_keeps_everything_without_a_withdrawal(
    alexa: Alexa, device: Device, store: HouseholdStore
) -> None:
    say(alexa, device, "SetBoundaryIntent", topic="money")
    say(alexa, device, "ForgetEverythingIntent")
    kept = alexa.send(device, device.intent("AMAZON.NoIntent"))
    assert "haven't deleted" in speech(kept)
    stored = store.load(household_key(device.user_id))
    assert all(event["kind"] != "withdrawal" for event in stored["events"])


def test_forgetting_also_removes_the_reminder(
    alexa: Alexa, clock: SettableClock, alexa_api: FakeAlexaApi, store: HouseholdStore
) -> None:
    device = Device(clock, api_endpoint=alexa_api.url, granted=(SCOPE,))
    say(alexa, device, "SetReminderIntent")
    say(alexa, device, "ForgetEverythingIntent")
    alexa.send(device, device.intent("AMAZON.YesIntent"))
    assert alexa_api.paths("DELETE") == ["/v1/alerts/reminders/reminder-token-1"]
    assert store.load(household_key(device.user_id)) == {}


def test_skill_disabled_deletes_the_household_out_of_session(
    app: Flask, alexa: Alexa, device: Device, store: HouseholdStore, clock: SettableClock
) -> None:
    other = Device(clock, user_id="amzn1.ask.account.ANOTHERHOUSEHOLD")
    say(alexa, device, "SetBoundaryIntent", topic="money")
    say(alexa, other, "SetBoundaryIntent", topic="work")
    event = device.skill_event("AlexaSkillEvent.SkillDisabled")
    clock.advance(timedelta(minutes=50))  # skill events may arrive up to an hour late
    response = alexa.post(event)
    assert response.status_code == 200
    assert store.load(household_key(device.user_id)) == {}
    assert store.load(household_key(other.user_id)) != {}
    assert household_key(device.user_id) not in kept_households(app)
    assert household_key(other.user_id) in kept_households(app)


def kept_households(app: Flask) -> DecodedHouseholds:
    """The households the app's skill keeps decoded in memory (``skill.handlers.stored``)."""
    skill = app.extensions["porchlight.endpoint"].ready().skill
    chains = skill.request_dispatcher.request_mappers[0].request_handler_chains
    services = next(chain.request_handler.services for chain in chains
                    if hasattr(chain.request_handler, "services"))
    households: DecodedHouseholds = services.households
    return households


def test_other_skill_events_are_acknowledged(
    alexa: Alexa, device: Device, store: HouseholdStore
) -> None:
    for kind in ("AlexaSkillEvent.SkillEnabled", "AlexaSkillEvent.SkillPermissionAccepted",
                 "AlexaSkillEvent.SkillPermissionChanged"):
        assert alexa.post(device.skill_event(kind)).status_code == 200
    assert store.load(household_key(device.user_id)) == {}


def test_echo_show_gets_the_prompt_in_large_calm_text(
    alexa: Alexa, clock: SettableClock
) -> None:
    show = Device(clock, screen=True)
    payload = say(alexa, show, "TonightsPromptIntent")
    (directive,) = payload["response"]["directives"]
    assert directive["type"] == "Alexa.Presentation.APL.RenderDocument"
    assert directive["datasources"]["prompt"]["text"] == payload["response"]["card"]["content"]
    text_items = directive["document"]["mainTemplate"]["items"][0]["items"]
    assert any(item["text"] == "${prompt.text}" for item in text_items)


def test_voice_only_devices_get_no_screen(alexa: Alexa, device: Device) -> None:
    payload = say(alexa, device, "TonightsPromptIntent")
    assert "directives" not in payload["response"]
