"""Every locale's interaction model: what users can say, and that the skill answers exactly that.

Each test runs once per locale in ``interaction_model.locales()``; ``tests/test_locales.py``
checks that the locales agree with en-US.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import interaction_model
from skill.builder import build_skill, handled_intents
from skill.config import load_settings
from skill.storage.sqlite import SQLiteStore

LOCALES = interaction_model.locales()
REQUIRED_BUILT_INS = frozenset({
    "AMAZON.HelpIntent", "AMAZON.StopIntent", "AMAZON.CancelIntent", "AMAZON.FallbackIntent",
    "AMAZON.NavigateHomeIntent",
})
# PRODUCT.md section 3: phrases that withdraw consent.
NOT_NOW_PHRASES = ("not now", "not tonight", "maybe later", "i'm not ready", "let's stop")
# "pass" and "skip this" also skip a check-in step (PRODUCT.md section 5), so they belong to
# SkipStepIntent, which is a "not now" everywhere outside a check-in.
SKIP_PHRASES = ("pass", "skip this", "skip")
MIN_SAMPLES = {"TonightsPromptIntent": 15, "NotNowIntent": 15}
SAMPLE_CHARACTERS = re.compile(r"[a-z .'{}]+")
# Said to reach the skill, not inside it: Alexa strips them or a sample must not start with them.
LAUNCH_WORDS = ("alexa", "open", "launch", "ask porch light", "tell porch light")
# Built-in intents own these on their own; a custom sample must not take them.
CORE_PHRASES = frozenset({"stop", "cancel", "help", "yes", "no", "never mind", "go home",
                          "exit", "quit"})
SLOT_REFERENCE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


@pytest.fixture(params=LOCALES)
def locale(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


def language_model(locale: str) -> dict[str, Any]:
    return interaction_model.language_model(locale)


def intents(locale: str) -> list[dict[str, Any]]:
    return list(language_model(locale)["intents"])


def all_samples(locale: str) -> Iterator[tuple[str, str]]:
    for intent in intents(locale):
        for sample in intent.get("samples") or ():
            yield intent["name"], sample


def normalised(sample: str) -> str:
    return " ".join(sample.lower().split())


def test_locale_is_listed() -> None:
    assert "en-US" in interaction_model.locales()


def test_invocation_name_is_porch_light(locale: str) -> None:
    name = language_model(locale)["invocationName"]
    assert name == "porch light"
    assert name == name.lower()
    assert len(name.split()) >= 2


def test_required_built_in_intents_are_declared(locale: str) -> None:
    assert sorted(REQUIRED_BUILT_INS - interaction_model.intent_names(locale)) == []


def test_intent_names_are_unique(locale: str) -> None:
    names = [intent["name"] for intent in intents(locale)]
    assert len(names) == len(set(names))


@pytest.fixture
def skill_intents(tmp_path: Path) -> Iterator[frozenset[str]]:
    database = tmp_path / "model.sqlite3"
    store = SQLiteStore(database)
    try:
        settings = load_settings({"database_url": f"sqlite:///{database}"}, environ={})
        yield handled_intents(build_skill(store, settings))
    finally:
        store.close()


def test_model_and_handlers_name_the_same_intents(
    locale: str, skill_intents: frozenset[str]
) -> None:
    declared = interaction_model.intent_names(locale)
    assert sorted(declared - skill_intents) == [], "declared in the model but no handler answers"
    assert sorted(skill_intents - declared) == [], "handled but users cannot say it"


@pytest.mark.parametrize("intent, minimum", sorted(MIN_SAMPLES.items()))
def test_core_intents_have_enough_samples(locale: str, intent: str, minimum: int) -> None:
    assert len(interaction_model.samples(locale)[intent]) >= minimum


def test_no_sample_is_duplicated_within_or_across_intents(locale: str) -> None:
    owners: dict[str, list[str]] = defaultdict(list)
    for intent, sample in all_samples(locale):
        owners[normalised(sample)].append(intent)
    duplicated = {sample: names for sample, names in owners.items() if len(names) > 1}
    assert duplicated == {}


def test_samples_use_only_plain_lowercase_words(locale: str) -> None:
    bad = [(intent, sample) for intent, sample in all_samples(locale)
           if not SAMPLE_CHARACTERS.fullmatch(sample) or sample != sample.strip()]
    assert bad == []


def test_no_sample_starts_with_a_launch_word_or_is_a_core_phrase(locale: str) -> None:
    launch = [(intent, sample) for intent, sample in all_samples(locale)
              if normalised(sample).startswith(LAUNCH_WORDS)]
    core = [(intent, sample) for intent, sample in all_samples(locale)
            if normalised(sample) in CORE_PHRASES]
    assert launch == []
    assert core == []


def test_every_slot_a_sample_uses_is_declared_on_its_intent(locale: str) -> None:
    problems = []
    for intent in intents(locale):
        declared = {slot["name"] for slot in intent.get("slots") or ()}
        for sample in intent.get("samples") or ():
            used = set(SLOT_REFERENCE.findall(sample))
            if used - declared:
                problems.append((intent["name"], sample, sorted(used - declared)))
            if "{" in SLOT_REFERENCE.sub("", sample) or "}" in SLOT_REFERENCE.sub("", sample):
                problems.append((intent["name"], sample, "unbalanced brace"))
    assert problems == []


def test_declared_slots_are_used_and_typed(locale: str) -> None:
    for intent in intents(locale):
        samples = " ".join(intent.get("samples") or ())
        for slot in intent.get("slots") or ():
            assert slot.get("type"), f"{intent['name']}.{slot['name']} has no type"
            assert f"{{{slot['name']}}}" in samples, (
                f"{intent['name']}.{slot['name']} appears in no sample"
            )


@pytest.mark.parametrize("phrase", NOT_NOW_PHRASES)
def test_product_not_now_phrases_are_not_now_samples(locale: str, phrase: str) -> None:
    samples = {normalised(s) for s in interaction_model.samples(locale)["NotNowIntent"]}
    assert phrase in samples


@pytest.mark.parametrize("phrase", SKIP_PHRASES)
def test_skip_phrases_are_skip_step_samples(locale: str, phrase: str) -> None:
    samples = {normalised(s) for s in interaction_model.samples(locale)["SkipStepIntent"]}
    assert phrase in samples
