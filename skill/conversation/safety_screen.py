"""The safety screen: is this crisis or distress? Decided from the words the skill gets.

Alexa sends no transcript, but slot values are words people said, and in rehearsal the
whole typed line is. This module reads such words and answers with a ``Concern`` (or
None). It is pure: it keeps nothing, logs nothing and never raises on odd text.

The lexicon and patterns are data (``skill/content/safety_screen.yaml`` for every English
locale, its compositional rules in ``skill/content/safety_rules.yaml``,
``skill/content/<locale>/safety_screen.yaml`` for each locale's own idioms). Macros
such as ``{partner}`` are written once and expanded into every pattern. Kinds are tried
from the most urgent down (danger, abuse, self-harm, a plain request for support,
distress): when in doubt the more careful answer wins. Beside the patterns, a sentence
model reads what the line means (``skill.conversation.safety_meaning``): a phrasing no
pattern foresaw is caught, and what a pattern found is overruled only where the meaning
is far from every known concern ("we bought rope for the tent"). The screen is measured on
held-out phrasings it never saw (``make safety-report``, docs/safety.md).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any

from interaction_model.text import tokens


class Concern(StrEnum):
    """What the words say, from the most urgent down."""

    DANGER = "danger"
    """Immediate danger: the emergency number first."""
    ABUSE = "abuse"
    """Violence, abuse, control or fear of a partner: the domestic-abuse line."""
    SELF_HARM = "self-harm"
    """Self-harm and suicidal thoughts, explicit or indirect: the crisis line."""
    SUPPORT = "support"
    """"I need help", "I need someone to talk to": the crisis line."""
    DISTRESS = "distress"
    """Not in danger, but not okay: stop, a real break, one soft safety line."""

    @property
    def is_crisis(self) -> bool:
        return self is not Concern.DISTRESS


INTENTS: dict[Concern, str] = {
    Concern.DANGER: "DangerIntent",
    Concern.ABUSE: "AbuseIntent",
    Concern.SELF_HARM: "CrisisIntent",
    Concern.SUPPORT: "NeedHelpIntent",
    Concern.DISTRESS: "DistressIntent",
}
"""The interaction model's intent for each concern."""
ORDER = (Concern.DANGER, Concern.ABUSE, Concern.SELF_HARM, Concern.SUPPORT, Concern.DISTRESS)
_MACRO = re.compile(r"\{([a-z_]+)\}")
_PRONOUN_CONTRACTIONS = re.compile(
    r"\b(he|she|they|someone|somebody|it|that|what|there|here|tonight|today|everything|"
    r"nothing|everyone|everybody|nobody|life|who|where|this|heart|mind)['\u2019](s|ll|d|re|ve)\b")
_PRONOUN_ENDINGS = {"s": "is", "ll": "will", "d": "would", "re": "are", "ve": "have"}
_FILLERS = re.compile(
    r"\b(?:(?:hey |ok |okay )?alexa,? (?:tell|ask|open) porch ?light,?(?: that| to)? "
    r"|porch ?light,? )"
    r"|\b(?:um+|uh+|uhm|erm|er|ah+|hmm+|mm+|you know|i mean|i guess|like,|honestly|basically"
    r"|literally|actually|seriously|kinda|kind of|sort of)(?=\W|$)[,.]?")
"""Hesitations and the wake words: dropped so a rule matches with them in the line."""
_INVOCATION = re.compile(
    r"^\s*(?:(?:hey |ok |okay )?alexa,? )?(?:(?:tell|ask|open) porch ?light,?(?: that| to| for)? "
    r"|porch ?light,? )?", re.IGNORECASE)


class ScreenDataError(ValueError):
    """A screen data file is malformed; the message names the file and the entry."""


@dataclass(frozen=True)
class Screen:
    """One locale's compiled patterns, by concern, the phrases that cancel a match, and
    the reader of meaning beside them."""

    patterns: Mapping[Concern, Sequence[re.Pattern[str]]]
    """Patterns searched in the normalised words, by concern."""
    not_concerns: Sequence[re.Pattern[str]]
    """Everyday phrases removed before the search ("dying to know", "kill time")."""
    meaning: Callable[[str, Concern | None], Concern | None] | None = None
    """Reads what a line means, given what the patterns found in it
    (``skill.conversation.safety_meaning``); None: the words alone decide."""

    def read(self, text: str | None) -> Concern | None:
        """The most urgent concern ``text`` shows, by its words and its meaning together.
        Never raises."""
        found = self.read_words(text)
        said = spoken_part(text or "")
        if self.meaning is not None and said:
            return self.meaning(said, found)
        return found

    def read_words(self, text: str | None) -> Concern | None:
        """The most urgent concern the patterns find in ``text``, or None."""
        words = normalise(text or "")
        if not words:
            return None
        for phrase in self.not_concerns:
            words = phrase.sub(" ", words)
        for concern in ORDER:
            if any(pattern.search(words) for pattern in self.patterns.get(concern, ())):
                return concern
        return None

    def read_all(self, texts: Sequence[str | None],
                 free: Sequence[str] = ()) -> Concern | None:
        """The most urgent concern among several pieces of text (slot values): every
        piece by its words, and the ``free`` ones (words that matched none of a slot's
        values) by their meaning too."""
        found = {self.read(text) for text in free}
        found |= {self.read_words(text) for text in texts if text not in free}
        return next((concern for concern in ORDER if concern in found), None)


