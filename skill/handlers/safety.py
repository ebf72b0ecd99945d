"""Safety first (PRODUCT.md section 7): the crisis answer, the distress answer, the
overwhelmed pause, and the screen over the words the skill gets.

The crisis answer is short, calm and discreet: the other partner may be in the room and
may own the account. One resource, chosen by what was said, its number in digit groups,
then one question: "Would you like me to say the number again?". No card, no screen,
nothing stored about why. Afterwards the evening is quiet (a withdrawal that records no
reason) and any check-in has ended. Saving that can fail; the answer never does.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import date, timedelta
from functools import cache
from importlib import resources
from typing import Any

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from skill.content import load_yaml
from skill.conversation import consent, depth
from skill.conversation.safety_screen import INTENTS, Concern, screen_for
from skill.conversation.state import Declined, Event, EventKind, Household, Offer
from skill.handlers.common import (
    Turn,
    TurnHandler,
    free_slot_words,
    intent_name,
    pending_offer,
    slot_values,
)
from skill.logs import WITHDRAWAL_NOT_SAVED, note_outcome
from skill.storage import StoreError

log = logging.getLogger("porchlight.safety")

CONCERN_INTENTS: dict[str, Concern] = {intent: concern for concern, intent in INTENTS.items()}
"""Each safety intent and the concern it stands for."""
RESOURCE_FOR: dict[Concern, tuple[str, ...]] = {
    Concern.DANGER: ("emergency",),
    Concern.ABUSE: ("abuse", "emergency"),
    Concern.SELF_HARM: ("crisis", "emergency"),
    Concern.SUPPORT: ("crisis", "emergency"),
}
"""Which resource answers each crisis concern, in order of preference."""
SPOKEN_ATTRIBUTE = "resource"
"""Session attribute: the resource sentence just spoken, for "yes, say it again"."""


@cache
def safety_resources() -> dict[str, Any]:
    """The locale table of crisis resources, with its last-verified date."""
    text = resources.files("skill.content").joinpath("safety.yaml").read_text(encoding="utf-8")
    table: dict[str, Any] = load_yaml(text)
    return table


def resource_sentence(locale: str, concern: Concern) -> tuple[str, bool]:
    """The resource sentence (SSML) for ``concern`` in ``locale``, and whether it has a
    number to say again. An unknown locale gets "your local emergency number"."""
    table = safety_resources()
    entry = table["resources"].get(locale)
    if entry is None:
        return str(table["default"]["emergency"]["say"]), False
    for kind in RESOURCE_FOR[concern]:
        resource = entry.get(kind)
        if resource:
            return str(resource["say"]).replace("{number}", str(resource["number"])), True
    return str(table["default"]["emergency"]["say"]), False


def resource_lines(locale: str) -> tuple[str, ...]:
    """Every resource sentence a safety answer may speak in ``locale`` (SSML): to recognise
    such an answer by its words (the rehearsal page keeps them out of its history)."""
    found = [resource_sentence(locale, concern)[0] for concern in RESOURCE_FOR]
    return tuple(dict.fromkeys([*found, unsafe_line(locale)]))


def unsafe_line(locale: str) -> str:
    """The distress answer's one soft line: the crisis line "if either of you isn't safe"."""
    table = safety_resources()
    entry = table["resources"].get(locale) or table["default"]
    return str(entry["unsafe"])


def quiet_the_evening(turn: Turn, household: Household) -> None:
    """Save ``household`` now; a store failure is logged (no reason, no words) and the
    answer goes on: nothing may stand between a person and a safety answer."""
    try:
        turn.save(household)
    except StoreError as error:
        note_outcome(WITHDRAWAL_NOT_SAVED)
        log.error("quiet evening could not be recorded",
                  extra={"request_id": turn.request_id,
                         "error_type": type(error.__cause__ or error).__name__})


def crisis_opener(turn: Turn, concern: Concern) -> str:
    """A few calm words fitted to what was said, before the resource."""
    if concern is Concern.DANGER:
        return turn.line("crisis_open_danger")
    if concern is Concern.ABUSE:
        return turn.line("crisis_open_abuse")
    if concern is Concern.SUPPORT:
        return turn.line("crisis_open_support")
    return turn.line("crisis_open_self_harm")


