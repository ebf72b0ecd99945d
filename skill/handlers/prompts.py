"""Tonight's prompt and its depth: launch, tonight, another, gentler, deeper, yes to an offer."""

from __future__ import annotations

from dataclasses import replace

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_request_type
from ask_sdk_model import Response

from skill.conversation import boundaries, checkin, consent, depth
from skill.conversation.boundaries import Tonight
from skill.conversation.prompts import select_prompt, tonights_prompt_id
from skill.conversation.state import Declined, Household, Offer, Spoken
from skill.handlers.common import Turn, TurnHandler, pending_offer

GREETED_ATTRIBUTE = "greeted"
FIRST_YES_ATTRIBUTE = "first_yes"
"""Session attribute: the keyed hash of who gave the Hearth's first yes (when recognised)."""


def allowed_ceiling(turn: Turn, household: Household, wanted: int) -> int:
    """``wanted``, lowered by the couple's depth limit and gentle quiet hours."""
    return min(wanted, boundaries.level_cap(household.boundaries, turn.now, turn.zone))


def quiet_now(turn: Turn, household: Household) -> bool:
    """The couple asked for no prompts at this time (quiet hours or weeknights)."""
    return boundaries.tonight(household.boundaries, turn.now, turn.zone) is Tonight.QUIET


def speak_tonights_prompt(turn: Turn, household: Household) -> Response:
    """The same prompt all evening; a new one when none was given or it was declined."""
    if quiet_now(turn, household):
        return turn.end(turn.line("quiet_hours_decline"))
    given = tonights_prompt_id(household, turn.evening)
    prompt = turn.content.prompt(given) if given else None
    if prompt is not None and prompt.level <= allowed_ceiling(turn, household, prompt.level):
        spoken = Spoken(kind=Declined.PROMPT, ref=prompt.id, evening=turn.evening,
                        level=prompt.level)
        if household.last_spoken != spoken:  # else nothing changes: the same ask again
            household = replace(household, last_spoken=spoken)
            turn.save(household)
        return turn.deliver_prompt(household, prompt, "prompt_again_intro", remember=False)
    return speak_new_prompt(turn, household, "prompt_intro", depth.prompt_ceiling(household))


def speak_new_prompt(turn: Turn, household: Household, intro_key: str, ceiling: int) -> Response:
    """Choose a prompt no deeper than ``ceiling`` (or the boundaries) other than tonight's."""
    if quiet_now(turn, household):
        turn.save(household)
        return turn.end(turn.line("quiet_hours_decline"))
    tonight = tonights_prompt_id(household, turn.evening)
    prompt = select_prompt(
        turn.content.prompts, household, turn.now,
        ceiling=allowed_ceiling(turn, household, ceiling),
        seed=f"{turn.key}:{turn.evening.isoformat()}:{len(household.history)}",
        exclude=frozenset({tonight}) if tonight else frozenset(),
    )
    if prompt is None:
        turn.save(household)
        return turn.end(turn.line("no_prompt_left"))
    return turn.deliver_prompt(household, prompt, intro_key)


def go_deeper(turn: Turn, household: Household) -> Response:
    """One level deeper, once an evening; the Hearth needs a yes from each partner."""
    if household.level >= depth.DEEPEST_LEVEL:
        return turn.end(turn.line("deepest_already"))
    if household.level >= allowed_ceiling(turn, household, depth.DEEPEST_LEVEL):
        return turn.end(turn.line("deeper_limit"))
    if depth.raised_tonight(household, turn.evening):
        return turn.end(turn.line("already_deeper_tonight"))
    if household.level + 1 == depth.HEARTH:
        turn.set_offer(Offer.HEARTH_FIRST_YES)
        return turn.ask(turn.line("hearth_first_yes"), turn.line("hearth_reprompt"))
    household = depth.raise_level(household, turn.now, turn.evening)
    return speak_new_prompt(turn, household, "deeper_intro", household.level)


