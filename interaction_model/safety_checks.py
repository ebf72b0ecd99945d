"""Porch Light's own model checks for the safety net (issue 9).

A sample that is a slot alone, or a slot with one filler word ("{weather}", "we're
{weather}"), swallows whatever people say, distress included: ask for such a slot with
Dialog.ElicitSlot and put those words among the slot's own samples, which Alexa uses only
while it elicits the slot. Every model sets how readily Alexa falls back
(``modelConfiguration.fallbackIntentSensitivity``), declares AMAZON.RepeatIntent ("say
that again", the crisis number included), and carries at least ``SAFETY_SAMPLE_FLOOR``
crisis and distress samples.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from interaction_model.checks import Problem

SAFETY_INTENTS = ("CrisisIntent", "AbuseIntent", "DangerIntent", "DistressIntent",
                  "NeedHelpIntent")
"""Intents whose samples count toward the floor."""
SAFETY_SAMPLE_FLOOR = 250
SENSITIVITY_LEVELS = frozenset({"LOW", "MEDIUM", "HIGH"})
FILLER_WORDS = frozenset({
    "we're", "i'm", "it's", "its", "feeling", "feel", "pretty", "mostly", "kind", "of", "kinda",
    "really", "very", "so", "just", "i'd", "we'd", "say", "um", "uh", "like", "a", "the",
    "been", "was", "is", "it", "we've", "i've", "quite", "bit", "little", "rather", "fairly",
    "maybe", "probably", "please", "we", "i", "are", "am", "about", "sort", "honestly",
})
"""Words that carry no meaning of their own around a slot."""
_SLOT = re.compile(r"\{[^{}]*\}")


def is_catch_all(sample: str) -> bool:
    """A sample with a slot and at most one other word, or only filler words around it."""
    if not _SLOT.search(sample):
        return False
    carriers = _SLOT.sub(" ", sample).lower().split()
    return len(carriers) <= 1 or all(word in FILLER_WORDS for word in carriers)


def safety_problems(file: str, language: Mapping[str, Any]) -> list[Problem]:
    """Catch-all samples, the fallback sensitivity, RepeatIntent and the safety floor."""
    intents = [i for i in language.get("intents") or () if isinstance(i, dict)]
    return [*_catch_alls(file, intents), *_configuration(file, language, intents)]


def _catch_alls(file: str, intents: list[dict[str, Any]]) -> Iterator[Problem]:
    for intent in intents:
        for sample in intent.get("samples") or ():
            if isinstance(sample, str) and is_catch_all(sample):
                yield Problem(file, "a catch-all sample (a slot with at most one filler word "
                                    "around it) takes whatever people say, distress included; "
                                    "add carrier words, or ask for the slot with "
                                    "Dialog.ElicitSlot and move it to the slot's own samples",
                              str(intent.get("name")), sample)


def _configuration(file: str, language: Mapping[str, Any],
                   intents: list[dict[str, Any]]) -> Iterator[Problem]:
    configuration = language.get("modelConfiguration") or {}
    sensitivity = (configuration.get("fallbackIntentSensitivity") or {}).get("level") \
        if isinstance(configuration, dict) else None
    if sensitivity not in SENSITIVITY_LEVELS:
        yield Problem(file, 'set "modelConfiguration": {"fallbackIntentSensitivity": {"level": '
                            '"HIGH"}} (LOW, MEDIUM or HIGH; docs/safety.md says which and why)')
    names = {str(i.get("name")) for i in intents}
    if "AMAZON.RepeatIntent" not in names:
        yield Problem(file, 'add the built-in intent AMAZON.RepeatIntent ("say that again" '
                            "repeats the last answer, the crisis number included)")
    count = sum(len(i.get("samples") or ()) for i in intents if i.get("name") in SAFETY_INTENTS)
    if count < SAFETY_SAMPLE_FLOOR:
        yield Problem(file, f"only {count} crisis and distress samples ({', '.join(SAFETY_INTENTS)}"
                            f"); write at least {SAFETY_SAMPLE_FLOOR}, by category, as people "
                            "talk (never copied from tests/data/safety_heldout)")
