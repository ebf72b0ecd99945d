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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import cache
from typing import Any

from interaction_model.builtins import BUILT_IN_SAMPLES
from interaction_model.invocation import InvocationStripper
from interaction_model.slots import BUILT_IN_PARSERS, CustomType, SlotHit, SlotTypes
from interaction_model.text import tokens
from interaction_model.thresholds import (
    CLOSE_THRESHOLD,
    SAFETY_INTENTS,
    SAFETY_THRESHOLD,
    THRESHOLD,
    Thresholds,
)
from interaction_model.tolerant import SLOT_WEIGHT, BagIndex, BagSample, Vocabulary, stem

FALLBACK_INTENT = "AMAZON.FallbackIntent"
Screen = Callable[[str], "str | None"]
"""Reads a whole line; returns the safety intent its words call for, or None."""
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
    screened: bool = False
    """The safety screen chose the intent from the line's words."""

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

    def __init__(self, model: Mapping[str, Any], screen: Screen | None = None) -> None:
        try:
            language = model["interactionModel"]["languageModel"]
            language.get("intents")
        except (KeyError, TypeError, AttributeError):
            raise ValueError("not an interaction model: it needs interactionModel."
                             "languageModel (check it with `porchlight model check`)") from None
        self.invocation_name = str(language.get("invocationName", ""))
        self.screen = screen
        self.thresholds = Thresholds(THRESHOLD, CLOSE_THRESHOLD, SAFETY_THRESHOLD)
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
        self._elicitation = self._slot_samples(intents)
        self._safety_samples = frozenset(i for i, sample in enumerate(self.samples)
                                         if sample.intent in SAFETY_INTENTS)

    def _slot_samples(self, intents: Sequence[Mapping[str, Any]]
                      ) -> dict[tuple[str, str], list[Sample]]:
        """Each slot's own samples (said only while Alexa elicits that slot)."""
        found: dict[tuple[str, str], list[Sample]] = {}
        for intent in intents:
            name = str(intent.get("name", ""))
            declared = dict(self.intents.get(name, ()))
            for slot in intent.get("slots") or ():
                if not isinstance(slot, Mapping):
                    continue
                texts = slot.get("samples") or ()
                compiled = (_compile(name, str(text), declared) for text in texts)
                found[(name, str(slot.get("name")))] = [c for c in compiled if c is not None]
        return found

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

    def recognize(self, text: str, eliciting: tuple[str, str] | None = None) -> Match:
        """The intent and slots ``text`` resolves to; ``AMAZON.FallbackIntent`` if none.

        ``eliciting`` is (intent, slot) while the skill has asked for that slot
        (Dialog.ElicitSlot): the slot's own samples apply then. A line that matches no
        sample word for word is read by the safety screen before anything else.
        """
        found, other = self.candidates(text)
        if found.is_launch or (found.score >= 1.0 and found.intent != FALLBACK_INTENT):
            return found
        safety = self.screen(text) if self.screen is not None else None
        if safety is not None:
            return Match(RequestKind.INTENT, safety, found.score, found.invoked,
                         sample=found.sample, screened=True)
        if eliciting is not None:
            elicited = self._elicited(text, *eliciting)
            if elicited is not None:
                return elicited
        return self.decide(found, other=other)

    def candidate(self, text: str) -> Match:
        """The best match before any threshold (what ``decide`` judges)."""
        return self.candidates(text)[0]

    def candidates(self, text: str) -> tuple[Match, Match | None]:
        """The best match before any threshold, and, when that is a tolerant match to a
        safety intent, the best match among the other intents (used when the safety
        match is not close enough: "i'm exhausted, not tonight" is still a "not now")."""
        invocation = self._stripper.strip(tokens(text))
        if invocation.launch:
            return Match(RequestKind.LAUNCH, None, 1.0, invoked=True), None
        readings = (invocation.words, *invocation.alternatives)
        found = self._word_for_word(readings)
        if found is None or found.score < 1.0:
            closest = self._closest(readings)
            found = closest if found is None or closest.score > found.score else found
        found = replace(found, invoked=invocation.invoked)
        if found.intent not in SAFETY_INTENTS or found.score >= 1.0:
            return found, None
        other = replace(self._closest(readings, self._safety_samples), invoked=invocation.invoked)
        return found, other

    def decide(self, found: Match, thresholds: Thresholds | None = None,
               other: Match | None = None) -> Match:
        """A candidate kept, or the fallback: a tolerant score below its threshold falls
        back (intents with a consequence and safety intents need a closer match). A
        safety match that is not close enough gives way to ``other``, judged the same way."""
        thresholds = thresholds or self.thresholds
        needed = thresholds.needed(found.intent, found.score)
        if found.score < needed and other is not None:
            return self.decide(other, thresholds)
        if found.score < needed or found.intent == FALLBACK_INTENT:
            nearest = None if found.intent == FALLBACK_INTENT else found.intent
            return Match(RequestKind.INTENT, FALLBACK_INTENT, found.score, found.invoked,
                         sample=found.sample, nearest=nearest)
        return found

    def _elicited(self, text: str, intent: str, slot: str) -> Match | None:
        """``text`` as the elicited slot's answer, through that slot's samples."""
        line = " ".join(self._stripper.strip(tokens(text)).words)
        best: Match | None = None
        for sample in self._elicitation.get((intent, slot), ()):
            hit = sample.pattern.fullmatch(line) if sample.pattern is not None else None
            if hit is None:
                continue
            name, slot_type = sample.slot_types[0]
            value = self.slot_types.parse(slot_type, tuple(hit.group("s0").split()),
                                          strict=False)
            if value is None:
                continue
            found = Match(RequestKind.INTENT, intent, 1.0,
                          slots={name: _slot_value(name, value)}, sample=sample.text)
            if value.resolved_id is not None:
                return found
            best = best or found
        return best

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

    def _closest(self, readings: Sequence[tuple[str, ...]],
                 skip: frozenset[int] = frozenset()) -> Match:
        best = Match(RequestKind.INTENT, FALLBACK_INTENT, 0.0)
        for words in readings:
            hits = self.slot_types.find(words)
            scored = self._bags.best(words, hits, skip)
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
    """The matcher for a packaged locale's model, with that locale's safety screen, built
    once per process."""
    from interaction_model import load_model
    from skill.conversation.safety_screen import intent_screen

    return Matcher(load_model(locale), screen=intent_screen(locale))


def recognize(text: str, locale: str = "en-US") -> Match:
    """What ``text`` resolves to in a packaged locale's model."""
    return matcher_for(locale).recognize(text)
