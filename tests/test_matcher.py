"""The matcher's parts: normalisation, invocations, built-in slot values, custom types."""

from __future__ import annotations

import random
import string
from typing import Any

import pytest

import interaction_model
from interaction_model.invocation import InvocationStripper
from interaction_model.matcher import FALLBACK_INTENT, Matcher, RequestKind, recognize
from interaction_model.numbers import parse_day, parse_duration, parse_number, parse_time
from interaction_model.text import normalise, tokens


@pytest.mark.parametrize("text, expected", [
    ("What\u2019s tonight\u2019s prompt?", "what is tonights prompt"),
    ("whats tonights prompt", "what is tonights prompt"),
    ("Let's NOT, okay!", "let us not okay"),
    ("we're   not ready...", "we are not ready"),
    ("I don't know", "i do not know"),
    ("ok, 7pm", "okay 7 pm"),
    ("seven p.m.", "seven pm"),
    ("check-in & boundaries", "check in and boundaries"),
    ("'quoted'", "quoted"),
    ("", ""),
])
def test_normalise(text: str, expected: str) -> None:
    assert normalise(text) == expected


def test_slot_references_survive_normalisation() -> None:
    assert tokens("Pause for {duration}") == ("pause", "for", "{duration}")


STRIPPER = InvocationStripper("porch light")


@pytest.mark.parametrize("text, words, invoked, launch", [
    ("Alexa, ask Porch Light for tonight's prompt", "for tonights prompt", True, False),
    ("tell porch light to pause for a week", "to pause for a week", True, False),
    ("open porch light", "", True, True),
    ("hey alexa, talk to porch light", "", True, True),
    ("alexa launch porchlight", "", True, True),
    ("can you ask porch lights for help", "for help", True, False),
    ("get us a prompt from porch light", "get us a prompt", True, False),
    ("unpause porch light", "unpause", True, False),
    ("pause porch light for a week", "pause for a week", False, False),
    ("alexa, another one", "another one", False, False),
    ("porch", "porch", False, False),
])
def test_invocations_are_stripped(text: str, words: str, invoked: bool, launch: bool) -> None:
    found = STRIPPER.strip(tokens(text))
    assert (" ".join(found.words), found.invoked, found.launch) == (words, invoked, launch)


def test_a_leading_connector_gives_a_second_reading() -> None:
    found = STRIPPER.strip(tokens("ask porch light to please give us a prompt"))
    assert found.alternatives == (("give", "us", "a", "prompt"),)


@pytest.mark.parametrize("words, iso", [
    ("a week", "P1W"), ("two weeks", "P2W"), ("a month", "P1M"), ("three days", "P3D"),
    ("2 weeks", "P2W"), ("a couple of weeks", "P2W"), ("a fortnight", "P2W"),
    ("ten days", "P10D"), ("a few days", "P3D"), ("an hour", "PT1H"),
    ("half an hour", "PT30M"), ("an hour and a half", "PT1H30M"), ("a week and two days", "P9D"),
    ("a week and a half", "P10D"), ("a year", "P1Y"), ("ninety minutes", "PT90M"),
    ("two nights", "P2D"),
])
def test_durations(words: str, iso: str) -> None:
    assert parse_duration(words.split()) == iso


@pytest.mark.parametrize("words", ["weeks", "a while", "two", "week week", "a day a day",
                                   "and a half", "five five days", ""])
def test_not_durations(words: str) -> None:
    assert parse_duration(words.split()) is None


@pytest.mark.parametrize("words, number", [
    ("twenty one", 21), ("a hundred and five", 105), ("7", 7), ("one hundred", 100),
    ("two thousand twenty six", 2026), ("nineteen", 19), ("zero", 0),
])
def test_numbers(words: str, number: int) -> None:
    assert parse_number(words.split()) == number


@pytest.mark.parametrize("words", ["five five", "twenty twenty", "hundred", "and", "a",
                                   "one and", "twenty eleven", "thousand thousand"])
def test_not_numbers(words: str) -> None:
    assert parse_number(words.split()) is None


