"""Alexa's required built-ins, the session end, and a safe answer to anything unknown."""

from __future__ import annotations

import logging
import traceback
from typing import Any

from ask_sdk_core.dispatch_components import AbstractExceptionHandler, AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_request_type
from ask_sdk_model import Response

from skill.content import content_for
from skill.conversation import checkin
from skill.conversation.state import CONFIRMATIONS, Offer
from skill.handlers.common import Turn, TurnHandler, request_type
from skill.logs import HANDLER_ERROR, STORE_UNAVAILABLE, note_outcome
from skill.storage import StoreError

log = logging.getLogger("porchlight.skill")


OFFER_REPROMPTS = {
    Offer.PROMPT: "offer_reprompt",
    Offer.DEEPER: "offer_reprompt",
    Offer.REMINDER: "offer_reprompt",
    Offer.REVISIT_BOUNDARIES: "offer_reprompt",
    Offer.HEARTH_FIRST_YES: "hearth_reprompt",
    Offer.HEARTH_SECOND_YES: "hearth_reprompt",
    Offer.CHECKIN_PERMISSION: "checkin_permission_reprompt",
    Offer.STORMY_LIGHTER: "checkin_stormy_reprompt",
    Offer.FORGET: "forget_reprompt",
    Offer.REMOVE_ALL_BOUNDARIES: "remove_all_reprompt",
}
"""The question each offer asks again, so help can end on it."""


class HelpHandler(TurnHandler):
    """Help that fits the moment: how to answer a question the skill asked, the check-in,
    or three things to say. Each ends on a question, with a reprompt."""

    intents = ("AMAZON.HelpIntent",)

    def respond(self, turn: Turn) -> Response:
        offer = turn.offer
        in_checkin = checkin.active(turn.household.checkin, turn.now) is not None
        if in_checkin and offer in (None, Offer.CHECKIN_PERMISSION):
            turn.set_offer(Offer.CHECKIN_PERMISSION)
            return turn.ask(turn.line("help_checkin"), turn.line("checkin_resume_reprompt"))
        if offer is not None:
            question = turn.line(OFFER_REPROMPTS.get(offer, "offer_reprompt"))
            how = turn.line("help_confirm" if offer in CONFIRMATIONS else "help_offer")
            return turn.ask(how + " " + question, question)
        return turn.ask(turn.line("help"), turn.line("help_reprompt"))


class WarmCloseHandler(TurnHandler):
    """ "Thank you", "goodnight": a warm close, rotated."""

    intents = ("GoodnightIntent",)

    def respond(self, turn: Turn) -> Response:
        return turn.end(turn.line("warm_close"))


class GoodbyeHandler(TurnHandler):
    """Stop, Cancel and Navigate Home with no offer waiting: a short goodbye."""

    intents = ("AMAZON.StopIntent", "AMAZON.CancelIntent", "AMAZON.NavigateHomeIntent")

    def respond(self, turn: Turn) -> Response:
        return turn.end(turn.line("goodbye"))


class NoThanksHandler(TurnHandler):
    """ "No" with nothing offered: fine, and goodnight."""

    intents = ("AMAZON.NoIntent",)

    def respond(self, turn: Turn) -> Response:
        return turn.end(turn.line("no_thanks"))


class FallbackHandler(TurnHandler):
    """AMAZON.FallbackIntent, a stray "yes", and any intent this skill does not know."""

    intents = ("AMAZON.FallbackIntent", "AMAZON.YesIntent")

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_request_type("IntentRequest")(handler_input))

    def respond(self, turn: Turn) -> Response:
        return turn.ask(turn.line("fallback"), turn.line("fallback_reprompt"))


class SessionEndedHandler(AbstractRequestHandler):  # type: ignore[misc]
    """The session closed (the user left, or silence): nothing to say."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_request_type("SessionEndedRequest")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        request = handler_input.request_envelope.request
        error = getattr(request, "error", None)
        log.info(
            "session ended",
            extra={"reason": str(getattr(request, "reason", "") or ""),
                   "error_type": str(getattr(error, "object_type", "") or "") if error else ""},
        )
        return handler_input.response_builder.response


class UnhandledRequestHandler(AbstractRequestHandler):  # type: ignore[misc]
    """Any other request type (skill events, display events, newer ones): an empty answer."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return True

    def handle(self, handler_input: HandlerInput) -> Response:
        log.info("request type not handled", extra={"request_type": request_type(handler_input)})
        return handler_input.response_builder.response


class StoreUnavailableExceptionHandler(AbstractExceptionHandler):  # type: ignore[misc]
    """The household store is down or slow: say so calmly, and offer nothing.

    No prompt or offer can be checked against the household's withdrawals, pauses and
    boundaries without the store, so none is given. "Not now" never gets here: its handler
    acknowledges even when the withdrawal cannot be written.
    """

    def can_handle(self, handler_input: HandlerInput, exception: Exception) -> bool:
        return isinstance(exception, StoreError)

    def handle(self, handler_input: HandlerInput, exception: Exception) -> Response:
        note_outcome(STORE_UNAVAILABLE)
        log.error("household store unavailable",
                  extra={"request_id": _request_id(handler_input),
                         "error_type": type(exception.__cause__ or exception).__name__})
        locale = getattr(handler_input.request_envelope.request, "locale", None)
        speech = content_for(locale).line("store_unavailable", _request_id(handler_input))
        return handler_input.response_builder.speak(speech).set_should_end_session(True).response


class ApologyExceptionHandler(AbstractExceptionHandler):  # type: ignore[misc]
    """Anything unexpected: log where (never what was said) and apologise calmly."""

    def can_handle(self, handler_input: HandlerInput, exception: Exception) -> bool:
        return True

    def handle(self, handler_input: HandlerInput, exception: Exception) -> Response:
        note_outcome(HANDLER_ERROR)
        log.error(
            "unexpected error while handling a request",
            extra={"request_id": _request_id(handler_input),
                   "error_type": type(exception).__name__,
                   "where": _frames(exception)},
        )
        locale = getattr(handler_input.request_envelope.request, "locale", None)
        speech = content_for(locale).line("error", _request_id(handler_input))
        return handler_input.response_builder.speak(speech).set_should_end_session(True).response


def _request_id(handler_input: HandlerInput) -> str:
    return str(getattr(handler_input.request_envelope.request, "request_id", "") or "")


def _frames(exception: BaseException) -> list[str]:
    """File, line and function of each frame: where it failed, without any values."""
    summary: Any = traceback.extract_tb(exception.__traceback__)
    return [f"{frame.filename}:{frame.lineno}:{frame.name}" for frame in summary][-6:]
