"""SSML → a plan of speech and silences (no engine needed)."""

from __future__ import annotations

import pytest

from local_tts.ssml import (
    AUDIO_STAND_IN,
    PARAGRAPH_PAUSE,
    SENTENCE_PAUSE,
    Prosody,
    Silence,
    Speech,
    SsmlError,
    break_seconds,
    plain_text,
    plan_speech,
    rate_of,
    volume_of,
)
from skill.content import content_for
from skill.handlers.common import prompt_ssml

NORMAL = Prosody()


def test_plain_text_is_spoken_as_written() -> None:
    assert plan_speech("Tom & Jerry < 3, really") == (Speech("Tom & Jerry < 3, really"),)


def test_breaks_become_silences_of_their_length() -> None:
    assert plan_speech('<speak>One. <break time="2s"/> Two. <break time="250ms"/>'
                       '<break time="1.5s"/>Three.</speak>') == (
        Speech("One."), Silence(2.0), Speech("Two."), Silence(1.75), Speech("Three."))


@pytest.mark.parametrize("time, strength, seconds", [
    ("500ms", None, 0.5), ("1s", None, 1.0), ("1.5s", None, 1.5), ("30s", None, 10.0),
    (None, "none", 0.0), (None, "x-weak", 0.1), (None, "weak", 0.25), (None, None, 0.4),
    (None, "strong", 0.7), (None, "x-strong", 1.0), ("soon", "odd", 0.4),
])
def test_break_lengths(time: str | None, strength: str | None, seconds: float) -> None:
    assert break_seconds(time, strength) == seconds


@pytest.mark.parametrize("value, rate", [
    ("92%", 0.92), ("150%", 1.5), ("5%", 0.2), ("x-slow", 0.7), ("slow", 0.85),
    ("fast", 1.2), ("x-fast", 1.4), ("medium", 1.0), (None, 1.0), ("quick%", 1.0),
    ("whatever", 1.0),
])
def test_prosody_rates(value: str | None, rate: float) -> None:
    assert rate_of(value) == rate


@pytest.mark.parametrize("value, volume", [
    ("soft", 0.7), ("x-loud", 1.4), ("silent", 0.0), ("+6dB", 10 ** 0.3), ("-6dB", 10 ** -0.3),
    (None, 1.0), ("medium", 1.0),
])
def test_prosody_volumes(value: str | None, volume: float) -> None:
    assert volume_of(value) == pytest.approx(volume)


def test_prosody_nests_and_scales() -> None:
    plan = plan_speech('<speak><prosody rate="80%" volume="loud">Slow and loud '
                       '<prosody rate="50%">slower still</prosody></prosody> normal</speak>')
    assert plan == (Speech("Slow and loud", Prosody(0.8, 1.2)),
                    Speech("slower still", Prosody(0.4, 1.2)), Speech("normal", NORMAL))


def test_sentences_and_paragraphs_pause_briefly() -> None:
    assert plan_speech("<speak><p><s>One.</s><s>Two.</s></p><p>Three.</p></speak>") == (
        Speech("One."), Silence(SENTENCE_PAUSE), Speech("Two."),
        Silence(SENTENCE_PAUSE + PARAGRAPH_PAUSE), Speech("Three."), Silence(PARAGRAPH_PAUSE))


def test_emphasis_whisper_and_emotion_change_how_words_sound() -> None:
    plan = plan_speech('<speak><emphasis level="strong">Really</emphasis> '
                       '<emphasis level="reduced">quietly</emphasis> '
                       '<amazon:effect name="whispered">a secret</amazon:effect> '
                       '<amazon:emotion name="excited" intensity="high">yes</amazon:emotion>'
                       "</speak>")
    assert plan == (
        Speech("Really", Prosody(0.9, 1.15)), Speech("quietly", Prosody(1.05, 0.85)),
        Speech("a secret", Prosody(1.0, 0.8, whisper=True)), Speech("yes", Prosody(1.1, 1.1)))


def test_say_as_sub_audio_and_unknown_tags() -> None:
    plan = plan_speech('<speak><say-as interpret-as="characters">SSML</say-as> and '
                       '<say-as interpret-as="digits">42</say-as> '
                       '<say-as interpret-as="cardinal">12</say-as> '
                       '<sub alias="World Wide Web">WWW</sub>'
                       '<audio src="https://example.org/chime.mp3"/>'
                       '<lang xml:lang="fr-FR">bonjour</lang> <phoneme alphabet="ipa" '
                       'ph="pi.kan">pecan</phoneme> <voice name="Kendra">hi</voice> '
                       "<sparkle>read me</sparkle></speak>")
    assert plan == (Speech("S S M L and 4 2 12 World Wide Web"), Silence(AUDIO_STAND_IN),
                    Speech("bonjour pecan hi read me"))


def test_an_explicit_amazon_namespace_is_fine() -> None:
    ssml = ('<speak xmlns:amazon="https://amazon.com/ssml"><amazon:effect name="whispered">'
            "hush</amazon:effect></speak>")
    assert plan_speech(ssml) == (Speech("hush", Prosody(1.0, 0.8, whisper=True)),)


@pytest.mark.parametrize("ssml", ["<speak>unclosed", "<speak><break time='1s'></speak>",
                                  "a <b>c</d>"])
def test_broken_ssml_says_where(ssml: str) -> None:
    with pytest.raises(SsmlError, match=r"not valid SSML: .*line 1, column"):
        plan_speech(ssml)


def test_empty_speech_plans_nothing() -> None:
    assert plan_speech("") == ()
    assert plan_speech("<speak> </speak>") == ()
    assert plain_text("<speak><break time='1s'/></speak>") == ""


def test_plain_text_strips_tags_and_keeps_words_apart() -> None:
    assert plain_text('<speak>Hello.<break time="1s"/>Are you <emphasis>there</emphasis>?'
                      "</speak>") == "Hello. Are you there ?"


def all_content_ssml() -> list[str]:
    content = content_for("en-US")
    lines = [variant for variants in content.lines.values() for variant in variants]
    return lines + [prompt_ssml(prompt) for prompt in content.prompts]


def test_every_line_and_prompt_the_skill_says_can_be_planned() -> None:
    for ssml in all_content_ssml():
        plan = plan_speech(ssml.replace("{until}", "Friday"))
        assert any(isinstance(segment, Speech) for segment in plan), ssml
