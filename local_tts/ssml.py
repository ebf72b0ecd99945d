"""Alexa SSML → a plan of speech and silences that keeps the skill's pacing.

A real XML parser reads the SSML. ``<break>`` becomes silence of its length (or
strength); ``<prosody rate|volume>`` scales the engine's rate and volume; ``<s>`` and
``<p>`` pause briefly after; ``<emphasis>`` is a little slower and louder, whispered
text (``<amazon:effect name="whispered">``) quiet and, where the engine can, whispered;
``<sub alias>`` says the alias and ``<say-as interpret-as="characters">`` spells. Tags
the plan has no use for (``<lang>``, ``<phoneme>``, unknown ones) are read as their text.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, replace
from xml.sax.saxutils import escape

AMAZON_NAMESPACE = "urn:porchlight:amazon-ssml"
ALEXA_NAMESPACE = "urn:porchlight:alexa-ssml"
MAX_BREAK_SECONDS = 10.0
SENTENCE_PAUSE = 0.35
PARAGRAPH_PAUSE = 0.6
AUDIO_STAND_IN = 0.3
BREAK_STRENGTHS = {"none": 0.0, "x-weak": 0.1, "weak": 0.25, "medium": 0.4, "strong": 0.7,
                   "x-strong": 1.0}
RATES = {"x-slow": 0.7, "slow": 0.85, "medium": 1.0, "fast": 1.2, "x-fast": 1.4}
VOLUMES = {"silent": 0.0, "x-soft": 0.5, "soft": 0.7, "medium": 1.0, "loud": 1.2,
           "x-loud": 1.4}
EMPHASIS = {"strong": (0.9, 1.15), "moderate": (0.95, 1.1), "reduced": (1.05, 0.85),
            "none": (1.0, 1.0)}
EMOTIONS = {"excited": (1.1, 1.1), "disappointed": (0.9, 0.9)}
_TIME = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|s)")
_DECIBELS = re.compile(r"([+-]?\d+(?:\.\d+)?)dB")
_SPACES = re.compile(r"\s+")
_TAG_START = re.compile(r"<[A-Za-z/!?]")


class SsmlError(ValueError):
    """The text looks like SSML but is not well-formed XML; the message says where."""


@dataclass(frozen=True)
class Prosody:
    """How a stretch of speech is said, relative to the speaker's own settings."""

    rate: float = 1.0
    """Speaking rate as a multiple of the base rate."""
    volume: float = 1.0
    """Volume as a multiple of the base volume."""
    whisper: bool = False
    """Whispered (``amazon:effect name="whispered"``)."""

    def scaled(self, rate: float = 1.0, volume: float = 1.0) -> Prosody:
        return replace(self, rate=min(2.0, max(0.2, self.rate * rate)),
                       volume=min(2.0, max(0.0, self.volume * volume)))


@dataclass(frozen=True)
class Speech:
    """Words to say, and how."""

    text: str
    """Plain text for the engine."""
    prosody: Prosody = Prosody()
    """Rate, volume and whisper."""


@dataclass(frozen=True)
class Silence:
    """A pause."""

    seconds: float
    """Its length."""


Segment = Speech | Silence


def parse(ssml: str) -> ET.Element:
    """The ``<speak>`` element of ``ssml``; plain text is wrapped and escaped first."""
    text = ssml.strip()
    if not _TAG_START.search(text):
        text = escape(text)
    if not text.startswith("<speak"):
        text = f"<speak>{text}</speak>"
    if "amazon:" in text and "xmlns:amazon" not in text:
        text = text.replace("<speak", f'<speak xmlns:amazon="{AMAZON_NAMESPACE}"', 1)
    if "alexa:" in text and "xmlns:alexa" not in text:  # <alexa:name/>: Alexa's to say
        text = text.replace("<speak", f'<speak xmlns:alexa="{ALEXA_NAMESPACE}"', 1)
    try:
        return ET.fromstring(text)
    except ET.ParseError as error:
        raise SsmlError(f"not valid SSML: {error}") from None


def plan_speech(ssml: str) -> tuple[Segment, ...]:
    """Speech and silences, in order, with neighbours of a kind merged."""
    return tuple(_merged(_walk(parse(ssml), Prosody())))


