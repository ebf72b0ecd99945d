"""Data rights (PRODUCT.md section 8): what Porch Light remembers, forgetting it all, and the
SkillDisabled event, which deletes the household's data out of session.
"""

from __future__ import annotations

import logging

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_request_type
from ask_sdk_model import Response

from skill.alexa_services import AlexaApiError
from skill.conversation import consent
from skill.conversation.reminders import spoken_when
from skill.conversation.state import Household, Offer
from skill.handlers.boundaries import describe, spoken_depth
from skill.handlers.common import Services, Turn, TurnHandler, intent_name, pending_offer
from skill.storage import household_key_of

log = logging.getLogger("porchlight.data")


def remembered(turn: Turn, household: Household) -> str:
    """Everything kept about the household, in plain words."""
    parts = [turn.line("remember_intro"),
             turn.line("remember_level", depth=spoken_depth(turn, household.level))]
    if household.history:
        since = turn.spoken_date(household.history[0].at, weekday=False)
        parts.append(turn.line("remember_history", since=since))
    if not household.boundaries.is_empty:
        parts.append(describe(turn, household.boundaries))
    until = consent.paused_until(household, turn.now)
    if until is not None:
        parts.append(turn.line("remember_paused", until=turn.spoken_date(until)))
    if household.withdrawals:
        parts.append(turn.line("remember_withdrawals"))
    if household.checkin_dates:
        parts.append(turn.line("remember_checkins"))
    if household.reminder is not None and household.reminder.token:
        parts.append(turn.line("remember_reminder", when=spoken_when(household.reminder)))
    if household.remember_weather:
        parts.append(turn.line("remember_weather_words"))
    if household.zones:
        parts.append(turn.line("remember_zone"))
    if any(e.data.get("person") for e in household.events):
        parts.append(turn.line("remember_people"))
    parts.append(turn.line("remember_close"))
    return " ".join(parts)


class WhatDoYouRememberHandler(TurnHandler):
    """ "What do you remember about us?" """

    intents = ("WhatDoYouRememberIntent",)

    def respond(self, turn: Turn) -> Response:
        return turn.end(remembered(turn, turn.household))


class ForgetEverythingHandler(TurnHandler):
    """ "Forget everything": one confirmation first."""

    intents = ("ForgetEverythingIntent",)

    def respond(self, turn: Turn) -> Response:
        turn.set_offer(Offer.FORGET)
        return turn.ask(turn.line("forget_confirm"), turn.line("forget_reprompt"))


class ForgetAnswerHandler(TurnHandler):
    """Yes deletes it all (and the reminder); no, stop or cancel keeps everything."""

    intents = ("AMAZON.YesIntent", "AMAZON.NoIntent", "AMAZON.StopIntent", "AMAZON.CancelIntent")
    only_intents = frozenset(intents)

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return super().can_handle(handler_input) and pending_offer(handler_input) is Offer.FORGET

    def respond(self, turn: Turn) -> Response:
        if intent_name(turn.handler_input) != "AMAZON.YesIntent":
            return turn.end(turn.line("forget_kept"))
        reminder, api = turn.household.reminder, turn.api
        if reminder is not None and reminder.token and api is not None:
            try:
                api.delete_reminder(reminder.token)
            except AlexaApiError as error:
                log.warning("reminder could not be deleted", extra={"status": error.status})
        turn.forget_household()
        return turn.end(turn.line("forget_done"))


class SkillDisabledHandler(AbstractRequestHandler):  # type: ignore[misc]
    """The skill was disabled: delete everything kept about the household."""

    request_types = frozenset({"AlexaSkillEvent.SkillDisabled"})

    def __init__(self, services: Services) -> None:
        self.services = services

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_request_type("AlexaSkillEvent.SkillDisabled")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        handler_input.attributes_manager.delete_persistent_attributes()
        self.services.households.forget(household_key_of(handler_input.request_envelope))
        log.info("household deleted after SkillDisabled")
        return handler_input.response_builder.response