@pytest.mark.parametrize("words, strict, lenient", [
    ("seven pm", "19:00", "19:00"), ("7 30 pm", "19:30", "19:30"),
    ("half past eight in the evening", "20:30", "20:30"), ("noon", "12:00", "12:00"),
    ("midnight", "00:00", "00:00"), ("quarter to seven pm", "18:45", "18:45"),
    ("eight oclock", "08:00", "08:00"), ("evening", "EV", "EV"), ("12 am", "00:00", "00:00"),
    ("seven", None, "07:00"), ("seven thirty", None, "07:30"), ("nine tonight", "21:00", "21:00"),
    ("thirteen pm", None, None), ("half past", None, None), ("seven ninety", None, None),
])
def test_times(words: str, strict: str | None, lenient: str | None) -> None:
    assert parse_time(words.split()) == strict
    assert parse_time(words.split(), strict=False) == lenient


def test_days() -> None:
    assert parse_day(["sundays"]) == "sunday"
    assert parse_day(["someday"]) is None
    assert parse_day(["next", "sunday"]) is None


def model(intents: list[dict[str, Any]], types: list[dict[str, Any]] | None = None,
          ) -> dict[str, Any]:
    required = [{"name": name, "samples": []} for name in (
        "AMAZON.StopIntent", "AMAZON.CancelIntent", "AMAZON.HelpIntent",
        "AMAZON.NavigateHomeIntent", "AMAZON.FallbackIntent")]
    return {"interactionModel": {"languageModel": {
        "invocationName": "porch light", "intents": intents + required, "types": types or []}}}


TOPICS = {"name": "TopicType", "values": [
    {"id": "MONEY", "name": {"value": "money", "synonyms": ["finances", "bills", "paying bills"]}},
    {"id": "WORK", "name": {"value": "work", "synonyms": ["the office", "my job"]}},
]}
BOUNDARIES = Matcher(model([
    {"name": "SetBoundaryIntent", "slots": [{"name": "topic", "type": "TopicType"}],
     "samples": ["let's not talk about {topic}", "{topic} is off limits"]},
    {"name": "SetReminderIntent",
     "slots": [{"name": "day", "type": "AMAZON.DayOfWeek"},
               {"name": "time", "type": "AMAZON.TIME"}],
     "samples": ["remind us on {day} at {time}", "remind us at {time}"]},
    {"name": "ShareIntent", "slots": [{"name": "thought", "type": "AMAZON.SearchQuery"}],
     "samples": ["i want to say {thought}"]},
    {"name": "CountIntent", "slots": [{"name": "count", "type": "AMAZON.NUMBER"}],
     "samples": ["give us {count} prompts"]},
], [TOPICS]))


def slot_values(text: str) -> dict[str, tuple[str, str | None]]:
    found = BOUNDARIES.recognize(text)
    return {name: (value.value, value.resolved_id) for name, value in found.slots.items()}


def test_custom_slot_synonyms_resolve_to_their_id() -> None:
    assert slot_values("let's not talk about paying bills") == {
        "topic": ("paying bills", "MONEY")}
    assert slot_values("the office is off limits") == {"topic": ("the office", "WORK")}


def test_a_custom_value_inside_extra_words_is_found() -> None:
    found = BOUNDARIES.recognize("please let's not talk about our finances tonight")
    assert found.intent == "SetBoundaryIntent"
    assert found.slots["topic"].resolved_id == "MONEY"
    assert found.slots["topic"].resolved_name == "money"


def test_an_unknown_custom_value_is_passed_on_unresolved_like_alexa() -> None:
    found = BOUNDARIES.recognize("let's not talk about the garden")
    assert found.intent == "SetBoundaryIntent" and found.score < 1.0
    assert (found.slots["topic"].value, found.slots["topic"].resolved_id) == ("the garden", None)


