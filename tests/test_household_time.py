"""The device's own time zone, through signed requests and a stand-in Settings API.

Households in Los Angeles, Sydney (across midnight UTC) and Kolkata (a half-hour offset),
a daylight-saving change during a pause, quiet hours that mean the evening, and the
promise that a slow or failing Settings API never holds up a "not now".
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from skill.conversation import consent
from skill.conversation.clock import SettableClock, format_instant
from skill.conversation.state import Household
from skill.storage import HouseholdStore, household_key
from tests.conftest import Alexa, speech
from tests.envelopes import Device
from tests.fake_alexa_api import FakeAlexaApi
from tests.rehearsal_helpers import variants


@pytest.fixture
def alexa_stand_ins() -> tuple[str, ...]:
    return ("127.0.0.1",)


def at(clock: SettableClock, local: str, zone: str) -> None:
    """Put the clock at a local time in ``zone``: "2026-11-27 21:00"."""
    from zoneinfo import ZoneInfo

    clock.current = datetime.fromisoformat(local).replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)


def device_in(zone: str, clock: SettableClock, alexa_api: FakeAlexaApi) -> Device:
    alexa_api.timezone = zone
    return Device(clock, api_endpoint=alexa_api.url)


def say(alexa: Alexa, device: Device, intent: str, **slots: str) -> dict[str, Any]:
    return alexa.send(device, device.intent(intent, slots or None, one_shot=True))


def launch(alexa: Alexa, device: Device) -> dict[str, Any]:
    return alexa.send(device, device.launch())


def text(payload: dict[str, Any]) -> str:
    from local_tts.ssml import plain_text

    return plain_text(speech(payload))


def state(store: HouseholdStore, device: Device) -> Household:
    return Household.from_attributes(store.load(household_key(device.user_id)))


def is_quiet_welcome(payload: dict[str, Any]) -> bool:
    return text(payload) in variants("welcome_quiet")


def welcomed(alexa: Alexa, device: Device) -> None:
    """The first-run welcome is behind them (the tests are about later evenings)."""
    launch(alexa, device)
    alexa.send(device, device.session_ended())


# ------------------------------------------------------------------ Los Angeles


def test_los_angeles_the_evening_ends_at_five_their_time(
    alexa: Alexa, clock: SettableClock, alexa_api: FakeAlexaApi
) -> None:
    la = device_in("America/Los_Angeles", clock, alexa_api)
    at(clock, "2026-11-26 20:00", "America/Los_Angeles")
    welcomed(alexa, la)
    at(clock, "2026-11-27 23:00", "America/Los_Angeles")
    say(alexa, la, "NotNowIntent")
    at(clock, "2026-11-28 03:00", "America/Los_Angeles")  # 6 a.m. in New York: still tonight
    assert is_quiet_welcome(launch(alexa, la))
    at(clock, "2026-11-28 05:30", "America/Los_Angeles")
    assert not is_quiet_welcome(launch(alexa, la))


def test_los_angeles_no_prompts_after_ten_starts_at_ten_their_time(
    alexa: Alexa, clock: SettableClock, alexa_api: FakeAlexaApi
) -> None:
    la = device_in("America/Los_Angeles", clock, alexa_api)
    at(clock, "2026-11-27 19:00", "America/Los_Angeles")
    set_quiet = say(alexa, la, "SetBoundaryIntent", time="10:00")  # Alexa's "ten"
    assert "After 10 p.m., no prompts." in text(set_quiet)
    at(clock, "2026-11-27 21:30", "America/Los_Angeles")  # 12:30 a.m. in New York
    assert "<prosody" in speech(say(alexa, la, "TonightsPromptIntent"))
    at(clock, "2026-11-27 22:15", "America/Los_Angeles")
    declined = say(alexa, la, "AnotherPromptIntent")
    assert text(declined) in variants("quiet_hours_decline")


# ------------------------------------------------------------------------ Sydney


def test_sydney_one_evening_across_midnight_utc(
    alexa: Alexa, clock: SettableClock, alexa_api: FakeAlexaApi
) -> None:
    sydney = device_in("Australia/Sydney", clock, alexa_api)
    at(clock, "2026-11-27 20:00", "Australia/Sydney")
    welcomed(alexa, sydney)
    at(clock, "2026-11-28 10:30", "Australia/Sydney")  # 23:30 UTC on the 27th
    say(alexa, sydney, "NotNowIntent")
    at(clock, "2026-11-28 21:00", "Australia/Sydney")  # 10:00 UTC on the 28th
    assert clock().date().isoformat() == "2026-11-28"
    assert is_quiet_welcome(launch(alexa, sydney))
    at(clock, "2026-11-29 05:30", "Australia/Sydney")  # a new evening in Sydney
    assert not is_quiet_welcome(launch(alexa, sydney))


def test_sydney_weeknights_follow_sydney_days(
    alexa: Alexa, clock: SettableClock, alexa_api: FakeAlexaApi
) -> None:
    sydney = device_in("Australia/Sydney", clock, alexa_api)
    say(alexa, sydney, "SetBoundaryIntent", rule="weeknights")
    at(clock, "2026-11-29 08:00", "Australia/Sydney")  # Sunday there; Saturday in New York
    assert text(say(alexa, sydney, "TonightsPromptIntent")) in variants("quiet_hours_decline")
    at(clock, "2026-11-28 08:00", "Australia/Sydney")  # Saturday there
    assert "<prosody" in speech(say(alexa, sydney, "TonightsPromptIntent"))


# ----------------------------------------------------------------------- Kolkata


def test_kolkata_half_hour_offset_quiet_after_ten_thirty(
    alexa: Alexa, clock: SettableClock, alexa_api: FakeAlexaApi, store: HouseholdStore
) -> None:
    kolkata = device_in("Asia/Kolkata", clock, alexa_api)  # an en-US Echo: New York's zone
    at(clock, "2026-11-27 20:00", "Asia/Kolkata")
    said = say(alexa, kolkata, "SetBoundaryIntent", time="10:30")  # "ten thirty"
    assert "10:30 p.m." in text(said)
    quiet = state(store, kolkata).boundaries.quiet
    assert quiet is not None and quiet.start.isoformat() == "22:30:00"
    at(clock, "2026-11-27 22:15", "Asia/Kolkata")  # 16:45 UTC
    assert "<prosody" in speech(say(alexa, kolkata, "TonightsPromptIntent"))
    at(clock, "2026-11-27 22:45", "Asia/Kolkata")  # 17:15 UTC
    assert text(say(alexa, kolkata, "AnotherPromptIntent")) in variants("quiet_hours_decline")


# ------------------------------------------------------- daylight saving, pauses


def test_a_week_pause_across_the_end_of_daylight_saving_ends_at_the_same_local_hour(
    alexa: Alexa, clock: SettableClock, alexa_api: FakeAlexaApi, store: HouseholdStore
) -> None:
    la = device_in("America/Los_Angeles", clock, alexa_api)
    at(clock, "2026-10-27 20:00", "America/Los_Angeles")
    welcomed(alexa, la)
    at(clock, "2026-10-28 21:00", "America/Los_Angeles")  # PDT, UTC-7
    paused = say(alexa, la, "PauseIntent", duration="P1W")
    assert "November 4" in text(paused)
    until = consent.paused_until(state(store, la), clock())
    # DST ended on November 1: 9 p.m. PST is 05:00 UTC, not the 04:00 a plain week gives
    assert until is not None and format_instant(until) == "2026-11-05T05:00:00+00:00"
    at(clock, "2026-11-04 20:30", "America/Los_Angeles")  # PST, UTC-8
    assert is_quiet_welcome(launch(alexa, la))  # still paused: no offer
    at(clock, "2026-11-05 05:30", "America/Los_Angeles")
    assert not is_quiet_welcome(launch(alexa, la))


# --------------------------------------------------------- quiet hours, every hour

HOURS = {"01:00": "1 p.m.", "02:00": "2 p.m.", "03:00": "3 p.m.", "04:00": "4 p.m.",
         "05:00": "5 p.m.", "06:00": "6 p.m.", "07:00": "7 p.m.", "08:00": "8 p.m.",
         "09:00": "9 p.m.", "10:00": "10 p.m.", "11:00": "11 p.m.", "00:00": "12 a.m.",
         "12:00": "12 a.m.", "10:30": "10:30 p.m.", "22:00": "10 p.m.", "21:45": "9:45 p.m."}


@pytest.mark.parametrize("alexa_time, read_back", sorted(HOURS.items()))
def test_every_hour_in_quiet_hours_means_the_evening(
    alexa: Alexa, clock: SettableClock, alexa_api: FakeAlexaApi, store: HouseholdStore,
    alexa_time: str, read_back: str
) -> None:
    """ "no prompts after one" ... "after eleven" are p.m.; "midnight" (and "twelve") 00:00."""
    home = device_in("America/New_York", clock, alexa_api)
    payload = say(alexa, home, "SetBoundaryIntent", time=alexa_time)
    assert f"After {read_back}, no prompts." in text(payload)
    quiet = state(store, home).boundaries.quiet
    assert quiet is not None and quiet.start.strftime("%I:%M %p").lstrip("0") != ""
    assert quiet.start.hour >= 12 or quiet.start.hour == 0


# ------------------------------------------------ the Settings API: when it is asked


def test_the_zone_is_asked_once_a_day_per_device_and_again_for_a_new_device(
    alexa: Alexa, clock: SettableClock, alexa_api: FakeAlexaApi, store: HouseholdStore
) -> None:
    kitchen = device_in("America/Los_Angeles", clock, alexa_api)
    launch(alexa, kitchen)
    say(alexa, kitchen, "TonightsPromptIntent")
    say(alexa, kitchen, "ListBoundariesIntent")
    assert alexa_api.paths("GET") == [
        f"/v2/devices/{kitchen.device_id}/settings/System.timeZone"]
    call = alexa_api.calls[0]
    assert call.headers["Authorization"] == (
        "Bearer eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.token.signature")
    bedroom = Device(clock, api_endpoint=alexa_api.url)
    launch(alexa, bedroom)
    assert len(alexa_api.paths("GET")) == 2
    clock.advance(timedelta(hours=25))
    launch(alexa, kitchen)
    assert len(alexa_api.paths("GET")) == 3
    zones = state(store, kitchen).zones
    assert {z.zone for z in zones} == {"America/Los_Angeles"} and len(zones) == 2
    assert all(kitchen.device_id not in z.device for z in zones)  # a hash, not the id


def test_not_now_never_asks_the_settings_api(
    alexa: Alexa, clock: SettableClock, alexa_api: FakeAlexaApi, store: HouseholdStore
) -> None:
    home = device_in("America/Los_Angeles", clock, alexa_api)
    alexa_api.delay_seconds = 1.5  # slower than the skill would ever wait
    payload = say(alexa, home, "NotNowIntent")
    assert text(payload) in variants("not_now")
    assert payload["response"]["shouldEndSession"] is True
    assert alexa_api.calls == []
    assert len(state(store, home).withdrawals) == 1


@pytest.mark.parametrize("intent, slots", [
    ("CrisisIntent", {}), ("AbuseIntent", {}), ("DangerIntent", {}), ("DistressIntent", {}),
    ("NeedHelpIntent", {}), ("OverwhelmedIntent", {}),
    ("SetBoundaryIntent", {"topic": "i want to end my life"}),
])
def test_a_safety_answer_never_waits_on_the_settings_api(
    alexa: Alexa, clock: SettableClock, alexa_api: FakeAlexaApi, intent: str,
    slots: dict[str, str],
) -> None:
    """Crisis, distress and "too much" answer at once, however slow Alexa's API is."""
    home = device_in("America/Los_Angeles", clock, alexa_api)
    alexa_api.delay_seconds = 1.5  # slower than the skill would ever wait
    payload = say(alexa, home, intent, **slots)
    assert payload["response"]["outputSpeech"]["ssml"].strip("<speak/>")
    assert alexa_api.calls == []


