"""The weekly reminder, against a local stand-in for the Alexa Reminders and Settings APIs."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from skill.conversation.clock import SettableClock
from skill.conversation.reminders import parse_time, spoken_when
from skill.conversation.state import Household, Reminder
from skill.storage import HouseholdStore, household_key
from tests.conftest import Alexa, speech
from tests.envelopes import Device
from tests.fake_alexa_api import FakeAlexaApi

SCOPE = "alexa::alerts:reminders:skill:readwrite"

@pytest.fixture
def alexa_stand_ins() -> tuple[str, ...]:
    """The skill may call the loopback stand-in for Alexa's APIs in these tests."""
    return ("127.0.0.1",)


@pytest.fixture
def granted(clock: SettableClock, alexa_api: FakeAlexaApi) -> Device:
    """A device whose user already granted the reminders permission."""
    return Device(clock, api_endpoint=alexa_api.url, granted=(SCOPE,))


@pytest.fixture
def asking(clock: SettableClock, alexa_api: FakeAlexaApi) -> Device:
    """A device whose user has not granted it yet."""
    return Device(clock, api_endpoint=alexa_api.url)


def state(store: HouseholdStore, device: Device) -> Household:
    return Household.from_attributes(store.load(household_key(device.user_id)))


def finish_check_in(alexa: Alexa, device: Device) -> dict[str, Any]:
    alexa.send(device, device.intent("StartCheckInIntent", one_shot=True))
    alexa.send(device, device.intent("AMAZON.YesIntent"))
    payload: dict[str, Any] = {}
    for _ in range(7):  # the weather step, then its "What's your weather word?"
        payload = alexa.send(device, device.intent("NextStepIntent", one_shot=True))
    return payload


def test_the_close_offers_a_reminder_and_yes_creates_it(
    alexa: Alexa, granted: Device, alexa_api: FakeAlexaApi, store: HouseholdStore
) -> None:
    close = finish_check_in(alexa, granted)
    assert "reminder" in speech(close) and close["response"]["shouldEndSession"] is False
    done = alexa.send(granted, granted.intent("AMAZON.YesIntent"))
    assert "Sundays at 7 p.m." in speech(done)
    assert alexa_api.paths("GET") == [
        f"/v2/devices/{granted.device_id}/settings/System.timeZone"]
    (create,) = [c for c in alexa_api.calls if c.method == "POST"]
    assert create.path == "/v1/alerts/reminders"
    assert create.headers["Authorization"].startswith("Bearer ")
    trigger = create.body["trigger"]
    assert trigger["type"] == "SCHEDULED_ABSOLUTE"
    assert trigger["timeZoneId"] == "America/Chicago"
    assert trigger["recurrence"]["recurrenceRules"] == [
        "FREQ=WEEKLY;BYDAY=SU;BYHOUR=19;BYMINUTE=0;BYSECOND=0;INTERVAL=1"]
    assert trigger["recurrence"]["startDateTime"] == "2026-11-29T19:00:00"
    spoken = create.body["alertInfo"]["spokenInfo"]["content"][0]
    assert spoken["locale"] == "en-US" and "check-in" in spoken["text"]
    assert "<" not in spoken["text"]
    assert state(store, granted).reminder == Reminder(day="SU", at="19:00",
                                                      token="reminder-token-1")


def test_without_permission_alexa_asks_by_voice_and_accepted_creates_it(
    alexa: Alexa, asking: Device, alexa_api: FakeAlexaApi, store: HouseholdStore
) -> None:
    finish_check_in(alexa, asking)
    payload = alexa.send(asking, asking.intent("AMAZON.YesIntent"))
    (directive,) = payload["response"]["directives"]
    assert directive["type"] == "Connections.SendRequest" and directive["name"] == "AskFor"
    assert directive["payload"]["permissionScope"] == SCOPE
    assert "shouldEndSession" not in payload["response"]
    assert alexa_api.paths("POST") == []
    assert state(store, asking).reminder == Reminder(day="SU", at="19:00", token=None)
    accepted = alexa.send(asking, asking.permission_answer("ACCEPTED"))
    assert "Sundays at 7 p.m." in speech(accepted)
    assert alexa_api.paths("POST") == ["/v1/alerts/reminders"]
    assert state(store, asking).reminder.token == "reminder-token-1"  # type: ignore[union-attr]


@pytest.mark.parametrize("answer", ["DENIED", "NOT_ANSWERED"])
def test_a_refused_permission_creates_nothing(
    alexa: Alexa, asking: Device, alexa_api: FakeAlexaApi, store: HouseholdStore, answer: str
) -> None:
    alexa.send(asking, asking.intent("SetReminderIntent", one_shot=True))
    payload = alexa.send(asking, asking.permission_answer(answer))
    assert payload["response"]["shouldEndSession"] is True
    assert alexa_api.paths("POST") == []
    assert state(store, asking).reminder is None


