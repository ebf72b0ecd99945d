"""Unit tests for the pure conversation rules: clock, state, consent, depth and selection."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from skill.conversation import consent, depth
from skill.conversation.boundaries import boundary_set, closeness_yes
from skill.conversation.clock import (
    SettableClock,
    evening_of,
    format_instant,
    parse_instant,
    resolve_timezone,
)
from skill.conversation.prompts import Prompt, record_prompt, select_prompt, tonights_prompt_id
from skill.conversation.state import Declined, Event, EventKind, Household, Offer, Spoken

NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)  # 9 p.m. in New York
TONIGHT = date(2026, 11, 27)


def library() -> list[Prompt]:
    prompts = []
    for level in (1, 2, 3, 4):
        for n in range(4):
            prompts.append(Prompt(id=f"p{level}-{n}", level=level, category="our-story",
                                  topics=frozenset({"money"} if n == 0 else ()), text="t"))
    prompts.append(Prompt(id="close-2", level=2, category="closeness-affection",
                          topics=frozenset(), text="t"))
    return prompts


# --- clock --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "local, evening",
    [
        (datetime(2026, 11, 27, 21, 0), date(2026, 11, 27)),
        (datetime(2026, 11, 28, 4, 59), date(2026, 11, 27)),
        (datetime(2026, 11, 28, 5, 0), date(2026, 11, 28)),
    ],
)
def test_an_evening_runs_until_five_in_the_morning(local: datetime, evening: date) -> None:
    assert evening_of(local.replace(tzinfo=NEW_YORK), NEW_YORK) == evening


def test_timezones_fall_back_from_setting_to_locale_to_utc() -> None:
    assert resolve_timezone("Europe/Paris", "en-US").key == "Europe/Paris"
    assert resolve_timezone("Not/AZone", "en-GB").key == "Europe/London"
    assert resolve_timezone(None, "xx-XX").key == "UTC"


def test_settable_clock_needs_an_aware_time_and_moves() -> None:
    with pytest.raises(ValueError):
        SettableClock(datetime(2026, 1, 1))
    clock = SettableClock(NOW)
    clock.advance(timedelta(hours=1))
    assert clock() == NOW + timedelta(hours=1)


def test_instants_round_trip_in_utc() -> None:
    assert parse_instant(format_instant(NOW)) == NOW
    assert parse_instant("2026-11-28T02:00:00") == NOW


# --- state ------------------------------------------------------------------------------


def test_household_round_trips_through_its_document() -> None:
    household = Household(
        level=3, welcomed=True, level_set_at=NOW, level_raised_on=TONIGHT, last_deeper_offer_at=NOW,
        last_spoken=Spoken(kind=Declined.PROMPT, ref="p3-1", evening=TONIGHT, level=3),
    )
    household = record_prompt(household, library()[9], NOW, TONIGHT)
    household, _ = consent.record_withdrawal(household, NOW, TONIGHT, None)
    assert Household.from_attributes(household.to_attributes()) == household


def test_an_empty_document_is_a_new_household() -> None:
    assert Household.from_attributes({}) == Household()
    assert Household.from_attributes(None).level == 1


def test_stored_levels_are_clamped() -> None:
    assert Household.from_attributes({"level": 9}).level == 4
    assert Household.from_attributes({"level": 0}).level == 1


# --- consent ----------------------------------------------------------------------------


def test_not_now_declines_the_open_offer_first() -> None:
    household = record_prompt(Household(), library()[0], NOW, TONIGHT)
    assert consent.declined_object(household, Offer.DEEPER, TONIGHT) == (
        Declined.OFFER, "deeper", None)
    assert consent.declined_object(household, None, TONIGHT) == (Declined.PROMPT, "p1-0", 1)
    tomorrow = TONIGHT + timedelta(days=1)
    assert consent.declined_object(household, None, tomorrow) == (Declined.NOTHING, None, None)


def test_quiet_evening_lasts_until_five() -> None:
    household, _ = consent.record_withdrawal(Household(), NOW, TONIGHT, None)
    assert consent.is_quiet_evening(household, NOW + timedelta(hours=7, minutes=59), NEW_YORK)
    assert not consent.is_quiet_evening(household, NOW + timedelta(hours=8), NEW_YORK)
    assert not consent.may_offer(household, NOW, NEW_YORK)


@pytest.mark.parametrize(
    "text, days",
    [("P1W", 7), ("P2W", 14), ("P1M", 30), ("P3D", 3), ("p1w", 7), ("P1Y", 365)],
)
def test_durations_from_alexa(text: str, days: int) -> None:
    assert consent.parse_duration(text) == timedelta(days=days)


@pytest.mark.parametrize("text", [None, "", "P", "PT", "a week", "P1.5W", "?"])
def test_unreadable_durations_are_none(text: str | None) -> None:
    assert consent.parse_duration(text) is None


def test_pauses_are_clamped_between_a_day_and_three_months() -> None:
    assert consent.clamp_pause(timedelta(hours=2)) == timedelta(days=1)
    assert consent.clamp_pause(timedelta(days=365)) == consent.LONGEST_PAUSE


def test_pause_then_resume() -> None:
    paused, until = consent.pause(Household(), NOW, timedelta(days=14))
    assert consent.paused_until(paused, NOW + timedelta(days=13)) == until
    assert consent.paused_until(paused, NOW + timedelta(days=15)) is None
    resumed = consent.resume(paused, NOW + timedelta(days=1))
    assert consent.paused_until(resumed, NOW + timedelta(days=2)) is None


def test_a_declined_reminder_offer_is_held_back_30_days() -> None:
    event = Event(kind=EventKind.WITHDRAWAL, at=NOW, data={"declined": "reminder-offer"})
    household = Household().with_event(event)
    assert consent.reminder_offer_held_back(household, NOW + timedelta(days=29))
    assert not consent.reminder_offer_held_back(household, NOW + timedelta(days=31))


# --- depth ------------------------------------------------------------------------------


def test_raising_is_one_step_and_remembered_for_the_evening() -> None:
    raised = depth.raise_level(Household(level=3), NOW, TONIGHT)
    assert raised.level == 4 and depth.raised_tonight(raised, TONIGHT)
    assert depth.raise_level(raised, NOW, TONIGHT).level == 4
    assert depth.lower_level(Household(level=1), NOW).level == 1


def test_ceiling_after_declining_prompts() -> None:
    at_three = record_prompt(Household(level=3), library()[9], NOW, TONIGHT)
    declined, _ = consent.record_withdrawal(at_three, NOW + timedelta(minutes=1), TONIGHT, None)
    assert depth.prompt_ceiling(declined) == 2
    at_two = record_prompt(Household(level=3), library()[5], NOW, TONIGHT)
    declined_two, _ = consent.record_withdrawal(at_two, NOW + timedelta(minutes=1), TONIGHT, None)
    assert depth.prompt_ceiling(declined_two) == 2
    assert depth.prompt_ceiling(Household(level=3)) == 3


def comfortable(household: Household, evenings: int) -> Household:
    for day in range(evenings):
        moment = NOW + timedelta(days=day)
        household = record_prompt(household, library()[day], moment, evening_of(moment, NEW_YORK))
    return household


def test_deeper_offer_needs_three_comfortable_evenings() -> None:
    later = NOW + timedelta(days=3)
    assert not depth.should_offer_deeper(comfortable(Household(), 2), later, NEW_YORK)
    assert depth.should_offer_deeper(comfortable(Household(), 3), later, NEW_YORK)


def test_no_deeper_offer_within_a_week_of_the_last_or_at_the_deepest() -> None:
    later = NOW + timedelta(days=3)
    offered = replace(comfortable(Household(), 3), last_deeper_offer_at=later - timedelta(days=6))
    assert not depth.should_offer_deeper(offered, later, NEW_YORK)
    deepest = replace(comfortable(Household(), 3), level=4)
    assert not depth.should_offer_deeper(deepest, later, NEW_YORK)


# --- selection --------------------------------------------------------------------------


def choose(household: Household, ceiling: int, seed: str = "s", **kw: object) -> Prompt | None:
    return select_prompt(library(), household, NOW, ceiling=ceiling, seed=seed, **kw)  # type: ignore[arg-type]


def test_selection_prefers_the_deepest_allowed_level() -> None:
    chosen = choose(Household(level=3), 3)
    assert chosen is not None and chosen.level == 3


def test_selection_is_repeatable_for_a_seed() -> None:
    assert choose(Household(), 2, "a") == choose(Household(), 2, "a")
    assert len({choose(Household(), 2, str(n)) for n in range(40)}) > 1


def test_selection_skips_off_limits_topics_and_closeness_without_opt_in() -> None:
    household = Household().with_event(boundary_set(NOW, topic="money"))
    for seed in range(50):
        chosen = choose(household, 2, str(seed))
        assert chosen is not None
        assert "money" not in chosen.topics and chosen.category != "closeness-affection"
    opted = household.with_event(closeness_yes(NOW, "partner-a")).with_event(
        closeness_yes(NOW, "partner-b"))
    assert "close-2" in {choose(opted, 2, str(s)).id for s in range(80)}  # type: ignore[union-attr]


def test_selection_skips_recent_and_declined_prompts() -> None:
    household = record_prompt(Household(), library()[1], NOW - timedelta(days=59), TONIGHT)
    household = household.with_event(Event(kind=EventKind.WITHDRAWAL, at=NOW,
                                            data={"declined": "prompt", "ref": "p1-0"}))
    chosen = {choose(household, 1, str(seed)) for seed in range(40)}
    assert {p.id for p in chosen if p} == {"p1-2", "p1-3"}


def test_when_everything_was_used_the_least_recent_comes_back_but_never_a_declined_one() -> None:
    household = Household()
    for n in range(4):
        household = record_prompt(household, library()[n], NOW - timedelta(days=10 - n), TONIGHT)
    chosen = choose(household, 1)
    assert chosen is not None and chosen.id == "p1-0"
    declined = household.with_event(Event(kind=EventKind.WITHDRAWAL, at=NOW,
                                          data={"declined": "prompt", "ref": "p1-0"}))
    again = choose(declined, 1)
    assert again is not None and again.id != "p1-0"


def test_tonights_prompt_is_forgotten_once_declined() -> None:
    household = record_prompt(Household(), library()[0], NOW, TONIGHT)
    assert tonights_prompt_id(household, TONIGHT) == "p1-0"
    declined, _ = consent.record_withdrawal(household, NOW + timedelta(minutes=1), TONIGHT, None)
    assert tonights_prompt_id(declined, TONIGHT) is None
    assert tonights_prompt_id(household, TONIGHT + timedelta(days=1)) is None


def test_history_keeps_120_days() -> None:
    old = record_prompt(Household(), library()[0], NOW - timedelta(days=121), TONIGHT)
    assert [u.prompt_id for u in record_prompt(old, library()[1], NOW, TONIGHT).history] == [
        "p1-1"]
