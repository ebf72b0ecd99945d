"""Locales must not drift apart (issue 3, section 6).

en-US is the reference. Every other locale's interaction model declares the same intents,
slots and custom slot types (type names and value ids), with its own samples and synonyms;
every content locale overrides only keys and prompts en-US has, keeping their placeholders,
levels, categories and topics; every model locale has content and crisis resources; and a
signed request in each locale gets that locale's answer through the endpoint.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

import pytest
import yaml

import interaction_model
from skill.content import content_locales, load_content, placeholders
from skill.content.ssml import escape_text, to_plain_text
from skill.conversation.clock import LOCALE_TIMEZONES
from skill.handlers.safety import safety_resources
from tests.conftest import Alexa, speech
from tests.envelopes import Device

REFERENCE = "en-US"
MODEL_LOCALES = interaction_model.locales()
CONTENT_LOCALES = content_locales()
OTHER_MODEL_LOCALES = [locale for locale in MODEL_LOCALES if locale != REFERENCE]
OTHER_CONTENT_LOCALES = [locale for locale in CONTENT_LOCALES if locale != REFERENCE]
# The English locales Alexa offers that Porch Light ships (issue 3, section 6).
SHIPPED = ("en-AU", "en-CA", "en-GB", "en-IN", "en-US")


def intent_slots(locale: str) -> dict[str, dict[str, str]]:
    """intent -> {slot name: slot type}."""
    return {
        intent["name"]: {slot["name"]: slot["type"] for slot in intent.get("slots") or ()}
        for intent in interaction_model.language_model(locale)["intents"]
    }


def custom_types(locale: str) -> dict[str, list[str]]:
    """custom slot type -> its value ids, in order."""
    return {
        custom["name"]: [str(value["id"]) for value in custom["values"]]
        for custom in interaction_model.language_model(locale).get("types") or ()
    }


def override_file(locale: str, name: str) -> Any:
    """A locale's own content file, parsed, or None when it has none."""
    resource = resources.files("skill.content").joinpath(locale, name)
    if not resource.is_file():
        return None
    return yaml.safe_load(resource.read_text(encoding="utf-8"))


# ------------------------------------------------------------------------ the models


def test_every_shipped_locale_has_a_model_and_content() -> None:
    assert set(SHIPPED) <= set(MODEL_LOCALES)
    assert set(MODEL_LOCALES) == set(CONTENT_LOCALES), (
        "a locale needs both a model (interaction_model/) and a content folder (skill/content/)"
    )


@pytest.mark.parametrize("locale", MODEL_LOCALES)
def test_invocation_name_is_porch_light(locale: str) -> None:
    assert interaction_model.language_model(locale)["invocationName"] == "porch light"


@pytest.mark.parametrize("locale", OTHER_MODEL_LOCALES)
def test_model_declares_the_same_intents_as_en_us(locale: str) -> None:
    reference = interaction_model.intent_names(REFERENCE)
    declared = interaction_model.intent_names(locale)
    assert sorted(reference - declared) == [], f"{locale} is missing intents"
    assert sorted(declared - reference) == [], f"{locale} declares intents en-US lacks"


@pytest.mark.parametrize("locale", OTHER_MODEL_LOCALES)
def test_model_declares_the_same_slots_as_en_us(locale: str) -> None:
    reference = intent_slots(REFERENCE)
    declared = intent_slots(locale)
    assert {name: declared.get(name) for name in reference} == reference


@pytest.mark.parametrize("locale", OTHER_MODEL_LOCALES)
def test_model_has_the_same_custom_types_and_value_ids_as_en_us(locale: str) -> None:
    reference = custom_types(REFERENCE)
    declared = custom_types(locale)
    assert sorted(declared) == sorted(reference), f"{locale}: custom slot type names differ"
    for name, ids in reference.items():
        assert sorted(declared[name]) == sorted(ids), f"{locale}: {name} value ids differ"
        assert len(set(declared[name])) == len(declared[name]), f"{locale}: {name} repeats an id"