def test_change_our_reminder_to_sundays_at_eight(
    alexa: Alexa, granted: Device, alexa_api: FakeAlexaApi, store: HouseholdStore
) -> None:
    alexa.send(granted, granted.intent("SetReminderIntent", {"day": "sundays", "time": "19:00"},
                                       one_shot=True))
    payload = alexa.send(granted, granted.intent(
        "SetReminderIntent", {"day": "sundays", "time": "08:00"}, one_shot=True))
    assert "Sundays at 8 p.m." in speech(payload)
    (update,) = [c for c in alexa_api.calls if c.method == "PUT"]
    assert update.path == "/v1/alerts/reminders/reminder-token-1"
    assert "BYHOUR=20" in update.body["trigger"]["recurrence"]["recurrenceRules"][0]
    assert state(store, granted).reminder == Reminder(day="SU", at="20:00",
                                                      token="reminder-token-1")


def test_stop_the_reminders_deletes_it(
    alexa: Alexa, granted: Device, alexa_api: FakeAlexaApi, store: HouseholdStore
) -> None:
    alexa.send(granted, granted.intent("SetReminderIntent", {"day": "friday"}, one_shot=True))
    alexa_api.delete_status = 404  # already gone counts as deleted
    payload = alexa.send(granted, granted.intent("StopRemindersIntent", one_shot=True))
    assert "No more reminders" in speech(payload)
    assert alexa_api.paths("DELETE") == ["/v1/alerts/reminders/reminder-token-1"]
    assert state(store, granted).reminder is None
    assert "no reminder" in speech(alexa.send(
        granted, granted.intent("StopRemindersIntent", one_shot=True)))


def test_api_failures_leave_the_conversation_working(
    alexa: Alexa, granted: Device, alexa_api: FakeAlexaApi, store: HouseholdStore
) -> None:
    alexa_api.reminder_status = 500
    alexa_api.timezone = None
    payload = alexa.send(granted, granted.intent("SetReminderIntent", one_shot=True))
    assert "couldn't set the reminder" in speech(payload)
    assert state(store, granted).reminder is None
    (create,) = [c for c in alexa_api.calls if c.method == "POST"]
    assert create.body["trigger"]["timeZoneId"] == "America/New_York"  # the locale's fallback
    assert "<prosody" in speech(alexa.send(
        granted, granted.intent("TonightsPromptIntent", one_shot=True)))


def test_an_unreachable_api_times_out_quickly_and_says_so(
    alexa: Alexa, clock: SettableClock
) -> None:
    nowhere = Device(clock, api_endpoint="http://127.0.0.1:9", granted=(SCOPE,))
    payload = alexa.send(nowhere, nowhere.intent("SetReminderIntent", one_shot=True))
    assert "couldn't set the reminder" in speech(payload)


def test_not_now_to_the_reminder_offer_holds_it_back_30_days(
    alexa: Alexa, granted: Device, clock: SettableClock, store: HouseholdStore
) -> None:
    finish_check_in(alexa, granted)
    alexa.send(granted, granted.intent("NotNowIntent"))
    assert state(store, granted).withdrawals[-1].declined == "reminder-offer"
    clock.advance(timedelta(days=7))
    assert finish_check_in(alexa, granted)["response"]["shouldEndSession"] is True
    clock.advance(timedelta(days=24))
    assert finish_check_in(alexa, granted)["response"]["shouldEndSession"] is False


def test_a_pause_holds_the_reminder_back(
    alexa: Alexa, granted: Device, alexa_api: FakeAlexaApi
) -> None:
    alexa.send(granted, granted.intent("SetReminderIntent", one_shot=True))
    alexa.send(granted, granted.intent("PauseIntent", {"duration": "P2W"}, one_shot=True))
    (update,) = [c for c in alexa_api.calls if c.method == "PUT"]
    assert update.body["trigger"]["recurrence"]["startDateTime"] == "2026-12-13T19:00:00"


@pytest.mark.parametrize(
    "value, expected",
    [("19:00", "19:00"), ("08:00", "20:00"), ("10:30", "10:30"), ("EV", "19:00"),
     ("NI", "21:00"), ("25:00", None), ("soon", None), (None, None)],
)
def test_spoken_times_become_evening_times(value: str | None, expected: str | None) -> None:
    assert parse_time(value) == expected


def test_reminders_are_read_back_plainly() -> None:
    assert spoken_when(Reminder(day="TU", at="19:30")) == "Tuesdays at 7:30 p.m."
    assert spoken_when(Reminder(day="SA", at="10:00")) == "Saturdays at 10 a.m."
