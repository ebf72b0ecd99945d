"""Boundaries by voice, read back, and honoured by every prompt the skill chooses."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from skill.content import load_content
from skill.conversation import boundaries as rules
from skill.conversation.boundaries import TOPICS, boundary_removed, boundary_set
from skill.conversation.clock import SettableClock
from skill.conversation.prompts import CLOSENESS, select_prompt
from skill.conversation.state import Household
from skill.storage import HouseholdStore, household_key
from tests.conftest import Alexa, speech
from tests.envelopes import Device
from tests.test_conversation import prompt_of, set_level

LIBRARY = load_content("en-US").prompts
NEW_YORK = ZoneInfo("America/New_York")


def say(alexa: Alexa, device: Device, intent: str, **slots: str) -> dict[str, Any]:
    return alexa.send(device, device.intent(intent, slots or None, one_shot=True))


def household(store: HouseholdStore, device: Device) -> Household:
    return Household.from_attributes(store.load(household_key(device.user_id)))


def at_local(clock: SettableClock, hour: int, minute: int = 0, day: int = 27) -> None:
    """Put the clock at a New York local time on a November day (27th is a Friday)."""
    local = datetime(2026, 11, day, hour, minute, tzinfo=NEW_YORK)
    clock.current = local.astimezone(UTC)


def test_a_topic_goes_off_limits_and_is_read_back(
    alexa: Alexa, device: Device, clock: SettableClock
) -> None:
    payload = say(alexa, device, "SetBoundaryIntent", topic="finances")
    assert "Off limits: money." in speech(payload)
    for _ in range(25):
        assert "money" not in prompt_of(say(alexa, device, "AnotherPromptIntent")).topics
        clock.advance(timedelta(days=1))


def test_removing_a_topic_allows_it_again(alexa: Alexa, device: Device,
                                          store: HouseholdStore) -> None:
    say(alexa, device, "SetBoundaryIntent", topic="money")
    say(alexa, device, "SetBoundaryIntent", topic="the in laws")
    payload = say(alexa, device, "RemoveBoundaryIntent", topic="money")
    assert household(store, device).off_limits == {"in-laws"}
    assert "in laws" in speech(payload) and "money" not in speech(payload)


def test_no_prompts_after_a_time_is_a_quiet_decline(
    alexa: Alexa, device: Device, clock: SettableClock
) -> None:
    at_local(clock, 20)
    assert "After 10 p.m., no prompts." in speech(say(alexa, device, "SetBoundaryIntent",
                                                     time="22:00"))
    assert "<prosody" in speech(say(alexa, device, "TonightsPromptIntent"))
    at_local(clock, 22, 30)
    quiet = say(alexa, device, "TonightsPromptIntent")
    assert "<prosody" not in speech(quiet) and "quiet" in speech(quiet)
    at_local(clock, 1, 0, day=28)  # still the same evening
    assert "<prosody" not in speech(say(alexa, device, "AnotherPromptIntent"))
    launch = alexa.send(device, device.launch())
    assert launch.get("sessionAttributes", {}).get("offer") is None


def test_gentler_after_a_time_caps_the_depth(
    alexa: Alexa, device: Device, clock: SettableClock, store: HouseholdStore
) -> None:
    set_level(store, device, 3)
    at_local(clock, 19)
    payload = say(alexa, device, "SetBoundaryIntent", depth="light", time="21:00")
    assert "After 9 p.m., nothing deeper than light prompts." in speech(payload)
    assert prompt_of(say(alexa, device, "TonightsPromptIntent")).level == 3
    at_local(clock, 21, 15)
    assert prompt_of(say(alexa, device, "AnotherPromptIntent")).level == 1


def test_no_prompts_on_weeknights(alexa: Alexa, device: Device, clock: SettableClock) -> None:
    say(alexa, device, "SetBoundaryIntent", rule="school nights")
    at_local(clock, 21, day=26)  # Thursday
    assert "<prosody" not in speech(say(alexa, device, "TonightsPromptIntent"))
    at_local(clock, 21, day=27)  # Friday
    assert "<prosody" in speech(say(alexa, device, "TonightsPromptIntent"))


def test_a_depth_ceiling_caps_prompts_and_going_deeper(
    alexa: Alexa, device: Device, store: HouseholdStore
) -> None:
    set_level(store, device, 3)
    assert "Nothing deeper than stories and mild feelings." in speech(
        say(alexa, device, "SetBoundaryIntent", depth="open door"))
    assert prompt_of(say(alexa, device, "TonightsPromptIntent")).level <= 2
    set_level(store, device, 2)
    assert "stay here" in speech(say(alexa, device, "DeeperIntent"))
    assert "depth" not in speech(say(alexa, device, "SetBoundaryIntent", rule="the depth limit"))


def test_the_more_restrictive_setting_wins(alexa: Alexa, device: Device) -> None:
    say(alexa, device, "SetBoundaryIntent", time="22:00")
    payload = say(alexa, device, "SetBoundaryIntent", time="23:00")
    assert "After 10 p.m., no prompts." in speech(payload)
    say(alexa, device, "SetBoundaryIntent", depth="living room")
    assert "Nothing deeper than light prompts." in speech(
        say(alexa, device, "SetBoundaryIntent", depth="light"))
    loosened = say(alexa, device, "SetBoundaryIntent", depth="hearth")
    assert "Nothing deeper than light prompts." in speech(loosened)


def test_quiet_hours_can_be_removed(alexa: Alexa, device: Device) -> None:
    say(alexa, device, "SetBoundaryIntent", time="21:00")
    payload = say(alexa, device, "RemoveBoundaryIntent", rule="quiet hours")
    assert "no boundaries" in speech(payload).lower()


def test_what_are_our_boundaries(alexa: Alexa, device: Device) -> None:
    assert "no boundaries" in speech(say(alexa, device, "ListBoundariesIntent")).lower()
    say(alexa, device, "SetBoundaryIntent", rule="cards")
    said = speech(say(alexa, device, "ListBoundariesIntent"))
    assert "No cards" in said


def test_a_topic_without_a_tag_gets_what_the_skill_can_do_and_is_not_kept(
    alexa: Alexa, device: Device, store: HouseholdStore
) -> None:
    payload = say(alexa, device, "SetBoundaryIntent", topic="the weather")
    said = speech(payload)
    assert payload["response"]["shouldEndSession"] is True
    assert "What would you like to change" not in said and "weather" not in said
    assert "light" in said.lower()
    assert "the weather" not in json.dumps(store.load(household_key(device.user_id)) or {})


def test_the_four_weekly_offer_to_revisit(
    alexa: Alexa, device: Device, clock: SettableClock, store: HouseholdStore
) -> None:
    alexa.send(device, device.launch())
    say(alexa, device, "SetBoundaryIntent", topic="work")
    clock.advance(timedelta(days=27))
    assert alexa.send(device, device.launch())["sessionAttributes"]["offer"] == "prompt"
    clock.advance(timedelta(days=2))
    offer = alexa.send(device, device.launch())
    assert offer["sessionAttributes"]["offer"] == "revisit-boundaries"
    assert "Off limits: work." in speech(alexa.send(device, device.intent("AMAZON.YesIntent")))
    clock.advance(timedelta(days=1))
    assert alexa.send(device, device.launch())["sessionAttributes"]["offer"] == "prompt"


def test_declining_the_revisit_is_a_withdrawal(
    alexa: Alexa, device: Device, clock: SettableClock, store: HouseholdStore
) -> None:
    alexa.send(device, device.launch())
    say(alexa, device, "SetBoundaryIntent", topic="work")
    clock.advance(timedelta(days=29))
    alexa.send(device, device.launch())
    alexa.send(device, device.intent("AMAZON.NoIntent"))
    assert household(store, device).withdrawals[-1].ref == "revisit-boundaries"


# --- the rules, over the whole library ---------------------------------------------------

boundary_events = st.lists(
    st.one_of(
        st.sampled_from(TOPICS).map(lambda t: ("set", {"topic": t})),
        st.sampled_from(TOPICS).map(lambda t: ("removed", {"topic": t})),
        st.integers(1, 4).map(lambda c: ("set", {"ceiling": c})),
        st.just(("removed", {"rule": "depth-limit"})),
    ),
    max_size=12,
)


@settings(max_examples=300, deadline=None)
@given(events=boundary_events, level=st.integers(1, 4), seed=st.text(max_size=8),
       days=st.integers(0, 400))
def test_no_chosen_prompt_breaks_a_boundary(
    events: list[tuple[str, dict[str, Any]]], level: int, seed: str, days: int
) -> None:
    now = datetime(2026, 1, 1, 2, tzinfo=UTC) + timedelta(days=days)
    house = Household(level=level)
    for moment, (kind, data) in enumerate(events):
        make = boundary_set if kind == "set" else boundary_removed
        house = house.with_event(make(now - timedelta(minutes=len(events) - moment), **data))
    agreed = house.boundaries
    ceiling = min(level, rules.level_cap(agreed, now, NEW_YORK))
    chosen = select_prompt(LIBRARY, house, now, ceiling=ceiling, seed=seed)
    fitting = [p for p in LIBRARY if p.level <= ceiling and not (p.topics & agreed.off_limits)
               and (house.closeness or p.category != CLOSENESS)]
    if chosen is None:
        # Choosing nothing is right only when nothing fits (no history or declines here);
        # it used to pass unchecked (issue 12), so a selector that gave up passed too.
        assert fitting == []
        return
    assert not (chosen.topics & agreed.off_limits)
    assert chosen.level <= (agreed.ceiling or 4) and chosen.level <= level
    assert chosen in fitting


def test_boundary_words_are_plain() -> None:
    assert re.fullmatch(r"[a-z-]+", "-".join(TOPICS))