class LaunchHandler(TurnHandler):
    """ "Open Porch Light": first-run welcome, a quiet hello, or an offer."""

    request_types = frozenset({"LaunchRequest"})

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_request_type("LaunchRequest")(handler_input))

    def respond(self, turn: Turn) -> Response:
        response = self.welcome(turn)
        return greet_by_name(turn, response)

    def welcome(self, turn: Turn) -> Response:
        """The launch answer, before any greeting by name."""
        household = turn.household
        quiet = not consent.may_offer(household, turn.now, turn.zone) or quiet_now(turn, household)
        if not household.welcomed:
            turn.save(replace(household, welcomed=True))
            if quiet:
                return turn.end(turn.line("welcome_first_quiet"))
            turn.set_offer(Offer.PROMPT)
            return turn.ask(turn.line("welcome_first") + " " + turn.line("welcome_first_offer"),
                            turn.line("offer_reprompt"))
        if checkin.active(household.checkin, turn.now) is not None:
            turn.set_offer(Offer.CHECKIN_PERMISSION)
            return turn.ask(turn.line("welcome_checkin"), turn.line("checkin_resume_reprompt"))
        if quiet:
            return turn.ask(turn.line("welcome_quiet"), turn.line("welcome_quiet_reprompt"))
        if boundaries.should_offer_revisit(household.boundaries, household.revisit_offered_at,
                                           turn.now):
            turn.save(replace(household, revisit_offered_at=turn.now))
            turn.set_offer(Offer.REVISIT_BOUNDARIES)
            return turn.ask(turn.line("offer_revisit"), turn.line("offer_reprompt"))
        if depth.should_offer_deeper(household, turn.now, turn.zone):
            spoken = Spoken(kind=Declined.OFFER, ref=str(Offer.DEEPER), evening=turn.evening)
            turn.save(replace(household, last_deeper_offer_at=turn.now, last_spoken=spoken))
            turn.set_offer(Offer.DEEPER)
            return turn.ask(turn.line("offer_deeper"), turn.line("offer_reprompt"))
        turn.set_offer(Offer.PROMPT)
        return turn.ask(turn.line("welcome_back"), turn.line("offer_reprompt"))


def greet_by_name(turn: Turn, response: Response) -> Response:
    """Where Alexa recognised the speaker, open with their name (Alexa says it; the skill
    never learns it), at most once a session."""
    speech = getattr(response.output_speech, "ssml", None)
    if turn.person_id is None or speech is None or turn.session_value(GREETED_ATTRIBUTE):
        return response
    turn.set_session_value(GREETED_ATTRIBUTE, "yes")
    inner = str(speech).removeprefix("<speak>").removesuffix("</speak>")
    response.output_speech.ssml = (
        f"<speak>{turn.line('greeting_named', person_id=turn.person_id)} {inner}</speak>")
    return response


class TonightsPromptHandler(TurnHandler):
    """ "What's tonight's prompt?" """

    intents = ("TonightsPromptIntent",)

    def respond(self, turn: Turn) -> Response:
        return speak_tonights_prompt(turn, turn.household)


class AnotherPromptHandler(TurnHandler):
    """ "Another one": a different prompt at the same depth or lighter."""

    intents = ("AnotherPromptIntent",)

    def respond(self, turn: Turn) -> Response:
        household = turn.household
        return speak_new_prompt(turn, household, "another_intro", depth.prompt_ceiling(household))


class GentlerHandler(TurnHandler):
    """ "Gentler" / "keep it light": one level lighter at once, with a lighter prompt."""

    intents = ("GentlerIntent",)

    def respond(self, turn: Turn) -> Response:
        household = depth.lower_level(turn.household, turn.now)
        ceiling = min(household.level, depth.prompt_ceiling(household))
        return speak_new_prompt(turn, household, "gentler_intro", ceiling)


class DeeperHandler(TurnHandler):
    """ "Go a little deeper" (asking is the yes; the Hearth asks each partner)."""

    intents = ("DeeperIntent",)

    def respond(self, turn: Turn) -> Response:
        return go_deeper(turn, turn.household)


class YesToOfferHandler(TurnHandler):
    """ "Yes" while the skill waits on an offer."""

    intents = ("AMAZON.YesIntent",)
    only_intents = frozenset(intents)
    OFFERS = (Offer.PROMPT, Offer.DEEPER, Offer.HEARTH_FIRST_YES, Offer.HEARTH_SECOND_YES)

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return super().can_handle(handler_input) and pending_offer(handler_input) in self.OFFERS

    def respond(self, turn: Turn) -> Response:
        offer, household = turn.offer, turn.household
        first_yes = turn.session_value(FIRST_YES_ATTRIBUTE)
        if offer is Offer.HEARTH_FIRST_YES:
            turn.set_offer(Offer.HEARTH_SECOND_YES)
            turn.set_session_value(FIRST_YES_ATTRIBUTE, turn.person)
            return turn.ask(turn.line("hearth_second_yes"), turn.line("hearth_reprompt"))
        if offer is Offer.HEARTH_SECOND_YES and turn.person and turn.person == first_yes:
            return turn.ask(turn.line("other_partner"), turn.line("hearth_reprompt"))
        if offer is Offer.HEARTH_SECOND_YES:
            turn.set_session_value(FIRST_YES_ATTRIBUTE, None)
            household = depth.raise_level(household, turn.now, turn.evening)
            return speak_new_prompt(turn, household, "hearth_intro", household.level)
        if offer is Offer.DEEPER:
            return go_deeper(turn, household)
        return speak_tonights_prompt(turn, household)
