"""How long a turn may be, in spoken words (CONTENT.md, "Turn length").

People listen once and cannot scroll back, so every turn is short. The limits count the
words Alexa speaks: SSML tags stripped, every variant, every composed turn.
"""

from __future__ import annotations

from enum import StrEnum

from skill.content.ssml import to_plain_text


class TurnKind(StrEnum):
    """What a turn is for; each kind has its own word limit."""

    ACKNOWLEDGEMENT = "acknowledgement"
    WELCOME = "first-run welcome"
    HELP = "help"
    PROMPT = "prompt"
    CRISIS = "crisis"
    OTHER = "other"


WORD_LIMITS: dict[TurnKind, int] = {
    TurnKind.ACKNOWLEDGEMENT: 12,
    TurnKind.WELCOME: 40,
    TurnKind.HELP: 35,
    TurnKind.PROMPT: 55,
    TurnKind.CRISIS: 40,
    TurnKind.OTHER: 30,
}
PROMPT_AND_NUDGE_WORDS = 40
"""A prompt with its listening nudge (the library's own limit, CONTENT.md rule 9)."""


def spoken_words(ssml: str) -> int:
    """How many words Alexa speaks for ``ssml``."""
    return len(to_plain_text(ssml).split())