def test_not_now_uses_the_remembered_zone(
    alexa: Alexa, clock: SettableClock, alexa_api: FakeAlexaApi, store: HouseholdStore
) -> None:
    sydney = device_in("Australia/Sydney", clock, alexa_api)
    at(clock, "2026-11-28 20:00", "Australia/Sydney")
    welcomed(alexa, sydney)
    alexa_api.timezone_status = 500  # failing from now on
    at(clock, "2026-11-28 23:30", "Australia/Sydney")
    say(alexa, sydney, "NotNowIntent")
    at(clock, "2026-11-29 01:00", "Australia/Sydney")  # still the 28th's evening there
    assert is_quiet_welcome(launch(alexa, sydney))
    assert len(alexa_api.paths("GET")) == 1


def test_a_slow_settings_api_is_given_up_on_and_the_locale_zone_stands_in(
    alexa: Alexa, clock: SettableClock, alexa_api: FakeAlexaApi, store: HouseholdStore
) -> None:
    home = device_in("Australia/Sydney", clock, alexa_api)
    alexa_api.delay_seconds = 1.5
    payload = launch(alexa, home)
    assert payload["response"]["shouldEndSession"] is False
    (zone,) = state(store, home).zones
    assert zone.zone is None  # not answered in time: asked again tomorrow, not every turn
    alexa_api.delay_seconds = 0
    say(alexa, home, "TonightsPromptIntent")
    assert len(alexa_api.paths("GET")) == 1


def test_a_failing_settings_api_keeps_the_zone_known_before(
    alexa: Alexa, clock: SettableClock, alexa_api: FakeAlexaApi, store: HouseholdStore
) -> None:
    home = device_in("Asia/Kolkata", clock, alexa_api)
    launch(alexa, home)
    alexa_api.timezone_status = 403
    clock.advance(timedelta(days=2))
    launch(alexa, home)
    (zone,) = state(store, home).zones
    assert zone.zone == "Asia/Kolkata" and zone.checked_at == clock()
