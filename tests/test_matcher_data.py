"""Data tests for the matcher, in the style of home-assistant/intents.

Every model in ``interaction_model/`` (every locale present): each sample resolves to its
own intent. Where ``tests/data/utterances/<locale>.yaml`` exists (en-US must have one),
real phrasings resolve to their intent and slots, and out-of-domain ones fall back.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

import interaction_model
from interaction_model.matcher import Matcher, matcher_for
from interaction_model.text import normalise

UTTERANCES = Path(__file__).parent / "data" / "utterances"
REQUIRED_DATA = ("en-US",)
SLOT = re.compile(r"\{([A-Za-z][A-Za-z0-9_]*)\}")

# Words to say for a slot of each type when a sample is spoken, and the value expected.
EXAMPLE_VALUES = {
    "AMAZON.DURATION": ("two weeks", "P2W"),
    "AMAZON.NUMBER": ("three", "3"),
    "AMAZON.TIME": ("seven p.m.", "19:00"),
    "AMAZON.DayOfWeek": ("sunday", "sunday"),
}


def load_data(locale: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((UTTERANCES / f"{locale}.yaml").read_text())
    return data


def data_locales() -> list[str]:
    return sorted(p.stem for p in UTTERANCES.glob("*.yaml"))


def example_for(language: dict[str, Any], slot_type: str) -> tuple[str, str]:
    """Words for a slot of ``slot_type`` and the value the matcher should report."""
    for custom in language.get("types") or ():
        if custom["name"] == slot_type:
            value = custom["values"][0]["name"]["value"]
            return value, value
    return EXAMPLE_VALUES.get(slot_type, ("something on my mind", "something on my mind"))


def spoken_samples() -> list[tuple[str, str, str, dict[str, str]]]:
    """(locale, intent, sample with slots filled, expected slot values) for every sample."""
    cases = []
    for locale in interaction_model.locales():
        language = interaction_model.language_model(locale)
        for intent in language["intents"]:
            types = {s["name"]: s["type"] for s in intent.get("slots") or ()}
            for sample in intent.get("samples") or ():
                expected: dict[str, str] = {}
                text = sample
                for name in SLOT.findall(sample):
                    words, value = example_for(language, types[name])
                    text = text.replace(f"{{{name}}}", words)
                    expected[name] = value
                cases.append((locale, intent["name"], text, expected))
    return cases


@pytest.mark.parametrize("locale, intent, text, slots", spoken_samples())
def test_every_sample_resolves_to_its_own_intent(
    locale: str, intent: str, text: str, slots: dict[str, str]
) -> None:
    found = matcher_for(locale).recognize(text)
    assert (found.intent, found.score) == (intent, 1.0), found
    assert {name: value.value for name, value in found.slots.items()} == slots


@pytest.mark.parametrize("locale", REQUIRED_DATA)
def test_required_locales_have_real_phrasings(locale: str) -> None:
    assert (UTTERANCES / f"{locale}.yaml").is_file()


def test_every_data_file_belongs_to_a_model() -> None:
    assert set(data_locales()) <= set(interaction_model.locales())


def phrasing_cases() -> list[tuple[str, str, str, dict[str, str], dict[str, str | None]]]:
    cases = []
    for locale in data_locales():
        for test in load_data(locale)["tests"]:
            slots = {name: str(value) for name, value in
                     (test["intent"].get("slots") or {}).items()}
            resolved = {name: None if value is None else str(value) for name, value in
                        (test["intent"].get("resolved") or {}).items()}
            for sentence in test["sentences"]:
                cases.append((locale, str(sentence), test["intent"]["name"], slots, resolved))
    return cases


@pytest.mark.parametrize("locale, sentence, intent, slots, resolved", phrasing_cases())
def test_real_phrasings_resolve(locale: str, sentence: str, intent: str,
                                slots: dict[str, str], resolved: dict[str, str | None]) -> None:
    found = matcher_for(locale).recognize(sentence)
    assert found.intent == intent, found
    assert {name: value.value for name, value in found.slots.items()} == slots
    assert {name: found.slots[name].resolved_id for name in resolved} == resolved


@pytest.mark.parametrize("locale, sentence", [
    (locale, sentence) for locale in data_locales() for sentence in load_data(locale)["launch"]
])
def test_launch_phrasings_open_the_skill(locale: str, sentence: str) -> None:
    found = matcher_for(locale).recognize(sentence)
    assert found.is_launch and found.intent is None, found


@pytest.mark.parametrize("locale, sentence", [
    (locale, str(sentence)) for locale in data_locales()
    for sentence in load_data(locale)["fallback"]
])
def test_out_of_domain_phrasings_fall_back(locale: str, sentence: str) -> None:
    found = matcher_for(locale).recognize(sentence)
    assert found.is_fallback, found
    assert matcher_for(locale).match(sentence) is None


@pytest.mark.parametrize("locale", data_locales())
def test_phrasings_are_not_copies_of_samples(locale: str) -> None:
    samples = {normalise(s) for texts in interaction_model.samples(locale).values()
               for s in texts}
    sentences = [sentence for where, sentence, *_ in phrasing_cases() if where == locale]
    copied = [sentence for sentence in sentences if normalise(sentence) in samples]
    assert len(copied) <= len(sentences) // 5, f"mostly real phrasings, please: {copied}"


@pytest.mark.parametrize("locale", data_locales())
def test_every_intent_in_the_data_exists_in_the_model(locale: str) -> None:
    named = {test["intent"]["name"] for test in load_data(locale)["tests"]}
    assert named <= interaction_model.intent_names(locale)


def test_packaged_matchers_are_built_once() -> None:
    assert matcher_for("en-US") is matcher_for("en-US")
    assert isinstance(matcher_for("en-US"), Matcher)
