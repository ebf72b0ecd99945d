"""The safety screen's compositional rules (pure): a kind of saying, in words not listed.

Each rule is (who) + (what is done or meant); these cases use words of each part in
combinations that are in no data file, so they test the rule, not a phrase. The
development phrasings (tests/data/safety_dev, tuning data) are held to their answers too.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.safety_dev import DEV, dev_sets, hit
from skill.conversation.safety_screen import Concern, normalise, screen


@pytest.mark.parametrize("text, concern", [
    # (self) + (a burden to others)
    ("i'm nothing but a drain on my parents", Concern.SELF_HARM),
    ("everybody must be fed up with me", Concern.SELF_HARM),
    # (self) + (ending, goodbyes, means)
    ("i'd rather be asleep forever", Concern.SELF_HARM),
    ("i've been working out who gets my records", Concern.SELF_HARM),
    ("i keep thinking of the overpass near work", Concern.SELF_HARM),
    ("how many of these would it take", Concern.SELF_HARM),
    ("i don't expect to be around next spring", Concern.SELF_HARM),
    # (a person) + (violence or control), any tense
    ("my fiancee gave me a proper smack", Concern.ABUSE),
    ("my girlfriend changed my email password again", Concern.ABUSE),
    ("he turns up at my office to check where i am", Concern.ABUSE),
    # (a person) + (a weapon or rage) + (here, now)
    ("my ex is in the yard with a crowbar", Concern.DANGER),
    ("she's at the front door screaming", Concern.DANGER),
    ("there's a stranger inside my apartment", Concern.DANGER),
])
def test_a_rule_reads_words_no_list_holds(text: str, concern: Concern) -> None:
    assert screen(text) is concern


def test_a_weapon_without_here_or_now_is_abuse_and_with_them_danger() -> None:
    assert screen("he has a knife") is Concern.ABUSE
    assert screen("he has a knife and he's drunk") is Concern.DANGER


def test_hesitations_and_the_wake_words_are_dropped() -> None:
    assert normalise("Um, Alexa, tell Porch Light I'm, uh, honestly not okay") == "i am not okay"
    assert normalise("tonight's the night") == "tonight is the night"
    assert screen("um he uh shoved me") is Concern.ABUSE
    assert normalise("umbrella") == "umbrella"


@pytest.mark.parametrize("text", [
    "this pizza is to die for", "you killed it at karaoke", "i could murder a burger",
    "we were crying laughing", "she slayed that presentation", "i'm scared of spiders",
    "my feet are killing me", "my phone died", "he cracked me up", "i'm dead tired",
    "we bickered about the thermostat", "so tired i could sleep forever",
])
def test_clear_idioms_pass(text: str) -> None:
    assert screen(text) is None


def test_when_in_doubt_the_careful_answer_stays() -> None:
    assert screen("my husband is going to kill me if i'm late") is Concern.ABUSE
    assert screen("my boss is going to kill me if i'm late") is None


KNOWN_MISSES = {"he's coming back now"}
"""Left alone on purpose: without a threat, a weapon or a place it is as often ordinary."""


@pytest.mark.parametrize("path", sorted(DEV.rglob("*.yaml")), ids=lambda p: str(p.relative_to(DEV)))
def test_the_development_phrasings_reach_their_answers(path: Path) -> None:
    sets = dev_sets(path)
    locale = str(path.stem)
    misses = [(tier, text) for tier, categories in sets.items()
              for texts in categories.values() for text in texts
              if not hit(tier, screen(text, locale)) and text not in KNOWN_MISSES]
    assert misses == []
