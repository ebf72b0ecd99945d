"""Checks on one interaction model: the Alexa console's, and Porch Light's own.

Each check takes the language model and returns problems; ``Problem`` says what to
change. ``interaction_model.validate`` runs them on files and across locales.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from interaction_model.builtins import (
    BUILT_IN_SAMPLES,
    BUILT_IN_SLOT_TYPES,
    LAUNCH_WORDS,
    PHRASE_SLOT_TYPES,
    REQUIRED_INTENTS,
    WAKE_WORDS,
)

INTENT_NAME = re.compile(r"[A-Za-z_]+")
SLOT_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
TYPE_NAME = re.compile(r"[A-Za-z_]+")
SLOT_REFERENCE = re.compile(r"\{([^{}]*)\}")
SAMPLE_CHARACTERS = re.compile(r"[a-z' .{}_A-Z0-9]*")
INVOCATION_CHARACTERS = re.compile(r"[a-z' .]+")
MAX_SAMPLE_LENGTH = 200
MAX_INVOCATION_LENGTH = 50
TWO_WORD_FORBIDDEN = frozenset({"the", "a", "an", "for", "to", "of"})


class Severity(StrEnum):
    """An error fails the check; a warning is worth a look."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a model, said so the person fixing it knows what to change."""

    file: str
    """The model file's name."""
    message: str
    """What is wrong and what to change."""
    intent: str | None = None
    """The intent concerned, if any."""
    sample: str | None = None
    """The sample utterance concerned, if any."""
    severity: Severity = Severity.ERROR
    """Errors make `porchlight model check` exit 1."""

    def __str__(self) -> str:
        where = [self.file]
        if self.intent:
            where.append(f"intent {self.intent}")
        if self.sample is not None:
            where.append(f'sample "{self.sample}"')
        return f"{self.severity}: {', '.join(where)}: {self.message}"


