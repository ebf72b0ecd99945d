"""Boundaries by voice (PRODUCT.md section 6): set, remove, list, and the four-weekly revisit.

Every change is read back so both partners know what was agreed. Setting can only make
things more careful; loosening is a removal.
"""

from __future__ import annotations

from dataclasses import replace
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
from skill.conversation.state import Event, EventKind, Household, Offer
from skill.handlers.common import (
    Turn,
    TurnHandler,
    intent_name,
    pending_offer,
    slot_id,
    slot_value,
)

LOOSENING_RULES = (Rule.QUIET_HOURS, Rule.DEPTH_LIMIT)
TOPIC_SLOTS = ("topic", "second")
DEPTH_LINES = {1: "depth_light", 2: "depth_stories", 3: "depth_feelings", 4: "depth_deepest"}
"""Depth by its meaning: level names are the product's words, not the couple's."""


def spoken_depth(turn: Turn, level: int) -> str:
    """ "light prompts", "feelings about each other": a level as its meaning."""
    return turn.line(DEPTH_LINES.get(level, DEPTH_LINES[1]))


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
                               depth=spoken_depth(turn, quiet.gentle_level or 1)))
    if boundaries.no_weeknights:
        parts.append(turn.line("boundary_weeknights"))
    if boundaries.ceiling:
        parts.append(turn.line("boundary_ceiling",
                               depth=spoken_depth(turn, boundaries.ceiling)))
    if not boundaries.cards:
        parts.append(turn.line("boundary_no_cards"))
    if boundaries.closeness:
        parts.append(turn.line("boundary_closeness"))
    return " ".join(parts) if parts else turn.line("boundaries_none")


def read_back(turn: Turn, intro_key: str) -> Response:
    return turn.end(turn.line(intro_key) + " " + describe(turn, turn.household.boundaries))


def same_boundaries(before: Household, after: Household) -> bool:
    """The change changed nothing (a removal of what was never set, a repeat)."""
    return replace(before.boundaries, changed_at=None) == replace(after.boundaries,
                                                                   changed_at=None)


def record_change(turn: Turn, events: list[Event], unknown: bool = False) -> Response:
    """Save boundary changes and read every boundary back.

    Removing what was never set is not stored and says so (a set is stored even when a
    stricter one stands: it is the couple's word, and the stricter setting still wins).
    A topic Porch Light has no tag for is answered with what it can do instead, and its
    words are not kept.
    """
    if not events:
        return turn.end(turn.line("boundary_unknown_topic" if unknown else "boundary_unclear"))
    before = turn.household
    after = before
    for event in events:
        after = after.with_event(event)
    removal = all(event.kind is EventKind.BOUNDARY_REMOVED for event in events)
    if removal and same_boundaries(before, after):
        said = turn.line("boundary_not_set")
        return turn.end(said + " " + describe(turn, before.boundaries))
    turn.save(after)
    rest = " " + turn.line("boundary_partly_unknown") if unknown else ""
    return turn.end(turn.line("boundary_changed") + " " + describe(turn, after.boundaries)
                    + rest)


def topics_said(turn: Turn) -> tuple[list[str], bool]:
    """The known topic ids the couple named, and whether they named one Porch Light lacks."""
    known: list[str] = []
    unknown = False
    for name in TOPIC_SLOTS:
        topic = slot_id(turn.handler_input, name)
        if topic and topic not in known:
            known.append(topic)
        elif not topic and slot_value(turn.handler_input, name):
            unknown = True
    return known, unknown


class SetBoundaryHandler(TurnHandler):
    """ "Let's not talk about money", "no prompts after ten", "keep it light after nine"."""

    intents = ("SetBoundaryIntent",)

    def respond(self, turn: Turn) -> Response:
        hi = turn.handler_input
        topics, unknown = topics_said(turn)
        rule, depth = slot_id(hi, "rule"), slot_id(hi, "depth")
        at = evening_time(slot_value(hi, "time"))
        if topics or unknown:
            return record_change(turn, [boundary_set(turn.now, topic=t) for t in topics],
                                 unknown)
        if at:
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
        return record_change(turn, [event] if event else [])


