"""Unit tests for the pure rules behind issue 11: quiet hours in the evening, the closeness
opt-in folded from events, remembered device zones, and pauses on the couple's clock."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from skill.conversation import consent
from skill.conversation.boundaries import (
    boundary_set,
    closeness_off,
    closeness_yes,
    evening_time,
    fold_boundaries,
)
from skill.conversation.events import Event, EventKind
from skill.conversation.state import Household
from skill.conversation.timezones import (
    DEVICES_KEPT,
    device_key,
    known_zone,
    needs_asking,
    remember_zone,
    valid_zone,
)

NOW = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize("hour", range(24))
def test_every_hour_alexa_gives_means_an_evening_hour(hour: int) -> None:
    start = evening_time(f"{hour:02d}:00")
    assert start is not None
    expected = hour + 12 if 1 <= hour <= 11 else (0 if hour == 12 else hour)
    assert start == f"{expected:02d}:00"


@pytest.mark.parametrize("value, start", [
    ("10:30", "22:30"), ("00:00", "00:00"), ("EV", "19:00"), ("NI", "21:00"), ("09:45", "21:45"),
])
def test_half_hours_midnight_and_parts_of_the_day(value: str, start: str) -> None:
    assert evening_time(value) == start


@pytest.mark.parametrize("value", [None, "", "MO", "AF", "24:00", "10:60", "ten", "T22"])
def test_what_is_not_an_evening_time(value: str | None) -> None:
    assert evening_time(value) is None


def test_quiet_hours_stored_before_the_fix_read_as_the_evening() -> None:
    folded = fold_boundaries([boundary_set(NOW, quiet_start="10:00", gentle_level=None)])
    assert folded.quiet is not None and folded.quiet.start == time(22, 0)


def test_closeness_needs_two_voices_and_the_same_voice_counts_once() -> None:
    alex = [closeness_yes(NOW, "alex"), closeness_yes(NOW + timedelta(minutes=1), "alex")]
    assert not fold_boundaries(alex).closeness
    assert fold_boundaries(alex).said_yes("alex") and not fold_boundaries(alex).said_yes(None)
    both = fold_boundaries([*alex, closeness_yes(NOW + timedelta(minutes=2), "sam")])
    assert both.closeness and not both.is_empty and both.changed_at is not None


def test_two_unrecognised_yeses_turn_closeness_on() -> None:
    assert fold_boundaries([closeness_yes(NOW, None), closeness_yes(NOW, None)]).closeness


def test_a_withdrawal_drops_a_waiting_yes_but_not_an_agreement() -> None:
    withdrawal = Event(kind=EventKind.WITHDRAWAL, at=NOW, data={"declined": "offer"})
    waiting = [closeness_yes(NOW, "alex"), withdrawal, closeness_yes(NOW, "sam")]
    assert not fold_boundaries(waiting).closeness
    agreed = [closeness_yes(NOW, "alex"), closeness_yes(NOW, "sam"), withdrawal]
    assert fold_boundaries(agreed).closeness


def test_either_no_turns_closeness_off_and_a_new_agreement_needs_both_again() -> None:
    events = [closeness_yes(NOW, "alex"), closeness_yes(NOW, "sam"), closeness_off(NOW),
              closeness_yes(NOW, "alex")]
    folded = fold_boundaries(events)
    assert not folded.closeness and folded.closeness_voices == frozenset({"alex"})


def test_household_closeness_survives_a_round_trip() -> None:
    household = Household().with_event(closeness_yes(NOW, "a")).with_event(
        closeness_yes(NOW, "b"))
    assert Household.from_attributes(household.to_attributes()).closeness


def test_device_zones_are_remembered_per_device_asked_daily_and_kept_few() -> None:
    household = remember_zone(Household(), device_key("kitchen"), "Asia/Kolkata", NOW)
    known = known_zone(household, device_key("kitchen"))
    assert known is not None and known.zone == "Asia/Kolkata"
    assert not needs_asking(known, NOW + timedelta(hours=23))
    assert needs_asking(known, NOW + timedelta(days=1))
    assert needs_asking(known_zone(household, device_key("bedroom")), NOW)
    failed = remember_zone(household, device_key("kitchen"), None, NOW + timedelta(days=2))
    again = known_zone(failed, device_key("kitchen"))
    assert again is not None and again.zone == "Asia/Kolkata" and again.checked_at > NOW
    nonsense = remember_zone(Household(), "d", "Mars/Olympus", NOW)
    assert known_zone(nonsense, "d") is not None and known_zone(nonsense, "d").zone is None  # type: ignore[union-attr]
    many = Household()
    for n in range(DEVICES_KEPT + 3):
        many = remember_zone(many, device_key(str(n)), "UTC", NOW)
    assert len(many.zones) == DEVICES_KEPT
    assert known_zone(many, device_key(str(DEVICES_KEPT + 2))) is not None
    round_trip = Household.from_attributes(household.to_attributes())
    assert round_trip.zones == household.zones


def test_valid_zone() -> None:
    assert valid_zone("Australia/Sydney") == ZoneInfo("Australia/Sydney")
    assert valid_zone(None) is None and valid_zone("") is None and valid_zone("../etc") is None


def test_a_pause_counts_days_on_the_couples_clock() -> None:
    los_angeles = ZoneInfo("America/Los_Angeles")
    set_at = datetime(2026, 10, 28, 21, 0, tzinfo=los_angeles)  # PDT
    _, until = consent.pause(Household(), set_at.astimezone(UTC), timedelta(days=7), los_angeles)
    assert until.astimezone(los_angeles).replace(tzinfo=None) == datetime(2026, 11, 4, 21, 0)
    _, plain = consent.pause(Household(), set_at.astimezone(UTC), timedelta(days=7))
    assert until - plain == timedelta(hours=1)
