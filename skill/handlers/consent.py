"""Consent handlers: "not now" from any state, pauses and "we're back" (PRODUCT.md section 3).

A withdrawal is saved inside its handler, before the response exists: the ASK SDK's
response interceptors do not run when a handler raises, so nothing here relies on them.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from skill.conversation import consent, depth
from skill.conversation.state import CONFIRMATIONS, Declined
from skill.handlers.common import Turn, TurnHandler, intent_name, pending_offer, slot_value
from skill.handlers.reminders import shift_reminder
from skill.logs import WITHDRAWAL_NOT_SAVED, note_outcome
from skill.storage import StoreError

log = logging.getLogger("porchlight.consent")

DEEP_LEVEL = 3
OFFER_DECLINING_INTENTS = ("AMAZON.NoIntent", "AMAZON.StopIntent", "AMAZON.CancelIntent")


class NotNowHandler(TurnHandler):
    """ "Not now", or No / Stop / Cancel while the skill waits on an offer: a withdrawal."""

    intents = ("NotNowIntent",)
    asks_zone = False  # a "not now" never waits on the Settings API
    only_intents = frozenset({*intents, *OFFER_DECLINING_INTENTS})

    def can_handle(self, handler_input: HandlerInput) -> bool:
        name = intent_name(handler_input)
        if name in self.intents:
            return True
        offer = pending_offer(handler_input)
        return (name in OFFER_DECLINING_INTENTS and offer is not None
                and offer not in CONFIRMATIONS)

    def respond(self, turn: Turn) -> Response:
        return withdraw(turn)


class MisstepHandler(TurnHandler):
    """ "That one hurt", "that was too personal": sorry, that prompt for good, one lighter."""

    intents = ("MisstepIntent",)

    def respond(self, turn: Turn) -> Response:
        return withdraw(turn, misstep=True)


def withdraw(turn: Turn, *, misstep: bool = False) -> Response:
    """Record a "not now" durably, now, and answer with one kind line and no question.

    A misstep is a withdrawal too, and more: what was declined is retired for good and
    the level drops by one, with one line of apology.
    When the store is down or slow the answer still honours the "not now", and an error
    line tells the operator (request id and error type, nothing else).
    """
    try:
        household, withdrawal = consent.record_withdrawal(
            turn.household, turn.now, turn.evening, turn.offer, retire=misstep
        )
        if misstep:
            household = depth.lower_level(household, turn.now)
        turn.save(consent.forget_offer_context(household))
    except StoreError as error:
        note_outcome(WITHDRAWAL_NOT_SAVED)
        log.error("withdrawal could not be recorded",
                  extra={"request_id": turn.request_id,
                         "error_type": type(error.__cause__ or error).__name__})
        return turn.end(turn.line("misstep" if misstep else "not_now"))
    log.info("withdrawal recorded", extra={"declined": str(withdrawal.declined)})
    if misstep:
        return turn.end(turn.line("misstep"))
    deep = withdrawal.declined is Declined.PROMPT and (withdrawal.level or 0) >= DEEP_LEVEL
    return turn.end(turn.line("not_now_after_deep" if deep else "not_now"))


class PauseHandler(TurnHandler):
    """ "Pause for two weeks": no offers and no reminders for that span."""

    intents = ("PauseIntent",)

    def respond(self, turn: Turn) -> Response:
        span = consent.parse_duration(slot_value(turn.handler_input, "duration"))
        household, until = consent.pause(turn.household, turn.now,
                                         span or consent.DEFAULT_PAUSE, turn.zone)
        turn.save(household)
        shift_reminder(turn, household, starting=until)
        return turn.end(turn.line("paused", until=turn.spoken_date(until)))


class BreatherHandler(TurnHandler):
    """ "We need a breather": quiet for the rest of the evening, the check-in set aside."""

    intents = ("BreatherIntent",)

    def respond(self, turn: Turn) -> Response:
        household, _ = consent.pause_tonight(turn.household, turn.now, turn.zone)
        turn.save(replace(household, checkin=None))
        return turn.end(turn.line("breather"))


class ResumeHandler(TurnHandler):
    """ "We're back": ends a pause early."""

    intents = ("ResumeIntent",)

    def respond(self, turn: Turn) -> Response:
        if consent.paused_until(turn.household, turn.now) is None:
            return turn.end(turn.line("not_paused"))
        household = consent.resume(turn.household, turn.now)
        turn.save(household)
        shift_reminder(turn, household, starting=turn.now)
        return turn.end(turn.line("resumed"))
