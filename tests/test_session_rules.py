"""Alexa's session rules over every handler in every state it answers from.

The microphone is open only after a question, always with a reprompt that is itself a
question (Amazon's certification, "Session management"; PRODUCT.md section 9):
``shouldEndSession`` is false exactly when the speech ends with a question and a reprompt
question exists. Each state is stored as a real household (and, for an offer, a real
session), and every request the skill knows is sent to it, signed, through the endpoint.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any, cast

import pytest

from skill.builder import build_skill, handled_intents
from skill.config import Settings
from skill.content import load_content
from skill.content.ssml import to_plain_text
from skill.conversation import checkin, consent
from skill.conversation.boundaries import boundary_set
from skill.conversation.clock import SettableClock, evening_of, resolve_timezone
from skill.conversation.prompts import record_prompt
from skill.conversation.state import (
    CheckIn,
    CheckInStep,
    Household,
    Offer,
    PromptUse,
    Reminder,
)
from skill.storage import HouseholdStore, household_key
from tests.conftest import EVENING, Alexa
from tests.envelopes import Device
from tests.fake_alexa_api import FakeAlexaApi

CONTENT = load_content("en-US")
ZONE = resolve_timezone(None, "en-US")
TONIGHT = evening_of(EVENING, ZONE)
REMINDERS = "alexa::alerts:reminders:skill:readwrite"
PROMPT_PROSODY = '<prosody rate="92%">'
"""How a prompt is spoken (skill.handlers.common.prompt_ssml)."""


SLOT_EXAMPLES: dict[str, list[dict[str, str]]] = {
    "PauseIntent": [{"duration": "P2W"}],
    "SetBoundaryIntent": [{"topic": "money"}, {"topic": "my mother", "second": "work"},
                          {"topic": "the election"}, {"time": "22:00"},
                          {"depth": "light"}, {"rule": "cards"}, {"rule": "quiet hours"}],
    "RemoveBoundaryIntent": [{"topic": "money"}, {"rule": "cards"}],
    "SetReminderIntent": [{"day": "sunday", "time": "19:00"}],
    "WeatherWordIntent": [{"weather": "cloudy"}, {"weather": "stormy"}],
}

Request = tuple[str, Callable[[Device], dict[str, Any]]]


def requests() -> list[Request]:
    """Every request the skill answers: a launch, each intent (with and without slots),
    and Alexa's answers to the permission question."""
    found: list[Request] = [("launch", Device.launch)]
    for name in sorted(all_intents()):
        found.append((name, partial(Device.intent, name=name)))
        for slots in SLOT_EXAMPLES.get(name, []):
            found.append((f"{name} {slots}", partial(Device.intent, name=name, slots=slots)))
    for status in ("ACCEPTED", "DENIED", "NOT_ANSWERED"):
        found.append((f"permission {status}", partial(Device.permission_answer, status=status)))
    return found


def all_intents() -> frozenset[str]:
    """Every intent some handler of the real skill answers by name."""
    store = cast(HouseholdStore, object())  # building the skill touches no store
    return handled_intents(build_skill(store, Settings()))


# ------------------------------------------------------------------------------ states


def welcomed(**fields: Any) -> Household:
    return Household(welcomed=True, **fields)


def with_withdrawal(household: Household) -> Household:
    return consent.record_withdrawal(household, EVENING - timedelta(minutes=5), TONIGHT, None)[0]


def with_quiet_hours(household: Household) -> Household:
    return household.with_event(boundary_set(EVENING - timedelta(days=1),
                                             quiet_start="20:00", gentle_level=None))


def with_prompt_tonight(household: Household, level: int = 1) -> Household:
    prompt = next(p for p in CONTENT.prompts if p.level == level)
    return record_prompt(household, prompt, EVENING - timedelta(minutes=10), TONIGHT)


def with_checkin(household: Household, step: CheckInStep) -> Household:
    started = EVENING - timedelta(minutes=20)
    return replace(household, checkin=CheckIn(checkin.start(started).variant, step, started,
                                              EVENING - timedelta(minutes=2)))