def test_time_day_number_and_phrase_slots() -> None:
    assert slot_values("remind us on sundays at seven p.m.") == {
        "day": ("sunday", None), "time": ("19:00", None)}
    assert slot_values("remind us at seven") == {"time": ("07:00", None)}
    assert slot_values("please remind us at 8 pm") == {"time": ("20:00", None)}
    assert slot_values("give us three prompts") == {"count": ("3", None)}
    assert slot_values("i want to say thank you for today") == {
        "thought": ("thank you for today", None)}


def test_a_launch_is_not_an_intent() -> None:
    found = recognize("Alexa, open Porch Light")
    assert found.request_type is RequestKind.LAUNCH and found.is_launch
    assert (found.intent, found.invoked, found.slots) == (None, True, {})


def test_a_fallback_names_the_nearest_intent() -> None:
    found = recognize("what's the tallest mountain in the world prompt")
    assert found.intent == FALLBACK_INTENT and found.is_fallback
    assert found.nearest in interaction_model.intent_names("en-US")
    assert 0 < found.score < 0.6


def test_a_fallback_with_nothing_near_names_nothing() -> None:
    found = recognize("hmm")
    assert (found.intent, found.nearest, found.score) == (FALLBACK_INTENT, None, 0.0)


def test_invoked_is_reported() -> None:
    assert recognize("tell porch light not now").invoked
    assert not recognize("not now").invoked


def test_tolerant_matches_score_below_one() -> None:
    exact, near = recognize("not now"), recognize("um not now thanks dear")
    assert exact.score == 1.0 and exact.sample == "not now"
    assert near.intent == "NotNowIntent" and 0.6 <= near.score < 1.0


GARBAGE = ["", " ", "{", "}", "{duration}", "{{}}", "' ' '", "alexa", "ask", "ask porch",
           "porch light porch light porch light", "\u0000\u200b\ufeff", "ñandú 🙂 日本語",
           "a " * 400, "pause for " + "two weeks " * 30, "12345678901234567890 days",
           "7:30:15 pm", "---", "....", "p.m.", "alexa alexa alexa", "tell porch light to"]


@pytest.mark.parametrize("text", GARBAGE)
def test_never_raises(text: str) -> None:
    found = recognize(text)
    assert found.request_type in (RequestKind.LAUNCH, RequestKind.INTENT)
    assert 0.0 <= found.score <= 1.0


def test_never_raises_on_random_text() -> None:
    chooser = random.Random(4)
    alphabet = string.ascii_letters + string.digits + string.punctuation + " \u2019\u00e9"
    for _ in range(300):
        text = "".join(chooser.choice(alphabet) for _ in range(chooser.randint(0, 60)))
        assert recognize(text).score <= 1.0
    for _ in range(100):
        words = chooser.sample(["not", "now", "pause", "for", "two", "weeks", "porch", "light",
                                "ask", "a", "deeper", "{", "seven", "pm"], k=6)
        assert recognize(" ".join(words)).score <= 1.0


def test_a_model_without_a_language_model_is_refused_clearly() -> None:
    with pytest.raises(ValueError, match=r"interactionModel\.languageModel"):
        Matcher({"intents": []})


def test_broken_samples_are_skipped_not_fatal() -> None:
    matcher = Matcher(model([
        {"name": "OddIntent", "slots": [{"name": "x", "type": "AMAZON.NUMBER"}],
         "samples": ["{undeclared} thing", "{x} and {x}", "", "count {x}"]},
        "not an intent",  # type: ignore[list-item]
    ], ["not a type"]))  # type: ignore[list-item]
    assert matcher.recognize("count five").slots["x"].value == "5"


def test_a_sample_of_a_slot_alone_takes_only_known_values() -> None:
    matcher = Matcher(model([
        {"name": "TopicIntent", "slots": [{"name": "topic", "type": "TopicType"}],
         "samples": ["{topic}"]},
        {"name": "ThoughtIntent", "slots": [{"name": "thought", "type": "AMAZON.SearchQuery"}],
         "samples": ["{thought}"]},
    ], [TOPICS]))
    assert matcher.recognize("the office").slots["topic"].resolved_id == "WORK"
    assert matcher.recognize("what's the capital of france").is_fallback
