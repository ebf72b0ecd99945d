"""The safety screen (pure): what it reads, in which order, and what it must leave alone."""

from __future__ import annotations

import pytest

import interaction_model
from skill.conversation.safety_screen import (
    INTENTS,
    Concern,
    ScreenDataError,
    compile_screen,
    intent_screen,
    normalise,
    screen,
    screen_for,
)


@pytest.mark.parametrize("text, concern", [
    ("he's hitting me right now", Concern.DANGER),
    ("my fiancé shoved me", Concern.ABUSE),
    ("things got physical last night", Concern.ABUSE),
    ("i feel hopeless", Concern.SELF_HARM),
    ("i just want to disappear", Concern.SELF_HARM),
    ("i can't do this anymore", Concern.SELF_HARM),
    ("i need someone to talk to", Concern.SUPPORT),
    ("i'm not okay", Concern.DISTRESS),
    ("i'm scared", Concern.DISTRESS),
    ("that question made me cry", Concern.DISTRESS),
])
def test_the_issue_phrasings_are_read(text: str, concern: Concern) -> None:
    assert screen(text) is concern


def test_the_more_urgent_concern_wins() -> None:
    assert screen("i'm crying and he's hitting me right now") is Concern.DANGER
    assert screen("i'm scared, he hit me") is Concern.ABUSE
    assert screen_all(["i'm sad", "he choked me"]) is Concern.ABUSE


def screen_all(texts: list[str]) -> Concern | None:
    from skill.conversation.safety_screen import screen_for

    return screen_for("en-US").read_all(texts)


def test_everyday_phrases_are_left_alone() -> None:
    for text in ("we're dying to hear tonight's prompt", "hit us with another prompt",
                 "i'm afraid not", "my husband pushed me to try this", "killing time",
                 "", "   ", "!!!", "open porch light"):
        assert screen(text) is None, text


def test_no_slot_value_or_synonym_of_any_locale_is_read_as_a_concern() -> None:
    """A value that resolved to one of the type's own values is read by its words alone
    (the meaning model reads only words that matched no value: "grief" is a topic)."""
    for locale in interaction_model.locales():
        for slot_type in interaction_model.language_model(locale).get("types") or ():
            for value in slot_type["values"]:
                for words in [value["name"]["value"], *value["name"].get("synonyms", ())]:
                    assert screen_for(locale).read_words(words) is None, (locale, words)


def test_locale_idioms_are_read_in_their_locale() -> None:
    assert screen("my fella knocks me about", "en-GB") is Concern.ABUSE
    assert screen("i'm doing it tough", "en-AU") is Concern.DISTRESS
    assert screen("my in laws are torturing me", "en-IN") is Concern.ABUSE
    assert screen("i'm in rough shape", "en-CA") is Concern.DISTRESS


def test_an_unknown_locale_gets_the_shared_english_screen() -> None:
    assert screen("he choked me", "fr-FR") is Concern.ABUSE
    assert screen("he choked me", None) is Concern.ABUSE


def test_words_are_normalised_before_reading() -> None:
    assert normalise("He\u2019s  HITTING me!! Fiance\u0301") == "he is hitting me fiance"
    assert normalise("I can't, she'll") == "i can not she will"


def test_the_rehearsal_matcher_reads_intent_names() -> None:
    read = intent_screen("en-US")
    assert read("he choked me") == INTENTS[Concern.ABUSE] == "AbuseIntent"
    assert read("what's tonight's prompt") is None
    assert Concern.SELF_HARM.is_crisis and not Concern.DISTRESS.is_crisis


@pytest.mark.parametrize("documents, message", [
    ([{"patterns": {"danger": ["{nowhere} now"]}}], "uses {nowhere}"),
    ([{"patterns": {"abuse": ["(unclosed"]}}], "not a valid regular expression"),
    ([{"macros": {"empty": []}}], "must be a non-empty list"),
])
def test_bad_screen_data_fails_with_a_clear_message(documents: list[dict[str, object]],
                                                    message: str) -> None:
    with pytest.raises(ScreenDataError, match=message.replace("(", r"\(").replace("{", r"\{")):
        compile_screen(documents, "test data")