def comfortable(household: Household) -> Household:
    """Three easy evenings at level one: the launch offers to go deeper."""
    uses = tuple(PromptUse(f"p{n}", 1, EVENING - timedelta(days=n),
                           TONIGHT - timedelta(days=n)) for n in (3, 2, 1))
    return replace(household, history=uses)


def boundaries_set_weeks_ago(household: Household) -> Household:
    return household.with_event(boundary_set(EVENING - timedelta(weeks=5), topic="money"))


def reminder(household: Household) -> Household:
    return replace(household, reminder=Reminder(day="SU", at="19:00", token="reminder-token-1"))


STATES: dict[str, tuple[Household | None, Offer | None]] = {
    "new household": (None, None),
    "new household, quiet evening": (with_withdrawal(Household()), None),
    "new household, quiet hours": (with_quiet_hours(Household()), None),
    "new household, a check-in under way": (
        with_checkin(Household(), CheckInStep.APPRECIATION), None),
    "ordinary evening": (welcomed(), None),
    "after tonight's prompt": (with_prompt_tonight(welcomed()), None),
    "after a deep prompt": (with_prompt_tonight(welcomed(level=3), 3), None),
    "at the deepest level": (welcomed(level=4), None),
    "quiet evening": (with_withdrawal(welcomed()), None),
    "paused": (consent.pause(welcomed(), EVENING - timedelta(days=1), timedelta(days=7))[0], None),
    "quiet hours": (with_quiet_hours(welcomed()), None),
    "a deeper offer due": (comfortable(welcomed()), None),
    "boundaries to revisit": (boundaries_set_weeks_ago(welcomed()), None),
    "a reminder set": (reminder(welcomed()), None),
    **{f"check-in at {step}": (with_checkin(welcomed(), step), None)
       for step in CheckInStep if step is not CheckInStep.CLOSE},
    **{f"offer pending: {offer}": (welcomed(level=3), offer)
       for offer in (Offer.PROMPT, Offer.DEEPER, Offer.HEARTH_FIRST_YES,
                     Offer.HEARTH_SECOND_YES, Offer.REMINDER, Offer.FORGET,
                     Offer.CLOSENESS_SECOND_YES)},
    "offer pending: check-in permission": (with_checkin(welcomed(), CheckInStep.PERMISSION),
                                           Offer.CHECKIN_PERMISSION),
    "offer pending: the weather word": (with_checkin(welcomed(), CheckInStep.WEATHER),
                                        Offer.WEATHER_WORD),
    "offer pending: say the number again": (welcomed(), Offer.CRISIS_NUMBER),
    "offer pending: a lighter night after a storm": (
        with_checkin(welcomed(), CheckInStep.WEATHER), Offer.STORMY_LIGHTER),
    "offer pending: revisit boundaries": (boundaries_set_weeks_ago(welcomed()),
                                          Offer.REVISIT_BOUNDARIES),
    "offer pending: remove all boundaries": (boundaries_set_weeks_ago(welcomed()),
                                             Offer.REMOVE_ALL_BOUNDARIES),
}


# ------------------------------------------------------------------------------- rules


def spoken(payload: dict[str, Any], part: str) -> str:
    ssml = (payload["response"].get(part) or {}).get("outputSpeech", {}) if part == "reprompt" \
        else payload["response"].get("outputSpeech", {})
    return to_plain_text(str(ssml.get("ssml", "")).removeprefix("<speak>").removesuffix("</speak>"))


def is_question(text: str) -> bool:
    return text.rstrip().rstrip('"\u201d').endswith("?")


def broken_rule(payload: dict[str, Any]) -> str | None:
    """What is wrong with this response under the session rules, or None."""
    response = payload["response"]
    speech = spoken(payload, "outputSpeech")
    if not speech:
        directives = [d.get("type") for d in response.get("directives") or ()]
        if directives == ["Connections.SendRequest"] or not response:
            return None  # Alexa asks for the permission itself; or nothing to say
        return "no speech, yet not a permission request"
    open_session = response.get("shouldEndSession") is False
    if "shouldEndSession" not in response:
        return "shouldEndSession is not set"
    reprompt = spoken(payload, "reprompt")
    if open_session and not is_question(speech):
        return "the microphone is open after a statement"
    if open_session and not is_question(reprompt):
        return "the microphone is open without a reprompt question"
    if not open_session and is_question(speech) and not delivers_prompt(response):
        return "a question, and the session closes before the answer"
    return None


