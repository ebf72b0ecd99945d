"""Alexa's required built-ins, the session end, and a safe answer to anything unknown."""

from __future__ import annotations

import logging
import traceback
from typing import Any

from ask_sdk_core.dispatch_components import (
    AbstractExceptionHandler,
    AbstractRequestHandler,
    AbstractResponseInterceptor,
)
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_request_type
from ask_sdk_model import Response

from skill.content import content_for
from skill.conversation import checkin, consent
from skill.conversation.state import CONFIRMATIONS, Declined, Offer
from skill.handlers.common import Turn, TurnHandler, request_type
from skill.logs import HANDLER_ERROR, STORE_UNAVAILABLE, note_outcome
from skill.storage import StoreError

log = logging.getLogger("porchlight.skill")

SAID_ATTRIBUTE = "said"
"""Session attribute: the last listening response's speech, for "say that again"."""
REPROMPT_ATTRIBUTE = "said_reprompt"


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
    Offer.WEATHER_WORD: "checkin_weather_ask_reprompt",
    Offer.CRISIS_NUMBER: "crisis_number_reprompt",
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
    """AMAZON.FallbackIntent, a stray "yes", and any intent this skill does not know.

    Never dismissive, always a question with a reprompt, fitted to the moment: in a
    check-in or after tonight's prompt it names "I need help" as the way to support;
    after a "not now" (or when the household cannot be read) it suggests no prompt.
    """

    intents = ("AMAZON.FallbackIntent", "AMAZON.YesIntent")
    request_types = frozenset({"IntentRequest"})

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_request_type("IntentRequest")(handler_input))

    def respond(self, turn: Turn) -> Response:
        moment = fallback_moment(turn)
        if moment == "checkin":
            return turn.ask(turn.line("fallback_checkin"), turn.line("fallback_checkin_reprompt"))
        if moment == "quiet":
            return turn.ask(turn.line("fallback_quiet"), turn.line("fallback_quiet_reprompt"))
        if moment == "after-prompt":
            return turn.ask(turn.line("fallback_after_prompt"),
                            turn.line("fallback_after_prompt_reprompt"))
        return turn.ask(turn.line("fallback"), turn.line("fallback_reprompt"))


def fallback_moment(turn: Turn) -> str:
    """Which fallback fits: in a check-in, a quiet evening, after tonight's prompt, or plain.
    A household that cannot be read counts as a quiet evening (no prompt is suggested)."""
    try:
        household = turn.household
    except StoreError:
        return "quiet"
    if checkin.active(household.checkin, turn.now) is not None:
        return "checkin"
    if not consent.may_offer(household, turn.now, turn.zone):
        return "quiet"
    spoken = household.last_spoken
    if spoken is not None and spoken.evening == turn.evening and spoken.kind is Declined.PROMPT:
        return "after-prompt"
    return "plain"


class RepeatHandler(TurnHandler):
    """ "Say that again": the last thing said in this session (kept in the session only),
    with its reprompt; the crisis number included."""

    intents = ("AMAZON.RepeatIntent",)

    def respond(self, turn: Turn) -> Response:
        attributes = turn.handler_input.attributes_manager.session_attributes if \
            turn.in_session else {}
        said = attributes.get(SAID_ATTRIBUTE)
        if not said:
            return turn.end(turn.line("repeat_nothing"))
        return turn.ask(str(said), attributes.get(REPROMPT_ATTRIBUTE))


class RememberSpeechInterceptor(AbstractResponseInterceptor):  # type: ignore[misc]
    """Keep what a listening response said in the session attributes, for "say that
    again". Only in the session: never stored, never logged."""

    def process(self, handler_input: HandlerInput, response: Response | None) -> None:
        if response is None or response.should_end_session is not False:
            return
        if handler_input.request_envelope.session is None:
            return
        attributes = handler_input.attributes_manager.session_attributes
        attributes[SAID_ATTRIBUTE] = _inner_ssml(response.output_speech)
        reprompt = getattr(response.reprompt, "output_speech", None)
        attributes[REPROMPT_ATTRIBUTE] = _inner_ssml(reprompt) or None


def _inner_ssml(speech: Any) -> str:
    ssml = str(getattr(speech, "ssml", None) or "")
    return ssml.removeprefix("<speak>").removesuffix("</speak>").strip()


class SessionEndedHandler(AbstractRequestHandler):  # type: ignore[misc]
    """The session closed (the user left, or silence): nothing to say."""

    request_types = frozenset({"SessionEndedRequest"})

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