def spoken_part(text: str) -> str:
    """The line without the wake word and the skill's name ("alexa tell porch light"):
    what the person said to the skill, as the meaning model reads it."""
    return _INVOCATION.sub("", text).strip()


def normalise(text: str) -> str:
    """Lowercase words without accents, punctuation or hesitations, contractions spelt out."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = _FILLERS.sub(" ", text.strip())
    text = _PRONOUN_CONTRACTIONS.sub(
        lambda m: f"{m.group(1)} {_PRONOUN_ENDINGS[m.group(2)]}", text)
    return " ".join(tokens(text))


def compile_screen(documents: Sequence[Mapping[str, Any]], where: str) -> Screen:
    """Merge the shared and the locale's documents and compile their patterns."""
    macros: dict[str, str] = {}
    raw: dict[Concern, list[str]] = {concern: [] for concern in ORDER}
    cancels: list[str] = []
    for document in documents:
        for name, words in (document.get("macros") or {}).items():
            macros[str(name)] = _alternatives(words, f"{where}: macro {name}")
        for concern in ORDER:
            raw[concern].extend(str(p) for p in (document.get("patterns") or {})
                                .get(concern.name.lower()) or ())
        cancels.extend(str(p) for p in document.get("not_concerns") or ())
    for name in list(macros):  # a macro may use macros defined before it
        macros[name] = _MACRO.sub(lambda m: macros.get(m.group(1), m.group(0)), macros[name])
    patterns = {concern: _joined([_compile(p, macros, where) for p in texts])
                for concern, texts in raw.items()}
    return Screen(patterns, _joined([_compile(p, macros, where) for p in cancels]))


def _joined(compiled: Sequence[re.Pattern[str]]) -> tuple[re.Pattern[str], ...]:
    """One alternation for a list of checked patterns: one scan of the words instead of
    one per pattern (the screen runs before every handler; docs/safety.md has its cost)."""
    if not compiled:
        return ()
    return (re.compile("|".join(pattern.pattern for pattern in compiled)),)


def _alternatives(words: Any, where: str) -> str:
    if not isinstance(words, list) or not words:
        raise ScreenDataError(f"{where} must be a non-empty list of words or phrases")
    ordered = sorted((str(w) for w in words), key=len, reverse=True)
    return "(?:" + "|".join(ordered) + ")"


def _compile(pattern: str, macros: Mapping[str, str], where: str) -> re.Pattern[str]:
    def expand(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in macros:
            raise ScreenDataError(f"{where}: the pattern {pattern!r} uses {{{name}}}, which "
                                  "no 'macros' entry defines")
        return macros[name]

    try:
        return re.compile(r"\b(?:" + _MACRO.sub(expand, pattern) + r")\b")
    except re.error as error:
        raise ScreenDataError(f"{where}: the pattern {pattern!r} is not a valid regular "
                              f"expression ({error})") from None


def _document(*parts: str) -> Mapping[str, Any]:
    from skill.content import load_yaml

    resource = resources.files("skill.content").joinpath(*parts)
    if not resource.is_file():
        return {}
    loaded = load_yaml(resource.read_text(encoding="utf-8"))
    if not isinstance(loaded, dict):
        raise ScreenDataError(f"skill/content/{'/'.join(parts)} must be a mapping")
    return loaded


@cache
def screen_for(locale: str | None) -> Screen:
    """The screen for a locale: the shared English patterns plus the locale's own idioms."""
    documents = [_document("safety_screen.yaml"), _document("safety_rules.yaml")]
    if locale:
        documents.append(_document(locale, "safety_screen.yaml"))
    words = compile_screen(documents, f"safety screen ({locale or 'shared'})")
    return replace(words, meaning=_read_meaning)


def _read_meaning(text: str, words: Concern | None) -> Concern | None:
    from skill.conversation.safety_meaning import read_meaning

    return read_meaning(text, words)


def screen(text: str | None, locale: str | None = "en-US") -> Concern | None:
    """The concern ``text`` shows in ``locale``, or None."""
    return screen_for(locale).read(text)


def intent_screen(locale: str | None) -> Callable[[str], str | None]:
    """A line reader for the rehearsal matcher: the safety intent a line calls for."""
    reader = screen_for(locale)

    def read(text: str) -> str | None:
        concern = reader.read(text)
        return INTENTS[concern] if concern is not None else None

    return read
