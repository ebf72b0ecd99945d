"""The rehearsal page's pure parts: the Echo Show document read as a preview, the
suggestions for each situation (always words the model understands), discreet answers,
and the browser tests' rule for a missing Chromium."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from ask_sdk_core.serialize import DefaultSerializer

from interaction_model.matcher import matcher_for
from local_tts.rehearsal.web.backend import is_discreet
from local_tts.rehearsal.web.screen import bind, dimension, read_document, screen_of
from local_tts.rehearsal.web.suggest import Situation, Suggestion, intents_for, suggestions
from local_tts.ssml import plain_text
from skill.handlers.safety import resource_lines
from skill.handlers.screen import PROMPT_DOCUMENT, prompt_screen
from tests import page_helpers

SITUATIONS = [
    Situation(),
    Situation(listening=True),
    Situation(checkin_step="permission", listening=True),
    Situation(checkin_step="appreciation"),
    Situation(checkin_step="weather", listening=True),
    Situation(checkin_step="weather"),
    Situation(checkin_step="next-week"),
    Situation(prompt_tonight=True),
    Situation(paused=True),
    Situation(prompt_tonight=True, paused=True),
    Situation(prompt_tonight=True, quiet_evening=True),
    Situation(listening=True, in_confidence=True),
]


def test_the_skills_own_document_is_read_as_the_skill_sends_it() -> None:
    directive = DefaultSerializer().serialize(
        prompt_screen("Tonight's prompt", "What made you smile <today>?"))
    response = {"response": {"directives": [{"type": "Dialog.Delegate"}, directive]}}
    screen = screen_of(response)
    assert screen is not None and screen.theme == "dark"
    title, text = screen.texts
    item = PROMPT_DOCUMENT["mainTemplate"]["items"][0]["items"]
    assert title.text == "Tonight's prompt" and text.text == "What made you smile <today>?"
    assert (title.color, title.size, title.space_after) == (item[0]["color"], 28.0, 24.0)
    assert (text.color, text.size, text.align, text.line_height) == (
        item[1]["color"], 44.0, "center", 1.4)
    assert screen.as_json()["texts"][1]["text"] == text.text


def test_responses_without_a_screen() -> None:
    assert screen_of({}) is None
    assert screen_of({"response": {"outputSpeech": {"ssml": "<speak>Hi</speak>"}}}) is None
    assert screen_of({"response": {"directives": "nonsense"}}) is None
    assert screen_of({"response": {"directives": [
        {"type": "Alexa.Presentation.APL.RenderDocument", "document": "x"}]}}) is None


@pytest.mark.parametrize("document", [
    None, {}, {"mainTemplate": []}, {"mainTemplate": {"items": [{"type": "Image"}]}},
    {"mainTemplate": {"items": "Text"}},
])
def test_documents_with_nothing_to_show(document: Any) -> None:
    assert read_document(document, {}) is None


def test_unknown_or_unsafe_styles_are_left_out() -> None:
    document = {"theme": "light", "mainTemplate": {"parameters": ["p", 3], "items": [
        {"type": "Container", "items": [
            {"type": "Text", "text": "${p.a} and ${p.missing} and ${other.x}",
             "color": "red; background: url(x)", "fontSize": "50%", "textAlign": "justify",
             "lineHeight": -1, "paddingBottom": True},
            {"type": "Container", "items": [{"type": "Text", "text": "deep",
                                             "fontSize": 12, "color": "#abc"}]},
            "not a component"]}]}}
    screen = read_document(document, {"p": {"a": "A"}})
    assert screen is not None and screen.theme == "light"
    first, second = screen.texts
    assert first.text == "A and  and "
    assert (first.color, first.size, first.align, first.line_height, first.space_after) == (
        None, None, None, None, None)
    assert (second.text, second.size, second.color) == ("deep", 12.0, "#abc")


def test_bindings_and_dimensions() -> None:
    scope = {"p": {"t": "x", "n": 3, "d": {"e": "f"}, "l": [1]}}
    assert bind("${p.t}/${ p.n }/${p.d.e}/${p.d}/${p.l}/${p}", scope) == "x/3/f///"
    assert bind("no binding $ {p.t}", scope) == "no binding $ {p.t}"
    assert [dimension(v) for v in (28, "28dp", " 1.4 ", 0, "-3", "3vw", None, [1])] == [
        28.0, 28.0, 1.4, 0.0, None, None, None, None]


@pytest.mark.parametrize("situation", SITUATIONS)
def test_every_suggestion_is_something_the_model_understands(situation: Situation) -> None:
    matcher = matcher_for("en-US")
    found = suggestions(matcher, situation)
    assert found
    for suggestion in found:
        assert matcher.recognize(suggestion.says).intent == suggestion.intent, suggestion
        assert suggestion.label[0].isupper()
    assert len({s.says for s in found}) == len(found)


def test_what_is_suggested_when() -> None:
    def said(situation: Situation) -> list[str]:
        return [s.says for s in suggestions(matcher_for("en-US"), situation)]

    assert said(Situation())[0] == "tonight's prompt"
    assert said(Situation(prompt_tonight=True))[:2] == ["another one", "gentler"]
    assert "not now" in said(Situation(prompt_tonight=True))
    assert said(Situation(listening=True))[:2] == ["yes please", "not now"]
    assert said(Situation(checkin_step="appreciation")) == ["next", "skip", "not now"]
    weather = said(Situation(checkin_step="weather", listening=True))
    assert weather[:2] == ["our weather is sunny", "our weather is cloudy"]
    assert weather[-1] == "not now"
    assert said(Situation(paused=True))[0] == "we're back"
    assert "tonight's prompt" not in said(Situation(quiet_evening=True))  # after "not now"
    assert "not now" not in said(Situation())  # nothing to decline yet
    assert said(Situation(prompt_tonight=True, in_confidence=True)) == []
    assert said(Situation(listening=True, in_confidence=True)) == ["yes please"]
    assert all(intent for intent, _ in intents_for(Situation()))


def test_labels_read_as_written() -> None:
    assert Suggestion("what can i say", "AMAZON.HelpIntent").label == "What can I say"
    assert Suggestion("it's been cloudy", "WeatherWordIntent").label == "It's been cloudy"


def test_a_model_without_weather_sentences_offers_no_weather_words() -> None:
    matcher = copy.copy(matcher_for("en-US"))  # the shared matcher stays as it is
    matcher.samples = [s for s in matcher.samples if s.intent != "WeatherWordIntent"]
    said = [s.says for s in suggestions(matcher, Situation(checkin_step="weather"))]
    assert said == ["skip", "not now"]
    assert len(matcher_for("en-US").samples) > len(matcher.samples)


@pytest.mark.parametrize("locale", ["en-US", "en-GB", "en-AU", "en-IN", "en-CA", "xx-XX"])
def test_an_answer_that_gives_a_crisis_line_is_discreet(locale: str) -> None:
    for line in resource_lines(locale):
        said = plain_text(f"<speak>{line}</speak>")
        wrapped = f"I'm glad you said something.  {said.upper()}\n Would you like it again?"
        assert is_discreet("AMAZON.FallbackIntent", wrapped, locale)
    assert is_discreet("CrisisIntent", "", locale)
    assert is_discreet("AbuseIntent", "", locale) and is_discreet("NeedHelpIntent", "", locale)
    assert is_discreet("DistressIntent", "anything", locale)
    assert not is_discreet("TonightsPromptIntent", "Here's tonight's prompt.", locale)


def test_without_chromium_the_browser_tests_skip_here_and_fail_in_ci(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(page_helpers.shutil, "which", lambda name: None)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install chromium"):
        page_helpers.chromium()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI must run the browser tests"):
        page_helpers.chromium()