@pytest.mark.parametrize("locale", MODEL_LOCALES)
def test_a_synonym_names_one_value_only(locale: str) -> None:
    for custom in interaction_model.language_model(locale).get("types") or ():
        owners: dict[str, set[str]] = {}
        for value in custom["values"]:
            name = value["name"]
            for word in [name["value"], *(name.get("synonyms") or ())]:
                owners.setdefault(word.lower(), set()).add(str(value["id"]))
        shared = {word: ids for word, ids in owners.items() if len(ids) > 1}
        assert shared == {}, f"{locale} {custom['name']}: words name two values"


@pytest.mark.parametrize("locale", MODEL_LOCALES)
def test_every_model_locale_has_an_evening_time_zone(locale: str) -> None:
    assert locale in LOCALE_TIMEZONES


# ----------------------------------------------------------------------- the content


@pytest.mark.parametrize("locale", MODEL_LOCALES)
def test_every_model_locale_has_content_and_crisis_resources(locale: str) -> None:
    assert locale in CONTENT_LOCALES, f"add skill/content/{locale}/lines.yaml"
    entry = safety_resources()["resources"].get(locale)
    assert entry, f"add {locale} to skill/content/safety.yaml"
    assert entry.get("emergency") and entry.get("crisis")


@pytest.mark.parametrize("locale", OTHER_CONTENT_LOCALES)
def test_line_overrides_name_en_us_keys_and_keep_their_placeholders(locale: str) -> None:
    reference = load_content(REFERENCE).lines
    overrides = override_file(locale, "lines.yaml") or {}
    assert overrides, f"skill/content/{locale}/lines.yaml holds no override"
    unknown = sorted(set(overrides) - set(reference))
    assert unknown == [], f"{locale} overrides keys en-US does not have"
    for key in overrides:
        expected = {frozenset(placeholders(v)) for v in reference[key]}
        for variant in load_content(locale).lines[key]:
            assert {frozenset(placeholders(variant))} == expected, (key, variant)


@pytest.mark.parametrize("locale", OTHER_CONTENT_LOCALES)
def test_line_overrides_differ_from_en_us(locale: str) -> None:
    """An override that repeats en-US word for word only hides later en-US edits."""
    reference = load_content(REFERENCE).lines
    own = load_content(locale).lines
    same = [key for key in override_file(locale, "lines.yaml") or {}
            if key in reference and own[key] == reference[key]]
    assert same == []


@pytest.mark.parametrize("locale", OTHER_CONTENT_LOCALES)
def test_prompt_overrides_keep_id_level_category_and_topics(locale: str) -> None:
    reference = load_content(REFERENCE)
    content = load_content(locale)
    assert [p.id for p in content.prompts] == [p.id for p in reference.prompts]
    doc = override_file(locale, "prompts.yaml") or {"prompts": []}
    for raw in doc["prompts"]:
        mine = content.by_id[raw["id"]]
        theirs = reference.by_id[raw["id"]]
        assert (mine.level, mine.category, mine.topics) == (
            theirs.level, theirs.category, theirs.topics
        ), raw["id"]
        assert mine.text != theirs.text, f"{raw['id']}: a replacement needs other words"
    for prompt in content.prompts:
        theirs = reference.by_id[prompt.id]
        assert (prompt.level, prompt.category, prompt.topics) == (
            theirs.level, theirs.category, theirs.topics
        ), prompt.id


# ------------------------------------------------------ through the signed endpoint


@pytest.mark.parametrize("locale", MODEL_LOCALES)
def test_tonights_prompt_in_every_locale(alexa: Alexa, clock: Any, locale: str) -> None:
    device = Device(clock, locale=locale)
    payload = alexa.send(device, device.intent("TonightsPromptIntent", one_shot=True))
    said = to_plain_text(speech(payload))
    texts = [to_plain_text(escape_text(p.text)) for p in load_content(locale).prompts]
    assert any(text in said for text in texts), said
    assert payload["response"]["shouldEndSession"] is True


