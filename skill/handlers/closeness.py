"""Closeness & affection prompts by consent (PRODUCT.md section 6): on only after a yes from
each partner, off at once after either partner's "no more of those".

Each yes is an append-only household event carrying, where Alexa recognised the
speaker, a keyed hash of their personId (never the id itself): two different recognised
people, or two separate yeses where nobody is recognised. The change is read back like
a boundary.
"""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from skill.conversation.boundaries import closeness_off, closeness_yes
from skill.conversation.state import Offer
from skill.handlers.boundaries import read_back, record_change
from skill.handlers.common import Turn, TurnHandler, pending_offer
from skill.handlers.consent import withdraw


def say_yes(turn: Turn) -> Response:
    """Count this speaker's yes; on once two partners said it, else ask the other one."""
    agreed = turn.household.boundaries
    if agreed.closeness:
        return read_back(turn, "boundaries_intro")
    if agreed.said_yes(turn.person):  # the same person again: the other one must answer
        turn.set_offer(Offer.CLOSENESS_SECOND_YES)
        return turn.ask(turn.line("other_partner"), turn.line("hearth_reprompt"))
    household = turn.household.with_event(closeness_yes(turn.now, turn.person))
    if household.closeness:
        turn.set_offer(None)
        return record_change(turn, [household.events[-1]])
    turn.save(household)
    turn.set_offer(Offer.CLOSENESS_SECOND_YES)
    return turn.ask(turn.line("closeness_first_yes"), turn.line("hearth_reprompt"))


class ClosenessOnHandler(TurnHandler):
    """ "We'd like the closeness prompts" / "turn on the affection prompts": one partner's yes."""

    intents = ("ClosenessOnIntent",)

    def respond(self, turn: Turn) -> Response:
        return say_yes(turn)


class ClosenessYesHandler(TurnHandler):
    """ "Yes" when the skill asked the other partner about the closeness prompts."""

    intents = ("AMAZON.YesIntent",)
    only_intents = frozenset(intents)

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return (super().can_handle(handler_input)
                and pending_offer(handler_input) is Offer.CLOSENESS_SECOND_YES)

    def respond(self, turn: Turn) -> Response:
        return say_yes(turn)


class ClosenessOffHandler(TurnHandler):
    """ "No more of those": the closeness prompts off at once, no question asked.

    When they were not on (nor half agreed), the words decline what was just spoken,
    exactly like "not now".
    """

    intents = ("ClosenessOffIntent",)
    asks_zone = False  # it may be a "not now", which never waits on the Settings API

    def respond(self, turn: Turn) -> Response:
        agreed = turn.household.boundaries
        if not agreed.closeness and not agreed.closeness_voices:
            return withdraw(turn)
        return record_change(turn, [closeness_off(turn.now)])
