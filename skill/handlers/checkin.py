"""The weekly check-in, hands-free (PRODUCT.md section 5).

Each step is spoken once and the session ends so the couple talk to each other;
"Alexa, tell Porch Light next" resumes. Only permission keeps the microphone open.
The weather step ends the session too (the couple tell each other their weather); "our
weather is cloudy" gives the word at once, and "next" or "we're ready with our weather"
with no word asks "What's your weather word?" with Dialog.ElicitSlot, so the slot's own
samples apply only while Alexa listens for that word. A word that matches no value is
the couple's own: never stored (the safety screen has read it first). Nothing the couple
says is kept; the weather word only after they opted in.
"""

from __future__ import annotations

from dataclasses import replace

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Intent, IntentConfirmationStatus, Response, Slot, SlotConfirmationStatus
from ask_sdk_model.dialog import ElicitSlotDirective

from skill.conversation import checkin
from skill.conversation.state import CheckIn, CheckInStep, Declined, Household, Offer, Spoken
from skill.handlers.common import Turn, TurnHandler, pending_offer, slot_id, slot_value
from skill.handlers.consent import withdraw
from skill.handlers.reminders import offer_reminder_at_close

WEATHER_SLOT = "weather"
WEATHER_ASKED = "weather-word"
"""``last_spoken.ref`` once the weather word was asked for."""
STEP_LINES = {step: f"checkin_{step.value.replace('-', '_')}" for step in CheckInStep}


def speak_step(turn: Turn, household: Household, current: CheckIn, intro: str = "") -> Response:
    """Say the current step; the close finishes the check-in (and may offer a reminder)."""
    spoken = Spoken(kind=Declined.CHECKIN, ref=str(current.step), evening=turn.evening)
    household = replace(household, checkin=current, last_spoken=spoken)
    speech = intro + turn.line(STEP_LINES[current.step])
    if current.step is CheckInStep.CLOSE:
        return offer_reminder_at_close(turn, checkin.finish(household, turn.evening), speech)
    turn.save(household)
    if current.step is CheckInStep.PERMISSION:
        turn.set_offer(Offer.CHECKIN_PERMISSION)
        return turn.ask(speech, turn.line("checkin_permission_reprompt"))
    return turn.end(speech + turn.line("checkin_next_hint"))


def ask_weather_word(turn: Turn, current: CheckIn) -> Response:
    """ "What's your weather word?": a question, with a reprompt, eliciting the slot. Asked
    once: the next "next" moves on, in this session or a later one."""
    asked = Spoken(kind=Declined.CHECKIN, ref=WEATHER_ASKED, evening=turn.evening)
    turn.save(replace(turn.household, checkin=replace(current, updated_at=turn.now),
                      last_spoken=asked))
    turn.set_offer(Offer.WEATHER_WORD)
    slot = Slot(name=WEATHER_SLOT, confirmation_status=SlotConfirmationStatus.NONE)
    intent = Intent(name="WeatherWordIntent", slots={WEATHER_SLOT: slot},
                    confirmation_status=IntentConfirmationStatus.NONE)
    turn.handler_input.response_builder.add_directive(
        ElicitSlotDirective(updated_intent=intent, slot_to_elicit=WEATHER_SLOT))
    return turn.ask(turn.line("checkin_weather_ask"), turn.line("checkin_weather_ask_reprompt"))


def active_checkin(turn: Turn) -> CheckIn | None:
    return checkin.active(turn.household.checkin, turn.now)


class StartCheckInHandler(TurnHandler):
    """ "Start our check-in": asks permission first; 'not now' is always fine."""

    intents = ("StartCheckInIntent",)

    def respond(self, turn: Turn) -> Response:
        return speak_step(turn, turn.household, checkin.start(turn.now))


class CheckInYesHandler(TurnHandler):
    """ "Yes" to the check-in's permission question, or to a lighter night after a storm."""

    intents = ("AMAZON.YesIntent",)
    only_intents = frozenset(intents)
    OFFERS = (Offer.CHECKIN_PERMISSION, Offer.STORMY_LIGHTER)

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return super().can_handle(handler_input) and pending_offer(handler_input) in self.OFFERS

    def respond(self, turn: Turn) -> Response:
        current = active_checkin(turn) or checkin.start(turn.now)
        if turn.offer is Offer.STORMY_LIGHTER:
            return speak_step(turn, turn.household, checkin.lighten(current, turn.now))
        return speak_step(turn, turn.household, checkin.advance(current, turn.now))


class NextStepHandler(TurnHandler):
    """ "Next": the couple finished talking; go on to the next step."""

    intents = ("NextStepIntent",)

    def respond(self, turn: Turn) -> Response:
        current = active_checkin(turn)
        if current is None:
            return turn.end(turn.line("checkin_none"))
        spoken = turn.household.last_spoken
        asked = spoken is not None and spoken.ref == WEATHER_ASKED
        if current.step is CheckInStep.WEATHER and turn.offer is None and not asked:
            return ask_weather_word(turn, current)
        return speak_step(turn, turn.household, checkin.advance(current, turn.now))


class SkipStepHandler(TurnHandler):
    """ "Skip" / "pass": inside a check-in, the next step; anywhere else, a "not now"."""

    intents = ("SkipStepIntent",)

    def respond(self, turn: Turn) -> Response:
        current = active_checkin(turn)
        if current is None or turn.offer not in (None, Offer.WEATHER_WORD):
            return withdraw(turn)
        return speak_step(turn, turn.household, checkin.advance(current, turn.now),
                          intro=turn.line("checkin_skipped"))


class WeatherWordHandler(TurnHandler):
    """The couple's weather word: kept only after the opt-in; stormy offers a lighter night;
    no word yet asks for it; a word of their own is welcome and never stored."""

    intents = ("WeatherWordIntent",)

    def respond(self, turn: Turn) -> Response:
        word = slot_id(turn.handler_input, WEATHER_SLOT)
        said = slot_value(turn.handler_input, WEATHER_SLOT)
        current = active_checkin(turn)
        household = checkin.remember_weather(turn.household, word, turn.evening)
        if current is None:
            if word:
                turn.save(household)
            return turn.end(turn.line("weather_outside_checkin"))
        if current.step is not CheckInStep.WEATHER:  # early, or late: the step they are on
            return speak_step(turn, household, current)
        if not said:
            return ask_weather_word(turn, current)
        if checkin.is_stormy(word):
            turn.save(replace(household, checkin=replace(current, updated_at=turn.now)))
            turn.set_offer(Offer.STORMY_LIGHTER)
            return turn.ask(turn.line("checkin_stormy"), turn.line("checkin_stormy_reprompt"))
        heard = turn.line("weather_heard" if word else "weather_own_word")
        return speak_step(turn, household, checkin.advance(current, turn.now), intro=heard)


class RememberWeatherHandler(TurnHandler):
    """ "Remember our weather": the one opt-in that lets the weather word be kept."""

    intents = ("RememberWeatherIntent",)

    def respond(self, turn: Turn) -> Response:
        turn.save(replace(turn.household, remember_weather=True))
        return turn.end(turn.line("weather_remembered"))