def own_variants(locale: str, key: str) -> set[str]:
    """The variants of ``key`` in the locale's own file only (not merged with en-US), as
    plain text, minus any en-US has too: words that prove the locale's content was used."""
    own = (override_file(locale, "lines.yaml") or {}).get(key) or []
    reference = {to_plain_text(v) for v in load_content(REFERENCE).lines[key]}
    return {to_plain_text(v) for v in own} - reference


def locales_overriding(key: str) -> list[str]:
    return [locale for locale in OTHER_MODEL_LOCALES if own_variants(locale, key)]


def request_id_for_own_words(locale: str, key: str) -> tuple[str, str]:
    """A request id for which the locale's ``key`` line is one of its own words (variants
    rotate by request id), and those words."""
    for number in range(1000):
        request_id = f"amzn1.echo-api.request.locale-{number}"
        chosen = to_plain_text(load_content(locale).line(key, request_id))
        if chosen in own_variants(locale, key):
            return request_id, chosen
    raise AssertionError(f"no request id picks {locale}'s own {key} words")


@pytest.mark.parametrize("locale", locales_overriding("not_now"))
def test_not_now_speaks_the_locales_own_words(alexa: Alexa, clock: Any, locale: str) -> None:
    """The expected words exist only in the locale's own file, never in en-US: serving
    en-US words in every locale fails here every time (issue 12: it used to pass 1 run in
    15, its expectation built from the same merged content the code serves)."""
    request_id, expected = request_id_for_own_words(locale, "not_now")
    device = Device(clock, locale=locale)
    alexa.send(device, device.intent("TonightsPromptIntent", one_shot=True))
    envelope = device.intent("NotNowIntent", one_shot=True)
    envelope["request"]["requestId"] = request_id
    assert to_plain_text(speech(alexa.send(device, envelope))) == expected


@pytest.mark.parametrize("locale", locales_overriding("goodbye"))
def test_goodbye_speaks_the_locales_own_words(alexa: Alexa, clock: Any, locale: str) -> None:
    request_id, expected = request_id_for_own_words(locale, "goodbye")
    device = Device(clock, locale=locale)
    envelope = device.intent("AMAZON.StopIntent", one_shot=True)
    envelope["request"]["requestId"] = request_id
    assert to_plain_text(speech(alexa.send(device, envelope))) == expected


def test_every_other_shipped_locale_has_words_of_its_own_to_check() -> None:
    """The goodbye test checks something for every locale but en-US."""
    assert set(locales_overriding("goodbye")) == set(OTHER_MODEL_LOCALES)


@pytest.mark.parametrize("locale", MODEL_LOCALES)
def test_crisis_and_danger_give_the_locales_own_numbers(
    alexa: Alexa, clock: Any, locale: str
) -> None:
    device = Device(clock, locale=locale)
    entry = safety_resources()["resources"][locale]
    for intent, kind in (("CrisisIntent", "crisis"), ("DangerIntent", "emergency")):
        payload = alexa.send(device, device.intent(intent, one_shot=True))
        said = to_plain_text(speech(payload))
        assert to_plain_text(f"<speak>{entry[kind]['number']}</speak>") in said
        assert "card" not in payload["response"]


def test_pause_dates_are_read_the_locales_way(alexa: Any, clock: Any) -> None:
    from tests.conftest import speech
    from tests.envelopes import Device

    british = Device(clock, locale="en-GB")
    said = speech(alexa.send(british, british.intent("PauseIntent", {"duration": "P1W"},
                                                     one_shot=True)))
    assert "Saturday 5 December" in said  # London time
    american = Device(clock)
    said = speech(alexa.send(american, american.intent("PauseIntent", {"duration": "P1W"},
                                                       one_shot=True)))
    assert "Friday, December 4" in said  # New York time