class RemoveBoundaryHandler(TurnHandler):
    """ "Money is okay again", "turn cards back on", "remove the quiet hours"."""

    intents = ("RemoveBoundaryIntent",)

    def respond(self, turn: Turn) -> Response:
        topics, unknown = topics_said(turn)
        rule = slot_id(turn.handler_input, "rule")
        events = [boundary_removed(turn.now, topic=topic) for topic in topics]
        if rule and not topics:
            events.append(boundary_removed(turn.now, rule=rule))
        return record_change(turn, events, unknown)


class ListBoundariesHandler(TurnHandler):
    """ "What are our boundaries?" """

    intents = ("ListBoundariesIntent",)

    def respond(self, turn: Turn) -> Response:
        return read_back(turn, "boundaries_intro")


class RevisitYesHandler(TurnHandler):
    """ "Yes" to the four-weekly offer to hear the boundaries again."""

    intents = ("AMAZON.YesIntent",)
    only_intents = frozenset(intents)

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return (super().can_handle(handler_input)
                and pending_offer(handler_input) is Offer.REVISIT_BOUNDARIES)

    def respond(self, turn: Turn) -> Response:
        return read_back(turn, "boundaries_intro")



class ChangeBoundariesHandler(TurnHandler):
    """ "Change our boundaries": what is agreed now, and how to change one."""

    intents = ("ChangeBoundariesIntent",)

    def respond(self, turn: Turn) -> Response:
        boundaries = turn.household.boundaries
        if boundaries.is_empty:
            return turn.end(turn.line("boundaries_none"))
        return turn.end(describe(turn, boundaries) + " " + turn.line("boundaries_change"))


def removals_of_all(turn: Turn, boundaries: Boundaries) -> list[Event]:
    """One removal event for each boundary in force (the events stay append-only)."""
    events = [boundary_removed(turn.now, topic=topic) for topic in sorted(boundaries.off_limits)]
    rules = ((Rule.QUIET_HOURS, boundaries.quiet is not None),
             (Rule.WEEKNIGHTS, boundaries.no_weeknights),
             (Rule.DEPTH_LIMIT, boundaries.ceiling is not None),
             (Rule.CARDS, not boundaries.cards))
    events += [boundary_removed(turn.now, rule=str(rule)) for rule, on in rules if on]
    return events


class RemoveAllBoundariesHandler(TurnHandler):
    """ "Remove all our boundaries": one confirmation first."""

    intents = ("RemoveAllBoundariesIntent",)

    def respond(self, turn: Turn) -> Response:
        if turn.household.boundaries.is_empty:
            return turn.end(turn.line("boundaries_none"))
        turn.set_offer(Offer.REMOVE_ALL_BOUNDARIES)
        return turn.ask(turn.line("remove_all_confirm"), turn.line("remove_all_reprompt"))


class RemoveAllAnswerHandler(TurnHandler):
    """Yes removes every boundary; no, stop or cancel keeps them all."""

    intents = ("AMAZON.YesIntent", "AMAZON.NoIntent", "AMAZON.StopIntent", "AMAZON.CancelIntent")
    only_intents = frozenset(intents)

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return (super().can_handle(handler_input)
                and pending_offer(handler_input) is Offer.REMOVE_ALL_BOUNDARIES)

    def respond(self, turn: Turn) -> Response:
        if intent_name(turn.handler_input) != "AMAZON.YesIntent":
            return turn.end(turn.line("remove_all_kept"))
        household = turn.household
        for event in removals_of_all(turn, household.boundaries):
            household = household.with_event(event)
        turn.save(household)
        return turn.end(turn.line("remove_all_done"))
