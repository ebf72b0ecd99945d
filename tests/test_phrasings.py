"""What people say (issue 10): warm closes, missteps, a breather, boundaries in their own
words, and a quiet first evening, through the signed endpoint and through rehearsal."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from local_tts.ssml import plain_text
from skill.content import load_content
from skill.conversation import consent
from skill.conversation.clock import SettableClock
from skill.conversation.state import Declined, Household
from skill.storage import HouseholdStore, household_key
from tests.conftest import Alexa, speech
from tests.envelopes import Device
from tests.fake_alexa_api import FakeAlexaApi
from tests.rehearsal_helpers import Rehearse, prompt_in, starts_with_one_of, transcript
from tests.test_conversation import prompt_of, set_level

LINES = load_content("en-US").lines


def said(payload: dict[str, Any]) -> str:
    return plain_text(speech(payload).removeprefix("<speak>").removesuffix("</speak>"))


def one_of(payload: dict[str, Any], key: str) -> bool:
    return said(payload) in {plain_text(v) for v in LINES[key]}


def ask(alexa: Alexa, device: Device, intent: str, **slots: str) -> dict[str, Any]:
    return alexa.send(device, device.intent(intent, slots or None, one_shot=True))


def in_session(alexa: Alexa, device: Device, intent: str) -> dict[str, Any]:
    return alexa.send(device, device.intent(intent))


def state(store: HouseholdStore, device: Device) -> Household:
    return Household.from_attributes(store.load(household_key(device.user_id)))


def ended(payload: dict[str, Any]) -> bool:
    return payload["response"]["shouldEndSession"] is True and "reprompt" not in payload[
        "response"]


# ------------------------------------------------------------------ warm close, another


def test_thank_you_and_goodnight_get_a_warm_close(alexa: Alexa, device: Device) -> None:
    answers = {said(ask(alexa, device, "GoodnightIntent")) for _ in range(8)}
    assert answers <= {plain_text(v) for v in LINES["warm_close"]}
    assert len(answers) >= 2, "rotated, not the same line every night"
    assert ended(ask(alexa, device, "GoodnightIntent"))


# --------------------------------------------------------------------------- misstep


def test_a_misstep_apologises_retires_the_prompt_and_goes_lighter(
    alexa: Alexa, device: Device, store: HouseholdStore, clock: SettableClock
) -> None:
    set_level(store, device, 3)
    hurt = prompt_of(ask(alexa, device, "TonightsPromptIntent"))
    payload = ask(alexa, device, "MisstepIntent")
    assert one_of(payload, "misstep") and ended(payload) and "?" not in said(payload)
    after = state(store, device)
    assert after.level == 2
    (withdrawal,) = after.withdrawals
    assert (withdrawal.declined, withdrawal.ref, withdrawal.retired) == (
        Declined.PROMPT, hurt.id, True)
    assert hurt.id in consent.held_back_prompt_ids(after, clock() + timedelta(days=400))
    assert one_of(alexa.send(device, device.launch()), "welcome_quiet")  # a quiet evening


def test_a_plain_not_now_only_holds_the_prompt_back_for_30_days(
    alexa: Alexa, device: Device, store: HouseholdStore, clock: SettableClock
) -> None:
    declined = prompt_of(ask(alexa, device, "TonightsPromptIntent"))
    ask(alexa, device, "NotNowIntent")
    later = clock() + timedelta(days=31)
    assert declined.id not in consent.held_back_prompt_ids(state(store, device), later)


# -------------------------------------------------------------------------- breather


def test_we_need_a_breather_pauses_for_the_rest_of_the_evening(
    alexa: Alexa, device: Device, store: HouseholdStore, clock: SettableClock
) -> None:
    alexa.send(device, device.launch())
    ask(alexa, device, "StartCheckInIntent")
    payload = ask(alexa, device, "BreatherIntent")
    assert one_of(payload, "breather") and ended(payload)
    household = state(store, device)
    assert household.checkin is None
    assert consent.paused_until(household, clock()) == datetime(2026, 11, 28, 10, 0,
                                                                tzinfo=UTC)  # 5 a.m. NY
    clock.advance(timedelta(hours=3))  # midnight: still tonight
    assert one_of(alexa.send(device, device.launch()), "welcome_quiet")
    clock.advance(timedelta(hours=18))  # the next evening
    assert alexa.send(device, device.launch())["sessionAttributes"]["offer"] == "prompt"


# ------------------------------------------------------------------------ boundaries


def test_topics_in_the_couples_words_map_to_what_the_skill_knows(
    alexa: Alexa, device: Device, store: HouseholdStore
) -> None:
    ask(alexa, device, "SetBoundaryIntent", topic="my mother")
    ask(alexa, device, "SetBoundaryIntent", topic="the miscarriage")
    payload = ask(alexa, device, "SetBoundaryIntent", topic="work", second="family")
    assert "Off limits: family, loss, work." in said(payload)
    assert state(store, device).off_limits == {"family", "loss", "work"}


def test_a_topic_without_a_tag_is_answered_kindly_and_never_stored(
    alexa: Alexa, device: Device, store: HouseholdStore
) -> None:
    payload = ask(alexa, device, "SetBoundaryIntent", topic="the election")
    assert one_of(payload, "boundary_unknown_topic") and ended(payload)
    assert "What would you like to change" not in said(payload)
    mixed = ask(alexa, device, "SetBoundaryIntent", topic="money", second="the election")
    assert "Off limits: money." in said(mixed)
    assert plain_text(LINES["boundary_partly_unknown"][0]) in said(mixed)
    assert "election" not in json.dumps(store.load(household_key(device.user_id)))


def test_removing_a_boundary_never_set_says_nothing_changed(
    alexa: Alexa, device: Device, store: HouseholdStore
) -> None:
    payload = ask(alexa, device, "RemoveBoundaryIntent", topic="money")
    assert said(payload).startswith(plain_text(LINES["boundary_not_set"][0]))
    assert "agreed" not in said(payload)
    assert state(store, device).events == ()


def test_remove_all_our_boundaries_asks_once(
    alexa: Alexa, device: Device, store: HouseholdStore
) -> None:
    assert one_of(ask(alexa, device, "RemoveAllBoundariesIntent"), "boundaries_none")
    ask(alexa, device, "SetBoundaryIntent", topic="money")
    ask(alexa, device, "SetBoundaryIntent", rule="cards")
    ask(alexa, device, "SetBoundaryIntent", time="22:00")
    confirm = ask(alexa, device, "RemoveAllBoundariesIntent")
    assert said(confirm).endswith("?") and confirm["response"]["shouldEndSession"] is False
    assert one_of(in_session(alexa, device, "AMAZON.NoIntent"), "remove_all_kept")
    assert not state(store, device).boundaries.is_empty
    assert state(store, device).withdrawals == ()  # "no" to a confirmation is no "not now"
    ask(alexa, device, "RemoveAllBoundariesIntent")
    assert one_of(in_session(alexa, device, "AMAZON.YesIntent"), "remove_all_done")
    assert state(store, device).boundaries.is_empty
    assert "no boundaries" in said(ask(alexa, device, "ListBoundariesIntent")).lower()


def test_change_our_boundaries_reads_them_back_and_says_how(
    alexa: Alexa, device: Device
) -> None:
    assert one_of(ask(alexa, device, "ChangeBoundariesIntent"), "boundaries_none")
    ask(alexa, device, "SetBoundaryIntent", topic="money")
    payload = ask(alexa, device, "ChangeBoundariesIntent")
    assert said(payload).startswith("Off limits: money.") and ended(payload)
    assert plain_text(LINES["boundaries_change"][0]) in said(payload)


# --------------------------------------------------------------- a quiet first evening


def test_a_first_evening_that_began_with_not_now_stays_quiet(
    alexa: Alexa, device: Device, clock: SettableClock
) -> None:
    ask(alexa, device, "StartCheckInIntent")
    assert one_of(in_session(alexa, device, "NotNowIntent"), "not_now")
    clock.advance(timedelta(hours=1))
    again = alexa.send(device, device.launch())
    assert one_of(again, "welcome_first_quiet") and ended(again)
    assert "prompt" not in said(again)
    clock.advance(timedelta(days=1))
    assert alexa.send(device, device.launch())["sessionAttributes"]["offer"] == "prompt"


def test_not_now_before_any_welcome_is_honoured(
    alexa: Alexa, device: Device, store: HouseholdStore
) -> None:
    assert one_of(ask(alexa, device, "NotNowIntent"), "not_now")
    assert len(state(store, device).withdrawals) == 1
    assert one_of(alexa.send(device, device.launch()), "welcome_first_quiet")


def test_a_first_launch_in_quiet_hours_offers_nothing(
    alexa: Alexa, device: Device, store: HouseholdStore
) -> None:
    ask(alexa, device, "SetBoundaryIntent", time="20:00")
    payload = alexa.send(device, device.launch())
    assert one_of(payload, "welcome_first_quiet") and ended(payload)


# -------------------------------------------------------------------- hints and help


def test_the_hint_after_a_prompt_is_for_the_first_few_then_rare(
    alexa: Alexa, device: Device, clock: SettableClock
) -> None:
    hints = []
    for _ in range(12):
        text = said(ask(alexa, device, "TonightsPromptIntent"))
        hints.append(any(plain_text(v).split(" ", 1)[1] in text for v in LINES["prompt_hint"]))
        clock.advance(timedelta(days=1))
    assert hints[:3] == [True, True, True]
    assert hints[3:10] == [False] * 7
    assert hints[10] is True


def test_help_fits_the_moment(alexa: Alexa, device: Device) -> None:
    general = ask(alexa, device, "AMAZON.HelpIntent")
    assert one_of(general, "help") and said(general).endswith("?")
    offer = alexa.send(device, device.launch())
    assert offer["sessionAttributes"]["offer"] == "prompt"
    answer = in_session(alexa, device, "AMAZON.HelpIntent")
    assert said(answer).startswith(plain_text(LINES["help_offer"][0]))
    assert answer["sessionAttributes"]["offer"] == "prompt"  # still waiting on it
    assert prompt_of(in_session(alexa, device, "AMAZON.YesIntent")).level == 1
    ask(alexa, device, "StartCheckInIntent")
    during = in_session(alexa, device, "AMAZON.HelpIntent")
    assert one_of(during, "help_checkin")
    step = in_session(alexa, device, "AMAZON.YesIntent")
    assert said(step).startswith(plain_text(LINES["checkin_appreciation"][0]))


def test_permission_granted_with_nothing_waiting_is_not_a_refusal(
    alexa: Alexa, clock: SettableClock, alexa_api: FakeAlexaApi
) -> None:
    device = Device(clock, api_endpoint=alexa_api.url)
    payload = alexa.send(device, device.permission_answer("ACCEPTED"))
    assert one_of(payload, "reminder_permission_granted")
    assert "no reminder" not in said(payload).lower()


# ------------------------------------------------------------------------- rehearsal

SCRIPT = """\
open porch light
yes
one more
what was tonight's prompt again
that one's too personal
thank you
let's not talk about my mother
let's not talk about work or family
let's not talk about the election
change our boundaries
remove all our boundaries
yes
we need a breather
goodnight
/quit
"""


@pytest.fixture
def rehearse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Rehearse:
    return Rehearse(tmp_path, monkeypatch)


def test_the_phrasings_work_when_typed_in_rehearsal(rehearse: Rehearse) -> None:
    result = rehearse(SCRIPT)
    assert result.exit_code == 0, result.output
    turns = {turn.said: turn for turn in transcript(result.output)}
    another = turns["one more"]
    assert another.request == "AnotherPromptIntent"
    again = turns["what was tonight's prompt again"]
    assert again.request == "TonightsPromptIntent"
    assert prompt_in(again.text) == prompt_in(another.text)
    assert turns["that one's too personal"].request == "MisstepIntent"
    assert turns["that one's too personal"].text in {plain_text(v) for v in LINES["misstep"]}
    for close in ("thank you", "goodnight"):
        assert turns[close].request == "GoodnightIntent" and not turns[close].listening
    assert "family" in turns["let's not talk about my mother"].text
    assert "family, work" in turns["let's not talk about work or family"].text
    assert starts_with_one_of(turns["let's not talk about the election"].text,
                              "boundary_unknown_topic")
    assert turns["change our boundaries"].request == "ChangeBoundariesIntent"
    assert turns["remove all our boundaries"].listening
    assert turns["we need a breather"].request == "BreatherIntent"