def delivers_prompt(response: dict[str, Any]) -> bool:
    """A prompt is a question for the couple to ask each other: after it the session ends so
    they talk to each other, not to the speaker (PRODUCT.md section 4)."""
    return PROMPT_PROSODY in str(response.get("outputSpeech", {}).get("ssml", ""))


def seed(store: HouseholdStore, device: Device, household: Household | None) -> None:
    key = household_key(device.user_id)
    store.delete(key)
    if household is not None:
        store.save(key, household.to_attributes())


def send(alexa: Alexa, device: Device, make: Callable[[Device], dict[str, Any]],
         offer: Offer | None) -> dict[str, Any]:
    device.session = None
    envelope = make(device)
    if offer is not None and envelope["request"]["type"] == "IntentRequest":
        envelope["session"] = {**envelope["session"], "new": False,
                               "attributes": {"offer": str(offer)}}
    response = alexa.post(envelope)
    assert response.status_code == 200, response.get_data(as_text=True)
    payload: dict[str, Any] = response.get_json()
    return payload


@pytest.fixture
def granted(clock: SettableClock, alexa_api: FakeAlexaApi) -> Device:
    return Device(clock, api_endpoint=alexa_api.url, granted=(REMINDERS,))


@pytest.mark.parametrize("state", list(STATES))
def test_the_microphone_is_open_only_after_a_question_with_a_reprompt_question(
    state: str, alexa: Alexa, granted: Device, store: HouseholdStore, clock: SettableClock
) -> None:
    household, offer = STATES[state]
    broken = []
    for label, make in requests():
        clock.current = EVENING
        seed(store, granted, household)
        payload = send(alexa, granted, make, offer)
        problem = broken_rule(payload)
        if problem:
            broken.append(f"{label}: {problem}: {spoken(payload, 'outputSpeech')!r}")
    assert broken == [], f"in state {state!r}"


def test_every_handler_is_walked() -> None:
    """The walk covers every intent the skill answers, and offers of every kind."""
    labels = {label.split(" ")[0] for label, _ in requests()}
    assert all_intents() <= labels
    offers = {offer for _, offer in STATES.values() if offer is not None}
    assert offers == set(Offer)


def test_the_rule_checker_can_fail() -> None:
    def payload(ssml: str, end: bool, reprompt: str | None = None) -> dict[str, Any]:
        response: dict[str, Any] = {"outputSpeech": {"ssml": f"<speak>{ssml}</speak>"},
                                    "shouldEndSession": end}
        if reprompt is not None:
            response["reprompt"] = {"outputSpeech": {"ssml": f"<speak>{reprompt}</speak>"}}
        return {"response": response}

    assert broken_rule(payload("Hello again. I'll be here.", False)) is not None
    assert broken_rule(payload("What would you like?", False)) is not None
    assert broken_rule(payload("What would you like?", False, "Anything?")) is None
    assert broken_rule(payload("Would you like it?", True)) is not None
    assert broken_rule(payload("Goodnight.", True)) is None
    assert broken_rule(payload(f"{PROMPT_PROSODY}What made you smile?</prosody>", True)) is None
    assert broken_rule({"response": {"outputSpeech": {"ssml": "<speak>Hi.</speak>"}}})


def test_states_are_what_they_say() -> None:
    """A few of the seeded states, checked with the rules that decide them."""
    quiet, _ = STATES["quiet evening"]
    assert quiet is not None and not consent.may_offer(quiet, EVENING, ZONE)
    paused, _ = STATES["paused"]
    assert paused is not None and consent.paused_until(paused, EVENING) is not None
    assert isinstance(TONIGHT, date) and isinstance(EVENING, datetime)
