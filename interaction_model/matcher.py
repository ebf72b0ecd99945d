"""Typed text → intent and slots, from a locale's interaction model (the file Alexa gets).

``recognize("ask porch light for tonight's prompt")`` gives the intent, its slots and a
score. The matcher tries, in order: a sample word for word; a sample with slots whose
values parse ("pause for two weeks" → ``duration=P2W``); then the closest sample by
weighted words (``interaction_model.tolerant``). Below ``THRESHOLD`` the answer is
``AMAZON.FallbackIntent``, as Alexa gives for out-of-domain speech. It never raises.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from typing import Any

from interaction_model.builtins import BUILT_IN_SAMPLES
from interaction_model.invocation import InvocationStripper
from interaction_model.slots import BUILT_IN_PARSERS, CustomType, SlotHit, SlotTypes
from interaction_model.text import tokens
from interaction_model.tolerant import SLOT_WEIGHT, BagIndex, BagSample, Vocabulary, stem

FALLBACK_INTENT = "AMAZON.FallbackIntent"
THRESHOLD = 0.6
"""Lowest tolerant score that still counts as a match."""
UNRESOLVED_SPREAD = 0.4
"""A sample whose custom slot took words that are none of the type's values scores
lower the more of the utterance those words are: "let's not talk about the garden" is
still a boundary; "we're not ready for this" is not a weather word."""
_SLOT = re.compile(r"\{([A-Za-z][A-Za-z0-9_]*)\}")


class RequestKind(StrEnum):
    """The kind of request an utterance becomes."""

    LAUNCH = "LaunchRequest"
    INTENT = "IntentRequest"


@dataclass(frozen=True)
class SlotValue:
    """One filled slot, as Alexa would send it."""

    name: str
    """The slot's name on the intent."""
    slot_type: str
    """The slot's type (``AMAZON.DURATION``, or a custom type's name)."""
    value: str
    """``slot.value``: Alexa's normalised value for built-ins, the words said for custom types."""
    resolved_id: str | None = None
    """For custom types: the id of the value (or synonym) the words resolved to."""
    resolved_name: str | None = None
    """For custom types: that value's canonical name."""


@dataclass(frozen=True)
class Match:
    """What one utterance resolved to."""

    request_type: RequestKind
    """A LaunchRequest ("open porch light") or an IntentRequest."""
    intent: str | None
    """The intent name; None for a launch."""
    score: float
    """1.0 for a sample said word for word; lower for a tolerant match or a fallback."""
    invoked: bool = False
    """The utterance named the skill, so on a device it would start a new session."""
    slots: Mapping[str, SlotValue] = field(default_factory=dict)
    """Filled slots by name."""
    sample: str | None = None
    """The sample that matched best (for a fallback: the nearest one)."""
    nearest: str | None = None
    """For a fallback: the intent of the nearest sample, to help improve the model."""

    @property
    def is_launch(self) -> bool:
        return self.request_type is RequestKind.LAUNCH

    @property
    def is_fallback(self) -> bool:
        return self.intent == FALLBACK_INTENT


@dataclass(frozen=True)
class Sample:
    """One sample utterance, compiled."""

    intent: str
    """The intent it belongs to."""
    text: str
    """The sample as written in the model (or Alexa's phrasing for a built-in)."""
    words: tuple[str, ...]
    """Normalised words, with ``{slot}`` references in place."""
    slot_types: tuple[tuple[str, str], ...]
    """(name, type) of each slot referenced, in order."""
    pattern: re.Pattern[str] | None
    """For samples with slots: a regular expression capturing each slot's words."""


def _compile(intent: str, text: str, declared: Mapping[str, str]) -> Sample | None:
    words = tokens(text)
    refs = [word[1:-1] for word in words if _SLOT.fullmatch(word)]
    if not words or any(name not in declared for name in refs) or len(set(refs)) < len(refs):
        return None
    pattern = None
    if refs:
        parts = [f"(?P<s{refs.index(w[1:-1])}>.+?)" if _SLOT.fullmatch(w) else re.escape(w)
                 for w in words]
        pattern = re.compile(" ".join(parts))
    return Sample(intent, text, words, tuple((n, declared[n]) for n in refs), pattern)


