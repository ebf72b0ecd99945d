"""Slot types: recognising slot values in words, built-in or defined by the model.

Built-in types the matcher understands return Alexa's normalised value
(``AMAZON.DURATION`` "two weeks" → ``P2W``). Custom types resolve a value or one of
its synonyms to the value's id, as Alexa's entity resolution does. Any other
built-in type (``AMAZON.SearchQuery``, ``AMAZON.FirstName``…) takes the words as said.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from interaction_model.numbers import (
    DAYS,
    DURATION_UNIT_WORDS,
    NUMBER_WORDS,
    TIME_MARKERS,
    parse_day,
    parse_duration,
    parse_number,
    parse_time,
)
from interaction_model.text import tokens


@dataclass(frozen=True)
class SlotHit:
    """Words in an utterance recognised as a value of one slot type."""

    start: int
    """Index of the first word."""
    end: int
    """Index after the last word."""
    slot_type: str
    """The slot type that recognised the words."""
    value: str
    """What Alexa puts in ``slot.value``: an ISO value for built-ins, the words for custom types."""
    resolved_id: str | None = None
    """For custom types: the id of the value the words resolved to."""
    resolved_name: str | None = None
    """For custom types: the canonical name of that value."""


def _number(words: Sequence[str], strict: bool) -> str | None:
    number = parse_number(words)
    return None if number is None else str(number)


BuiltInParser = Callable[[Sequence[str], bool], "str | None"]
BUILT_IN_PARSERS: dict[str, BuiltInParser] = {
    "AMAZON.NUMBER": _number,
    "AMAZON.DURATION": lambda words, strict: parse_duration(words),
    "AMAZON.TIME": lambda words, strict: parse_time(words, strict=strict),
    "AMAZON.DayOfWeek": lambda words, strict: parse_day(words),
}
"""The built-in slot types whose values the matcher can recognise inside a sentence."""

_TRIGGERS: dict[str, frozenset[str]] = {
    "AMAZON.NUMBER": NUMBER_WORDS,
    "AMAZON.DURATION": DURATION_UNIT_WORDS,
    "AMAZON.TIME": TIME_MARKERS | {"am", "pm"},
    "AMAZON.DayOfWeek": frozenset(DAYS) | frozenset(d + "s" for d in DAYS),
}
_MAX_WORDS = {"AMAZON.NUMBER": 6, "AMAZON.DURATION": 7, "AMAZON.TIME": 7, "AMAZON.DayOfWeek": 1}


@dataclass(frozen=True)
class CustomType:
    """A slot type the model defines: its values and synonyms, by their words."""

    name: str
    """The type's name in the model."""
    phrases: Mapping[tuple[str, ...], tuple[str, str]]
    """Normalised words of each value and synonym → (value id, value name)."""

    @classmethod
    def from_model(cls, raw: Mapping[str, Any]) -> CustomType:
        phrases: dict[tuple[str, ...], tuple[str, str]] = {}
        for entry in raw.get("values") or ():
            name = entry.get("name") or {}
            value = str(name.get("value", ""))
            ident = str(entry.get("id") or value)
            for phrase in (value, *(name.get("synonyms") or ())):
                words = tokens(str(phrase))
                if words:
                    phrases.setdefault(words, (ident, value))
        return cls(name=str(raw.get("name", "")), phrases=phrases)

    @property
    def words(self) -> frozenset[str]:
        return frozenset(word for phrase in self.phrases for word in phrase)

    @property
    def longest(self) -> int:
        return max((len(phrase) for phrase in self.phrases), default=1)


class SlotTypes:
    """Every slot type one model uses, ready to recognise values in words."""

    def __init__(self, custom: Iterable[CustomType], used: Iterable[str]) -> None:
        self.custom = {slot_type.name: slot_type for slot_type in custom}
        self.used = frozenset(used)
        self._triggers: dict[str, frozenset[str]] = {}
        self._longest: dict[str, int] = {}
        for name in self.used:
            if name in self.custom:
                self._triggers[name] = self.custom[name].words
                self._longest[name] = self.custom[name].longest
            elif name in BUILT_IN_PARSERS:
                self._triggers[name] = _TRIGGERS[name]
                self._longest[name] = _MAX_WORDS[name]
        self.trigger_words = frozenset().union(*self._triggers.values())

    def recognises(self, slot_type: str) -> bool:
        """True when values of this type can be found inside a sentence."""
        return slot_type in self._triggers

    def parse(self, slot_type: str, words: Sequence[str], start: int = 0, *,
              strict: bool) -> SlotHit | None:
        """``words`` as one value of ``slot_type``.

        Not strict (the words fill a slot in a sample that matched): a custom type
        accepts words that are none of its values, unresolved, as Alexa does, and a
        type the matcher cannot parse takes the words as said.
        """
        end = start + len(words)
        if not words:
            return None
        if slot_type in self.custom:
            found = self.custom[slot_type].phrases.get(tuple(words))
            if found is not None:
                return SlotHit(start, end, slot_type, " ".join(words), *found)
            return None if strict else SlotHit(start, end, slot_type, " ".join(words))
        parser = BUILT_IN_PARSERS.get(slot_type)
        if parser is None:
            return None if strict else SlotHit(start, end, slot_type, " ".join(words))
        value = parser(words, strict)
        return None if value is None else SlotHit(start, end, slot_type, value)

    def find(self, words: Sequence[str]) -> list[SlotHit]:
        """Values of the model's slot types in ``words``: longest first, never overlapping.

        When several types read the very same words ("seven" as a number and a time)
        each reading is kept.
        """
        if not self.trigger_words.intersection(words) and not any(w.isdigit() for w in words):
            return []
        found: list[SlotHit] = []
        for slot_type, triggers in self._triggers.items():
            found.extend(self._spans(slot_type, triggers, words))
        found.sort(key=lambda hit: (hit.start - hit.end, hit.start))
        chosen: list[SlotHit] = []
        for hit in found:
            if all(hit.end <= other.start or hit.start >= other.end
                   or (hit.start, hit.end) == (other.start, other.end) for other in chosen):
                chosen.append(hit)
        return sorted(chosen, key=lambda hit: hit.start)

    def _spans(self, slot_type: str, triggers: frozenset[str],
               words: Sequence[str]) -> Iterable[SlotHit]:
        longest = self._longest[slot_type]
        digits = slot_type == "AMAZON.NUMBER"
        anchors = [index for index, word in enumerate(words)
                   if word in triggers or (digits and word.isdigit())]
        seen: set[tuple[int, int]] = set()
        for anchor in anchors:
            for start in range(max(0, anchor - longest + 1), anchor + 1):
                for end in range(anchor + 1, min(len(words), start + longest) + 1):
                    if (start, end) in seen:
                        continue
                    seen.add((start, end))
                    hit = self.parse(slot_type, words[start:end], start, strict=True)
                    if hit is not None:
                        yield hit
