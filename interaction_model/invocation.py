"""Taking the skill's name off an utterance, the ways people address Alexa skills.

"Alexa, ask Porch Light for tonight's prompt", "tell Porch Light to pause for a week",
"open Porch Light and give us a prompt", "get a prompt from Porch Light", and plain
"open Porch Light" (a launch, with nothing left to match).
"""

from __future__ import annotations

from dataclasses import dataclass

from interaction_model.builtins import CONNECTING_WORDS, LAUNCH_WORDS
from interaction_model.text import tokens

WAKE_NAMES = frozenset({"alexa", "echo", "computer", "amazon", "ziggy"})
_GREETINGS = frozenset({"hey", "hi", "okay", "hello"})
_POLITE = frozenset({"please", "can", "could", "would", "will", "you", "just", "now", "so"})
_ADDRESSING = LAUNCH_WORDS | {"talk", "speak", "go", "up", "to"}
_TRAILING = frozenset({"using", "with", "from", "on", "in", "at", "via", "through"})
_LEADING_CONNECTORS = CONNECTING_WORDS | {"then", "please"}


@dataclass(frozen=True)
class Invocation:
    """An utterance with the way it addressed the skill taken off."""

    words: tuple[str, ...]
    """What is left to match against the samples."""
    alternatives: tuple[tuple[str, ...], ...]
    """Other readings of ``words``, e.g. without a leading "for" or "to"."""
    invoked: bool
    """The utterance named the skill ("ask porch light…"), which starts a new session."""
    launch: bool
    """Nothing but the skill's name was said ("open porch light"): a LaunchRequest."""


class InvocationStripper:
    """Finds and removes one skill's invocation phrases."""

    def __init__(self, invocation_name: str) -> None:
        name = tokens(invocation_name)
        variants = {name, ("".join(name),)} if name else set()
        if name:
            variants.add((*name[:-1], name[-1] + "s"))
        self.names = tuple(sorted(variants, key=len, reverse=True))

    def strip(self, words: tuple[str, ...]) -> Invocation:
        """Remove the wake word and the invocation, keeping what was asked for."""
        words = _without_wake_word(words)
        found = self._find_name(words)
        if found is None:
            return Invocation(words, (), invoked=False, launch=False)
        start, end = found
        before, after = words[:start], words[end:]
        if not before or all(word in _ADDRESSING | _POLITE for word in before):
            return Invocation(after, _alternatives(after), invoked=True, launch=not after)
        if before[-1] in _TRAILING and not after:
            return Invocation(before[:-1], (), invoked=True, launch=False)
        # The name inside a request ("unpause porch light", "pause porch light for a
        # week"): try it without the name, and as written (some samples hold the name).
        return Invocation(before + after, (words,), invoked=not after, launch=False)

    def _find_name(self, words: tuple[str, ...]) -> tuple[int, int] | None:
        for start in range(len(words)):
            for name in self.names:
                if words[start:start + len(name)] == name:
                    return start, start + len(name)
        return None


def _without_wake_word(words: tuple[str, ...]) -> tuple[str, ...]:
    if len(words) > 1 and words[0] in _GREETINGS and words[1] in WAKE_NAMES:
        return words[2:]
    if words and words[0] in WAKE_NAMES:
        return words[1:]
    return words


def _alternatives(rest: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    trimmed = rest
    while trimmed and trimmed[0] in _LEADING_CONNECTORS:
        trimmed = trimmed[1:]
    return (trimmed,) if trimmed and trimmed != rest else ()