class Matcher:
    """Recognises intents and slots for one locale's model. Build once; matching is pure."""

    def __init__(self, model: Mapping[str, Any]) -> None:
        try:
            language = model["interactionModel"]["languageModel"]
            language.get("intents")
        except (KeyError, TypeError, AttributeError):
            raise ValueError("not an interaction model: it needs interactionModel."
                             "languageModel (check it with `porchlight model check`)") from None
        self.invocation_name = str(language.get("invocationName", ""))
        self.intents: dict[str, tuple[tuple[str, str], ...]] = {}
        self.samples: list[Sample] = []
        intents = [i for i in language.get("intents") or () if isinstance(i, Mapping)]
        for intent in intents:
            self._add_samples(intent, intent.get("samples") or ())
        for intent in intents:  # Alexa's own phrasings yield to the model's samples
            self._add_samples(intent, BUILT_IN_SAMPLES.get(str(intent.get("name")), ()))
        custom = [CustomType.from_model(raw) for raw in language.get("types") or ()
                  if isinstance(raw, Mapping)]
        used = {t for s in self.samples for _, t in s.slot_types}
        self.slot_types = SlotTypes(custom, used)
        self._stripper = InvocationStripper(self.invocation_name)
        self._exact: dict[tuple[str, ...], Sample] = {}
        for sample in self.samples:
            if sample.pattern is None:
                self._exact.setdefault(sample.words, sample)
        self._with_slots = [(frozenset(w for w in s.words if not _SLOT.fullmatch(w)), s)
                            for s in self.samples if s.pattern is not None]
        self._bags = self._bag_index()

    def _add_samples(self, intent: Mapping[str, Any], phrasings: Sequence[Any]) -> None:
        name = str(intent.get("name", ""))
        declared = {str(s.get("name")): str(s.get("type")) for s in intent.get("slots") or ()
                    if isinstance(s, Mapping)}
        self.intents[name] = tuple(declared.items())
        for text in phrasings:
            sample = _compile(name, str(text), declared)
            if sample is not None:
                self.samples.append(sample)

    def _bag_index(self) -> BagIndex:
        literal_words = [[w for w in s.words if not _SLOT.fullmatch(w)] for s in self.samples]
        vocabulary = Vocabulary(literal_words)
        bags = []
        for index, (sample, words) in enumerate(zip(self.samples, literal_words, strict=True)):
            counts = tuple((w, n, vocabulary.weight(w))
                           for w, n in Counter(stem(w) for w in words).items())
            weight = sum(w * n for _, n, w in counts)
            weight += SLOT_WEIGHT * len(sample.slot_types)
            bags.append(BagSample(index, counts, sample.slot_types, weight))
        return BagIndex(vocabulary, bags)

    def recognize(self, text: str) -> Match:
        """The intent and slots ``text`` resolves to; ``AMAZON.FallbackIntent`` if none."""
        invocation = self._stripper.strip(tokens(text))
        if invocation.launch:
            return Match(RequestKind.LAUNCH, None, 1.0, invoked=True)
        readings = (invocation.words, *invocation.alternatives)
        found = self._word_for_word(readings)
        if found is None or found.score < 1.0:
            closest = self._closest(readings)
            found = closest if found is None or closest.score > found.score else found
        if found.score < THRESHOLD:
            nearest = None if found.intent == FALLBACK_INTENT else found.intent
            return Match(RequestKind.INTENT, FALLBACK_INTENT, found.score, invocation.invoked,
                         sample=found.sample, nearest=nearest)
        return Match(RequestKind.INTENT, found.intent, found.score, invocation.invoked,
                     found.slots, found.sample)

    def match(self, text: str) -> Match | None:
        """Like ``recognize``, but None where ``recognize`` would fall back."""
        found = self.recognize(text)
        return None if found.is_fallback else found

    def _word_for_word(self, readings: Sequence[tuple[str, ...]]) -> Match | None:
        for words in readings:
            sample = self._exact.get(words)
            if sample is not None:
                return Match(RequestKind.INTENT, sample.intent, 1.0, sample=sample.text)
        for words in readings:
            present = frozenset(words)
            line = " ".join(words)
            for literal, sample in self._with_slots:
                if literal <= present and sample.pattern is not None:
                    found = self._fill(sample, sample.pattern.fullmatch(line))
                    if found is not None:
                        return found
        return None

    def _fill(self, sample: Sample, hit: re.Match[str] | None) -> Match | None:
        if hit is None:
            return None
        slots: dict[str, SlotValue] = {}
        for position, (name, slot_type) in enumerate(sample.slot_types):
            words = tuple(hit.group(f"s{position}").split())
            value = self.slot_types.parse(slot_type, words, strict=False)
            if value is None:
                return None
            slots[name] = _slot_value(name, value)
        loose = [v for v in slots.values() if self._taken_as_said(v)]
        carrier = len(sample.words) - len(sample.slot_types)
        if loose and not carrier:
            return None  # a sample of slots alone would take any words at all
        unresolved = sum(len(v.value.split()) for v in loose
                         if v.slot_type in self.slot_types.custom)
        score = round(1.0 - UNRESOLVED_SPREAD * unresolved / (carrier + unresolved), 3) \
            if unresolved else 1.0
        return Match(RequestKind.INTENT, sample.intent, score, slots=slots, sample=sample.text)

    def _taken_as_said(self, value: SlotValue) -> bool:
        """A value no type could check: a custom value that resolved to nothing, or the
        words of a type the matcher cannot parse (AMAZON.SearchQuery…)."""
        if value.slot_type in self.slot_types.custom:
            return value.resolved_id is None
        return value.slot_type not in BUILT_IN_PARSERS

    def _closest(self, readings: Sequence[tuple[str, ...]]) -> Match:
        best = Match(RequestKind.INTENT, FALLBACK_INTENT, 0.0)
        for words in readings:
            hits = self.slot_types.find(words)
            scored = self._bags.best(words, hits)
            if scored is not None and scored.score > best.score:
                sample = self.samples[scored.index]
                slots = {name: _slot_value(name, hit) for name, hit in scored.slots}
                best = Match(RequestKind.INTENT, sample.intent, round(scored.score, 3),
                             slots=slots, sample=sample.text)
        return best


def _slot_value(name: str, hit: SlotHit) -> SlotValue:
    return SlotValue(name, hit.slot_type, hit.value, hit.resolved_id, hit.resolved_name)


@cache
def matcher_for(locale: str) -> Matcher:
    """The matcher for a packaged locale's model, built once per process."""
    from interaction_model import load_model

    return Matcher(load_model(locale))


def recognize(text: str, locale: str = "en-US") -> Match:
    """What ``text`` resolves to in a packaged locale's model."""
    return matcher_for(locale).recognize(text)