def plain_text(ssml: str) -> str:
    """What the SSML says, as one line of text (for printing and cards)."""
    return " ".join(s.text for s in plan_speech(ssml) if isinstance(s, Speech))


def _tag(element: ET.Element) -> str:
    tag = element.tag if isinstance(element.tag, str) else ""
    namespace, _, local = tag[1:].partition("}") if tag.startswith("{") else ("", "", tag)
    return f"amazon:{local}" if "amazon" in namespace.lower() else local


def _walk(element: ET.Element, prosody: Prosody) -> Iterator[Segment]:
    tag = _tag(element)
    if tag == "break":
        yield Silence(break_seconds(element.get("time"), element.get("strength")))
        return
    if tag == "audio":
        yield Silence(AUDIO_STAND_IN)
        return
    if tag == "sub" and element.get("alias") is not None:
        yield Speech(element.get("alias", ""), prosody)
        return
    inner = _inner_prosody(tag, element, prosody)
    if tag == "say-as":
        yield Speech(_say_as(element.get("interpret-as", ""), "".join(element.itertext())), inner)
        return
    if element.text:
        yield Speech(element.text, inner)
    for child in element:
        yield from _walk(child, inner)
        if child.tail:
            yield Speech(child.tail, inner)
    if tag in ("s", "p"):
        yield Silence(SENTENCE_PAUSE if tag == "s" else PARAGRAPH_PAUSE)


def _inner_prosody(tag: str, element: ET.Element, prosody: Prosody) -> Prosody:
    if tag == "prosody":
        return prosody.scaled(rate_of(element.get("rate")), volume_of(element.get("volume")))
    if tag == "emphasis":
        return prosody.scaled(*EMPHASIS.get(element.get("level", "moderate"), (1.0, 1.0)))
    if tag == "amazon:effect" and element.get("name") == "whispered":
        return replace(prosody.scaled(volume=0.8), whisper=True)
    if tag == "amazon:emotion":
        rate, volume = EMOTIONS.get(element.get("name", ""), (1.0, 1.0))
        return prosody.scaled(rate, volume)
    return prosody


def _say_as(kind: str, text: str) -> str:
    if kind in ("characters", "spell-out", "digits"):
        return " ".join(character for character in text if not character.isspace())
    return text


def break_seconds(time: str | None, strength: str | None) -> float:
    """Seconds of a ``<break>``: its time ("500ms", "1.5s"), else its strength."""
    match = _TIME.fullmatch((time or "").strip())
    if match:
        value = float(match.group(1)) / (1000 if match.group(2) == "ms" else 1)
        return min(MAX_BREAK_SECONDS, value)
    return BREAK_STRENGTHS.get(strength or "medium", BREAK_STRENGTHS["medium"])


def rate_of(value: str | None) -> float:
    """A prosody rate ("slow", "92%") as a multiple of the base rate."""
    if value is None:
        return 1.0
    if value.endswith("%"):
        try:
            return max(0.2, float(value[:-1]) / 100)
        except ValueError:
            return 1.0
    return RATES.get(value, 1.0)


def volume_of(value: str | None) -> float:
    """A prosody volume ("soft", "+6dB") as a multiple of the base volume."""
    if value is None:
        return 1.0
    match = _DECIBELS.fullmatch(value.strip())
    if match:
        return float(10 ** (float(match.group(1)) / 20))
    return VOLUMES.get(value, 1.0)


def _merged(segments: Iterator[Segment]) -> Iterator[Segment]:
    """Neighbouring speech with the same prosody joined; neighbouring silences added up."""
    pending: Segment | None = None
    for segment in segments:
        if isinstance(segment, Speech):
            segment = Speech(_SPACES.sub(" ", segment.text), segment.prosody)
            if isinstance(pending, Speech) and (pending.prosody == segment.prosody
                                                or not segment.text.strip()):
                pending = Speech(pending.text + segment.text, pending.prosody)
                continue
        elif isinstance(pending, Silence):
            pending = Silence(pending.seconds + segment.seconds)
            continue
        yield from _finished(pending)
        pending = segment
    yield from _finished(pending)


def _finished(segment: Segment | None) -> Iterator[Segment]:
    if isinstance(segment, Silence):
        yield segment
    elif isinstance(segment, Speech) and segment.text.strip():
        yield Speech(_SPACES.sub(" ", segment.text).strip(), segment.prosody)
