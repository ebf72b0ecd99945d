"""Boundaries by voice (PRODUCT.md section 6): set, remove, list, and the four-weekly revisit.

Every change is read back so both partners know what was agreed. Setting can only make
things more careful; loosening is a removal.
"""

from __future__ import annotations

from datetime import time

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from skill.conversation.boundaries import (
    Boundaries,
    Rule,
    boundary_removed,
    boundary_set,
    evening_time,
)
from skill.conversation.depth import LEVEL_NAMES
from skill.conversation.state import Event, Offer
from skill.handlers.common import Turn, TurnHandler, pending_offer, slot_id, slot_value

LOOSENING_RULES = (Rule.QUIET_HOURS, Rule.DEPTH_LIMIT)


def spoken_time(moment: time) -> str:
    hour = moment.hour % 12 or 12
    minutes = f":{moment.minute:02d}" if moment.minute else ""
    return f"{hour}{minutes} {'a.m.' if moment.hour < 12 else 'p.m.'}"


def describe(turn: Turn, boundaries: Boundaries) -> str:
    """The boundaries in plain words, one short sentence each."""
    parts = []
    if boundaries.off_limits:
        topics = ", ".join(sorted(t.replace("-", " ") for t in boundaries.off_limits))
        parts.append(turn.line("boundary_topics", topics=topics))
    quiet = boundaries.quiet
    if quiet is not None and quiet.gentle_level is None:
        parts.append(turn.line("boundary_quiet_none", time=spoken_time(quiet.start)))
    elif quiet is not None:
        parts.append(turn.line("boundary_quiet_gentle", time=spoken_time(quiet.start),
                               level=LEVEL_NAMES[quiet.gentle_level or 1]))
    if boundaries.no_weeknights:
        parts.append(turn.line("boundary_weeknights"))
    if boundaries.ceiling:
        parts.append(turn.line("boundary_ceiling", level=LEVEL_NAMES[boundaries.ceiling]))
    if not boundaries.cards:
        parts.append(turn.line("boundary_no_cards"))
    if boundaries.closeness:
        parts.append(turn.line("boundary_closeness"))
    return " ".join(parts) if parts else turn.line("boundaries_none")


def read_back(turn: Turn, intro_key: str) -> Response:
    return turn.end(turn.line(intro_key) + " " + describe(turn, turn.household.boundaries))


def record_change(turn: Turn, event: Event | None) -> Response:
    """Save one boundary change and read every boundary back; ask when nothing was understood."""
    if event is None:
        return turn.ask(turn.line("boundary_unclear"), turn.line("boundary_unclear"))
    turn.save(turn.household.with_event(event))
    return read_back(turn, "boundary_changed")


class SetBoundaryHandler(TurnHandler):
    """ "Let's not talk about money", "no prompts after ten", "keep it light after nine"."""

    intents = ("SetBoundaryIntent",)

    def respond(self, turn: Turn) -> Response:
        hi = turn.handler_input
        topic, rule = slot_id(hi, "topic"), slot_id(hi, "rule")
        depth = slot_id(hi, "depth")
        at = evening_time(slot_value(hi, "time"))
        if topic:
            event = boundary_set(turn.now, topic=topic)
        elif at:
            event = boundary_set(turn.now, quiet_start=at,
                                 gentle_level=int(depth) if depth else None)
        elif depth:
            event = boundary_set(turn.now, ceiling=int(depth))
        elif rule in LOOSENING_RULES:  # "turn off the quiet hours"
            event = boundary_removed(turn.now, rule=rule)
        elif rule:
            event = boundary_set(turn.now, rule=rule)
        else:
            event = None
        return record_change(turn, event)


class RemoveBoundaryHandler(TurnHandler):
    """ "Money is okay again", "turn cards back on", "remove the quiet hours"."""

    intents = ("RemoveBoundaryIntent",)

    def respond(self, turn: Turn) -> Response:
        topic, rule = slot_id(turn.handler_input, "topic"), slot_id(turn.handler_input, "rule")
        event = None
        if topic:
            event = boundary_removed(turn.now, topic=topic)
        elif rule:
            event = boundary_removed(turn.now, rule=rule)
        return record_change(turn, event)


class ListBoundariesHandler(TurnHandler):
    """ "What are our boundaries?" """

    intents = ("ListBoundariesIntent",)

    def respond(self, turn: Turn) -> Response:
        return read_back(turn, "boundaries_intro")


class RevisitYesHandler(TurnHandler):
    """ "Yes" to the four-weekly offer to hear the boundaries again."""

    intents = ("AMAZON.YesIntent",)

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return (super().can_handle(handler_input)
                and pending_offer(handler_input) is Offer.REVISIT_BOUNDARIES)

    def respond(self, turn: Turn) -> Response:
        return read_back(turn, "boundaries_intro")