def crisis_answer(turn: Turn, concern: Concern) -> Response:
    """One resource, chosen by what was said, then "say the number again?"."""
    try:
        household = turn.household
    except StoreError:
        household = None
    if household is not None:
        event = Event(kind=EventKind.WITHDRAWAL, at=turn.now,
                      data={"declined": str(Declined.NOTHING), "ref": None, "level": None})
        quiet_the_evening(turn, replace(household.with_event(event), checkin=None,
                                        last_spoken=None))
    sentence, has_number = resource_sentence(turn.locale, concern)
    speech = f"{crisis_opener(turn, concern)} {sentence}"
    if not has_number:
        return turn.end(speech)
    turn.set_offer(Offer.CRISIS_NUMBER)
    turn.handler_input.attributes_manager.session_attributes[SPOKEN_ATTRIBUTE] = sentence
    return turn.ask(speech + turn.line("crisis_number_question"),
                    turn.line("crisis_number_reprompt"))


def distress_answer(turn: Turn) -> Response:
    """Stop, acknowledge, no solving tonight, a real break, one soft safety line; no
    question. A withdrawal (a quiet evening) and one level lighter."""
    try:
        offer = None if turn.offer is Offer.CRISIS_NUMBER else turn.offer
        household, _ = consent.record_withdrawal(turn.household, turn.now, turn.evening, offer)
        household = depth.lower_level(household, turn.now)
        quiet_the_evening(turn, consent.forget_offer_context(household))
    except StoreError:
        pass  # the household could not even be read; the answer still goes out
    return turn.end(f"{turn.line('distress')} {unsafe_line(turn.locale)}")


def concern_answer(turn: Turn, concern: Concern) -> Response:
    return distress_answer(turn) if concern is Concern.DISTRESS else crisis_answer(turn, concern)


def screened_concern(handler_input: HandlerInput) -> Concern | None:
    """What the screen reads in this request's slot values (words people said): their
    words, and the meaning of those that matched no value of their slot."""
    values = slot_values(handler_input)
    if not values:
        return None
    locale = getattr(handler_input.request_envelope.request, "locale", None)
    return screen_for(locale).read_all(values, free=free_slot_words(handler_input))


class ScreenedWordsHandler(TurnHandler):
    """Any intent whose slot values hold crisis or distress words: the matching answer,
    before any other handler answers. What was read is never stored or logged."""

    asks_zone = False  # a safety answer never waits on the Settings API

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return screened_concern(handler_input) is not None

    def respond(self, turn: Turn) -> Response:
        concern = screened_concern(turn.handler_input)
        assert concern is not None  # can_handle said so
        return concern_answer(turn, concern)


class SafetyIntentHandler(TurnHandler):
    """Danger, abuse, self-harm, "I need help", and distress, said in any words."""

    asks_zone = False  # a safety answer never waits on the Settings API

    intents = tuple(CONCERN_INTENTS)

    def respond(self, turn: Turn) -> Response:
        return concern_answer(turn, CONCERN_INTENTS[str(intent_name(turn.handler_input))])


class NumberAgainHandler(TurnHandler):
    """After the crisis answer: yes (or "say that again") repeats the number and ends;
    a new safety intent gets its answer; anything else ends, kindly."""

    asks_zone = False  # a safety answer never waits on the Settings API

    AGAIN = ("AMAZON.YesIntent", "AMAZON.RepeatIntent")

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return (pending_offer(handler_input) is Offer.CRISIS_NUMBER
                and intent_name(handler_input) not in CONCERN_INTENTS)

    def respond(self, turn: Turn) -> Response:
        attributes = turn.handler_input.attributes_manager.session_attributes
        sentence = attributes.pop(SPOKEN_ATTRIBUTE, None)
        if intent_name(turn.handler_input) in self.AGAIN and sentence:
            return turn.end(f"{turn.line('crisis_number_again')} {sentence} "
                            f"{turn.line('crisis_goodbye')}")
        return turn.end(turn.line("crisis_goodbye"))


class OverwhelmedHandler(TurnHandler):
    """ "This is too much": stop, ground, suggest a real break, go one level lighter."""

    asks_zone = False  # a safety answer never waits on the Settings API

    intents = ("OverwhelmedIntent",)

    def respond(self, turn: Turn) -> Response:
        household, _ = consent.record_withdrawal(turn.household, turn.now, turn.evening,
                                                 turn.offer)
        household = depth.lower_level(household, turn.now)
        turn.save(replace(household, last_spoken=None, checkin=None))
        return turn.end(turn.line("overwhelmed"))


def resources_due() -> date:
    """The date by which the resource table must be verified again."""
    table = safety_resources()
    verified = date.fromisoformat(str(table["last_verified"]))
    return verified + timedelta(days=int(table["reverify_within_days"]))