class ModelChecks:
    """Collects the problems of one language model; ``run()`` returns them all."""

    def __init__(self, file: str, language: Mapping[str, Any]) -> None:
        self.file = file
        self.language = language
        self.intents = [i for i in language.get("intents") or () if isinstance(i, dict)]
        self.types: dict[str, Mapping[str, Any]] = {
            str(t["name"]): t for t in language.get("types") or () if isinstance(t, dict)}
        self.problems: list[Problem] = []

    def add(self, message: str, intent: str | None = None, sample: str | None = None,
            severity: Severity = Severity.ERROR) -> None:
        self.problems.append(Problem(self.file, message, intent, sample, severity))

    def run(self) -> list[Problem]:
        self.invocation_name()
        self.intent_names()
        self.required_intents()
        self.slot_declarations()
        self.custom_types()
        self.samples()
        self.duplicate_samples()
        return self.problems

    def invocation_name(self) -> None:
        name = self.language.get("invocationName")
        if not isinstance(name, str) or not name.strip():
            self.add('add "invocationName", the words people say to open the skill')
            return
        words = name.split()
        if name != name.lower():
            self.add(f'the invocation name "{name}" must be lowercase: "{name.lower()}"')
        if not INVOCATION_CHARACTERS.fullmatch(name.lower()):
            self.add(f'the invocation name "{name}" may hold only letters, spaces, apostrophes '
                     'and the periods of initials ("a. b. c."); spell numbers out')
        if len(words) < 2:
            self.add(f'the invocation name "{name}" needs two or more words')
        if len(name) > MAX_INVOCATION_LENGTH:
            self.add(f"the invocation name is {len(name)} characters; keep it to "
                     f"{MAX_INVOCATION_LENGTH}")
        for word in words:
            if word.lower() in LAUNCH_WORDS | WAKE_WORDS:
                self.add(f'the invocation name "{name}" may not contain "{word}" (a launch or '
                         "wake word); choose other words")
        if len(words) == 2 and TWO_WORD_FORBIDDEN.intersection(w.lower() for w in words):
            self.add(f'a two-word invocation name may not use "the", "a", "an", "for", "to" or '
                     f'"of": "{name}"; use other words or add one')

    def intent_names(self) -> None:
        seen: set[str] = set()
        for intent in self.intents:
            name = str(intent["name"])
            if name in seen:
                self.add("this intent is declared twice; merge the two into one", name)
            seen.add(name)
            if name.startswith("AMAZON."):
                if name not in BUILT_IN_SAMPLES:
                    self.add(f"{name} is not an Alexa built-in intent this check knows; "
                             "check the spelling", name, severity=Severity.WARNING)
            elif not INTENT_NAME.fullmatch(name):
                self.add("intent names may hold only letters and underscores "
                         f"(no digits, spaces or dots): rename {name!r}", name)

    def required_intents(self) -> None:
        declared = {intent.get("name") for intent in self.intents}
        for name in REQUIRED_INTENTS:
            if name not in declared:
                self.add(f'add the built-in intent {name} (with "samples": [])', name)

    def slot_declarations(self) -> None:
        for intent in self.intents:
            seen: set[str] = set()
            for slot in intent.get("slots") or ():
                name, slot_type = slot.get("name"), slot.get("type")
                if name in seen:
                    self.add(f"the slot {{{name}}} is declared twice; keep one", intent["name"])
                seen.add(name)
                if not SLOT_NAME.fullmatch(name):
                    self.add(f"slot names start with a letter and hold only letters, digits "
                             f"and underscores: rename {{{name}}}", intent["name"])
                self.slot_type(intent["name"], name, slot_type)

    def slot_type(self, intent: str, slot: str, slot_type: str) -> None:
        if slot_type in self.types or slot_type in BUILT_IN_SLOT_TYPES:
            return
        if slot_type.startswith("AMAZON."):
            self.add(f"the slot {{{slot}}} has type {slot_type}, which is not an Alexa "
                     "built-in slot type; check the spelling", intent)
        else:
            self.add(f"the slot {{{slot}}} has type {slot_type}, which is not defined; add it "
                     'under "types" with its values, or use a built-in type', intent)

    def custom_types(self) -> None:
        used = {slot.get("type") for i in self.intents for slot in i.get("slots") or ()}
        names = [str(t["name"]) for t in self.language.get("types") or ()
                 if isinstance(t, dict)]
        for name in {n for n in names if names.count(n) > 1}:
            self.add(f"the slot type {name} is defined twice; merge the two")
        for name, slot_type in self.types.items():
            if name.startswith("AMAZON.") or not TYPE_NAME.fullmatch(name):
                self.add(f"custom slot type names hold only letters and underscores and may "
                         f"not start with AMAZON.: rename {name!r}")
            if name not in used:
                self.add(f"the slot type {name} is defined but no slot uses it",
                         severity=Severity.WARNING)
            self.type_values(name, slot_type)

    def type_values(self, name: str, slot_type: Mapping[str, Any]) -> None:
        values = slot_type.get("values") or []
        if not values:
            self.add(f"the slot type {name} has no values; add some")
        ids: set[str] = set()
        for value in values:
            ident = value.get("id")
            if ident and ident in ids:
                self.add(f"the slot type {name} uses the value id {ident!r} twice; ids are "
                         "unique within a type")
            ids.add(ident)

    def samples(self) -> None:
        for intent in self.intents:
            declared = {s.get("name"): s.get("type") for s in intent.get("slots") or ()}
            used: set[str] = set()
            for sample in intent.get("samples") or ():
                used.update(self.sample(intent["name"], sample, declared))
            for slot in sorted(set(declared) - used):
                self.add(f"the slot {{{slot}}} is declared but no sample uses it; add samples "
                         "with it, or remove it", intent["name"], severity=Severity.WARNING)

    def sample(self, intent: str, sample: str, declared: Mapping[str, str]) -> set[str]:
        """Check one sample; returns the slots it uses."""
        if not sample.strip():
            self.add("a sample is empty; remove it", intent, sample)
            return set()
        self.sample_characters(intent, sample)
        references = SLOT_REFERENCE.findall(sample)
        outside = SLOT_REFERENCE.sub("", sample)
        if "{" in outside or "}" in outside:
            self.add("unbalanced braces: write slots as {name}", intent, sample)
        for name in references:
            if name not in declared:
                known = ", ".join(f"{{{n}}}" for n in declared) or "none"
                self.add(f'the slot {{{name}}} is not declared on {intent}; declare it under '
                         f'"slots" or use a declared one ({known})', intent, sample)
        for name in {n for n in references if references.count(n) > 1}:
            self.add(f"the slot {{{name}}} appears twice; use it once per sample", intent, sample)
        self.phrase_slots(intent, sample, references, declared)
        return set(references)

    def sample_characters(self, intent: str, sample: str) -> None:
        if sample != sample.strip() or "  " in sample:
            self.add("remove leading, trailing or double spaces", intent, sample)
        if len(sample) > MAX_SAMPLE_LENGTH:
            self.add(f"samples are at most {MAX_SAMPLE_LENGTH} characters; shorten it",
                     intent, sample)
        text = SLOT_REFERENCE.sub("", sample)
        if any(character.isdigit() for character in text):
            self.add('spell numbers out in words ("seven", not "7")', intent, sample)
        if text != text.lower():
            self.add(f'write samples in lowercase: "{sample.lower()}"', intent, sample)
        bad = sorted({c for c in text.lower() if not SAMPLE_CHARACTERS.fullmatch(c)})
        if bad:
            self.add(f"samples may hold only letters, spaces, apostrophes and periods of "
                     f"abbreviations; remove {' '.join(bad)}", intent, sample)

    def phrase_slots(self, intent: str, sample: str, references: list[str],
                     declared: Mapping[str, str]) -> None:
        phrases = [n for n in references if declared.get(n) in PHRASE_SLOT_TYPES]
        if not phrases:
            return
        if not SLOT_REFERENCE.sub("", sample).strip():
            self.add(f"the phrase slot {{{phrases[0]}}} needs carrier words around it "
                     '("i want to say {thought}")', intent, sample)
        if len(references) > 1:
            self.add(f"a phrase slot ({{{phrases[0]}}}) must be the only slot in its sample",
                     intent, sample)

    def duplicate_samples(self) -> None:
        owners: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for intent, sample, key in self._keyed_samples():
            owners[key].append((intent, sample))
        for found in owners.values():
            for intent, sample in found[1:]:
                first = found[0][0]
                where = "twice in this intent" if first == intent else f"also in {first}"
                self.add(f"duplicate sample ({where}); Alexa cannot tell them apart; keep one",
                         intent, sample)

    def _keyed_samples(self) -> Iterator[tuple[str, str, str]]:
        """Each sample with a key that is equal for samples Alexa would confuse: its words,
        with each slot written as its type."""
        for intent in self.intents:
            types = {str(s["name"]): str(s["type"]) for s in intent.get("slots") or ()}
            for sample in intent.get("samples") or ():
                words = [types.get(w[1:-1], w) if SLOT_REFERENCE.fullmatch(w) else w
                         for w in sample.lower().split()]
                yield intent["name"], sample, " ".join(words)
