"""Safety first (PRODUCT.md section 7): the crisis answer and the overwhelmed pause.

The crisis answer is short, calm and discreet: the other partner may be in the room
and may own the account. It sends no card and no screen, stores nothing, never
suggests talking it through together, never claims to call anyone, and ends the
session, which stops every couple feature.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache
from importlib import resources
from typing import Any

from ask_sdk_model import Response

from skill.content import load_yaml
from skill.conversation import consent, depth
from skill.handlers.common import Turn, TurnHandler


@cache
def safety_resources() -> dict[str, Any]:
    """The locale table of crisis resources, with its last-verified date."""
    text = resources.files("skill.content").joinpath("safety.yaml").read_text(encoding="utf-8")
    table: dict[str, Any] = load_yaml(text)
    return table


def crisis_speech(turn: Turn) -> str:
    """The locale's lines, or the local emergency number when the locale is not verified."""
    table = safety_resources()
    entry = table["resources"].get(turn.locale) or table["default"]
    parts = [turn.line("crisis_open"),
             turn.line("crisis_emergency", emergency=entry["emergency"])]
    parts += [entry[kind] for kind in ("crisis", "abuse") if entry.get(kind)]
    parts.append(turn.line("crisis_close"))
    return " ".join(parts)


class CrisisHandler(TurnHandler):
    """Self-harm, feeling unsafe at home, being hurt or threatened."""

    intents = ("CrisisIntent",)

    def respond(self, turn: Turn) -> Response:
        return turn.end(crisis_speech(turn))


class OverwhelmedHandler(TurnHandler):
    """ "This is too much": stop, ground, suggest a real break, go one level lighter."""

    intents = ("OverwhelmedIntent",)

    def respond(self, turn: Turn) -> Response:
        household, _ = consent.record_withdrawal(turn.household, turn.now, turn.evening,
                                                 turn.offer)
        household = depth.lower_level(household, turn.now)
        turn.save(replace(household, last_spoken=None, checkin=None))
        return turn.end(turn.line("overwhelmed"))
