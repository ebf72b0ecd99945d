"""The weekly check-in reminder through the Alexa Reminders API (PRODUCT.md section 5).

Only after a yes. If the reminders permission is missing, Alexa asks for it by voice
(Connections.SendRequest AskFor) and answers with Connections.Response. Any API failure
leaves the conversation working and says so plainly.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_request_type
from ask_sdk_model import Response
from ask_sdk_model.interfaces.connections import SendRequestDirective

from skill.alexa_services import AlexaApiError, reminder_model
from skill.content.ssml import to_plain_text
from skill.conversation import consent, reminders
from skill.conversation.state import Household, Offer, Reminder
from skill.handlers.common import Turn, TurnHandler, pending_offer, slot_id, slot_value

log = logging.getLogger("porchlight.reminders")

REMINDERS_SCOPE = "alexa::alerts:reminders:skill:readwrite"
ASK_FOR_TOKEN = "porchlight-reminder"


def offer_reminder_at_close(turn: Turn, household: Household, speech: str) -> Response:
    """End a check-in; once, if nothing stands against it, offer a weekly reminder."""
    offer_now = (
        household.reminder is None
        and not consent.reminder_offer_held_back(household, turn.now)
        and consent.may_offer(household, turn.now, turn.zone)
    )
    if not offer_now:
        turn.save(household)
        return turn.end(speech)
    turn.save(replace(household, reminder_offered_at=turn.now))
    turn.set_offer(Offer.REMINDER)
    return turn.ask(speech + turn.line("reminder_offer"), turn.line("offer_reprompt"))


def ask_permission(turn: Turn, household: Household, wanted: Reminder) -> Response:
    """Keep the chosen day and time, and let Alexa ask for the reminders permission."""
    turn.save(replace(household, reminder=replace(wanted, token=None)))
    directive = SendRequestDirective(
        name="AskFor",
        payload={"@type": "AskForPermissionsConsentRequest", "@version": "1",
                 "permissionScope": REMINDERS_SCOPE},
        token=ASK_FOR_TOKEN,
    )
    turn.set_offer(None)
    return turn.handler_input.response_builder.add_directive(directive).response


def schedule(turn: Turn, household: Household, wanted: Reminder, *,
             just_granted: bool = False) -> Response:
    """Create or change the weekly reminder, asking for permission first when needed."""
    api = turn.api
    if api is None:
        return turn.end(turn.line("reminder_failed"))
    if not just_granted and not turn.has_permission(REMINDERS_SCOPE):
        return ask_permission(turn, household, wanted)
    text = to_plain_text(turn.line("reminder_text"))
    body = reminder_model(reminders.reminder_request(wanted, turn.now, turn.zone, turn.locale,
                                                     text))
    try:
        if wanted.token:
            api.update_reminder(wanted.token, body)
            token = wanted.token
        else:
            token = api.create_reminder(body)
    except AlexaApiError as error:
        if error.needs_permission:
            return ask_permission(turn, household, wanted)
        log.warning("reminder could not be saved", extra={"status": error.status})
        return turn.end(turn.line("reminder_failed"))
    turn.save(replace(household, reminder=replace(wanted, token=token)))
    return turn.end(turn.line("reminder_set", when=reminders.spoken_when(wanted)))


def shift_reminder(turn: Turn, household: Household, starting: datetime) -> None:
    """Best effort: the reminder next fires after ``starting`` (pauses hold it back)."""
    reminder, api = household.reminder, turn.api
    if reminder is None or not reminder.token or api is None:
        return
    body = reminder_model(reminders.reminder_request(
        reminder, turn.now, turn.zone, turn.locale, to_plain_text(turn.line("reminder_text")),
        starting=starting))
    try:
        api.update_reminder(reminder.token, body)
    except AlexaApiError as error:
        log.warning("reminder could not be moved", extra={"status": error.status})


class ReminderYesHandler(TurnHandler):
    """ "Yes" to the reminder offer: Sundays at 7 p.m. unless they say otherwise."""

    intents = ("AMAZON.YesIntent",)
    only_intents = frozenset(intents)

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return super().can_handle(handler_input) and pending_offer(handler_input) is Offer.REMINDER

    def respond(self, turn: Turn) -> Response:
        turn.set_offer(None)
        return schedule(turn, turn.household, reminders.choose(turn.household.reminder, None, None))


class SetReminderHandler(TurnHandler):
    """ "Remind us every Sunday at seven" / "change our reminder to Sundays at eight"."""

    intents = ("SetReminderIntent",)

    def respond(self, turn: Turn) -> Response:
        day = reminders.parse_day(slot_id(turn.handler_input, "day"))
        at = reminders.parse_time(slot_value(turn.handler_input, "time"))
        wanted = reminders.choose(turn.household.reminder, day, at)
        return schedule(turn, turn.household, wanted)


class StopRemindersHandler(TurnHandler):
    """ "Stop the reminders": delete it."""

    intents = ("StopRemindersIntent",)

    def respond(self, turn: Turn) -> Response:
        household = turn.household
        reminder, api = household.reminder, turn.api
        if reminder is None:
            return turn.end(turn.line("reminder_none"))
        if reminder.token:
            try:
                if api is None:
                    raise AlexaApiError("no API access in this request")
                api.delete_reminder(reminder.token)
            except AlexaApiError as error:
                log.warning("reminder could not be deleted", extra={"status": error.status})
                return turn.end(turn.line("reminder_delete_failed"))
        turn.save(replace(household, reminder=None))
        return turn.end(turn.line("reminder_stopped"))


class PermissionAnswerHandler(TurnHandler):
    """Alexa's answer to the voice permission request: accepted, denied, or not answered."""

    request_types = frozenset({"Connections.Response"})

    def can_handle(self, handler_input: HandlerInput) -> bool:
        request = handler_input.request_envelope.request
        return bool(is_request_type("Connections.Response")(handler_input)) and (
            getattr(request, "name", None) == "AskFor")

    def respond(self, turn: Turn) -> Response:
        payload = getattr(turn.request, "payload", None) or {}
        status = str(payload.get("status", "")).upper()
        household, wanted = turn.household, turn.household.reminder
        if status == "ACCEPTED":
            if wanted is None:  # granted, with nothing waiting for it
                return turn.end(turn.line("reminder_permission_granted"))
            return schedule(turn, household, wanted, just_granted=True)
        if wanted is not None and not wanted.token:
            turn.save(replace(household, reminder=None))
        denied = status == "DENIED"
        return turn.end(
            turn.line("reminder_permission_denied" if denied else "reminder_not_answered")
        )
