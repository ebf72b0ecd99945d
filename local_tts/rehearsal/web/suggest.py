"""What could be said right now, as buttons: from the conversation's state and the model.

Which intents to suggest is a pure decision over a small ``Situation``; the words come
from the interaction model's own samples, so a button always says something the model
understands (the tests send every suggestion through the matcher).
"""

from __future__ import annotations

from dataclasses import dataclass

from interaction_model.matcher import Matcher, Sample

WEATHER_INTENT, WEATHER_SLOT = "WeatherWordIntent", "weather"
WEATHER_WORDS_SHOWN = 4
MOST_SHOWN = 5


@dataclass(frozen=True)
class Situation:
    """What the page knows about the conversation after a turn."""

    listening: bool = False
    """The skill asked something and keeps the session open."""
    checkin_step: str | None = None
    """The check-in step under way ("weather", "appreciation"…), if any."""
    prompt_tonight: bool = False
    """Tonight's prompt has been given."""
    paused: bool = False
    """The couple paused Porch Light."""
    quiet_evening: bool = False
    """The couple said "not now" this evening: the page offers nothing new either."""
    in_confidence: bool = False
    """The last answer was a crisis or distress answer: nothing is offered after it but a
    yes, when it asked whether to say the number again."""


@dataclass(frozen=True)
class Suggestion:
    """One button: it shows, and sends as if typed, words from the model."""

    says: str
    """What it sends."""
    intent: str
    """The intent the model resolves it to."""

    @property
    def label(self) -> str:
        """The words as a person would write them: "What can I say"."""
        words = ["I" if word == "i" else word for word in self.says.split(" ")]
        text = " ".join(words)
        return text[:1].upper() + text[1:]


def intents_for(situation: Situation) -> list[tuple[str, str | None]]:
    """(intent, slot value) pairs worth offering now, most likely first."""
    if situation.in_confidence:  # at most a yes to "shall I say the number again?"
        return [("AMAZON.YesIntent", None)] if situation.listening else []
    if situation.checkin_step == "weather":
        return [(WEATHER_INTENT, None), ("SkipStepIntent", None), ("NotNowIntent", None)]
    if situation.listening:
        return [("AMAZON.YesIntent", None), ("NotNowIntent", None), ("AMAZON.HelpIntent", None)]
    if situation.checkin_step is not None:
        return [("NextStepIntent", None), ("SkipStepIntent", None), ("NotNowIntent", None)]
    if situation.paused:
        return [("ResumeIntent", None), ("WhatDoYouRememberIntent", None)]
    if situation.quiet_evening:
        return [("WhatDoYouRememberIntent", None), ("AMAZON.HelpIntent", None)]
    if situation.prompt_tonight:
        return [("AnotherPromptIntent", None), ("GentlerIntent", None), ("NotNowIntent", None),
                ("StartCheckInIntent", None), ("WhatDoYouRememberIntent", None)]
    return [("TonightsPromptIntent", None), ("StartCheckInIntent", None),
            ("WhatDoYouRememberIntent", None), ("AMAZON.HelpIntent", None)]


def suggestions(matcher: Matcher, situation: Situation) -> list[Suggestion]:
    """The buttons for ``situation``, in words the model's samples use."""
    found: list[Suggestion] = []
    for intent, _ in intents_for(situation):
        if intent == WEATHER_INTENT:
            found += weather_words(matcher)
            continue
        sample = plain_sample(matcher, intent)
        if sample is not None:
            found.append(Suggestion(sample.text, intent))
    return found[:MOST_SHOWN + (WEATHER_WORDS_SHOWN - 1 if situation.checkin_step else 0)]


def plain_sample(matcher: Matcher, intent: str) -> Sample | None:
    """The intent's first sample without slots (the model lists its plainest first)."""
    return next((s for s in matcher.samples if s.intent == intent and not s.slot_types), None)


def weather_words(matcher: Matcher) -> list[Suggestion]:
    """A few weather words in the model's first sentence around the slot (a word alone
    is not a sentence, and the model may not keep such catch-all samples)."""
    declared = dict(matcher.intents.get(WEATHER_INTENT, ()))
    kind = matcher.slot_types.custom.get(declared.get(WEATHER_SLOT, ""))
    frames = [s for s in matcher.samples if s.intent == WEATHER_INTENT
              and [n for n, _ in s.slot_types] == [WEATHER_SLOT] and len(s.words) > 2]
    if kind is None or not frames:
        return []
    frame = frames[0].text
    names = list(dict.fromkeys(name for _, name in kind.phrases.values()))
    return [Suggestion(frame.replace("{" + WEATHER_SLOT + "}", name), WEATHER_INTENT)
            for name in names[:WEATHER_WORDS_SHOWN]]
