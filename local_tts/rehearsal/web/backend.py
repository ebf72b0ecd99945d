"""The rehearsal behind the page: one turn at a time, answered as JSON, nothing kept.

The page sends what was typed; this sends it through the one rehearsal path (matcher,
envelope, the same skill) and answers with what a person needs to see and hear: the
words, the Echo Show screen, a link to the spoken WAV, what could be said next, and what
Porch Light keeps. No transcript is kept here: the page's history lives in its DOM only.
Only the last few answers' audio is held, in memory, and a reloaded page drops it all.
"""

from __future__ import annotations

import re
import secrets
from collections import OrderedDict
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from interaction_model.thresholds import SAFETY_INTENTS
from local_tts.rehearsal.repl import describe_request
from local_tts.rehearsal.session import Rehearsal, RehearsalCommandError, Turn
from local_tts.rehearsal.transport import Transport
from local_tts.rehearsal.web.screen import read_document, screen_of
from local_tts.rehearsal.web.suggest import Situation, suggestions
from skill.conversation import checkin, consent
from skill.conversation.clock import evening_of, system_clock
from skill.conversation.prompts import tonights_prompt_id
from skill.conversation.state import Household
from skill.handlers.screen import PROMPT_DOCUMENT
from skill.storage import household_key

APL_INTERFACE = {"Alexa.Presentation.APL": {"runtime": {"maxVersion": "2023.3"}}}
"""The page is an Echo Show: the skill sends it the screens it sends a Show."""
AUDIO_KEPT = 3
DISCREET_INTENTS = SAFETY_INTENTS
"""Answers given in confidence: spoken and shown once, never as a card or in the history."""
LATER = {"hour": "an hour", "day": "a day", "week": "a week"}
"""The page's "later" buttons and the span each moves the rehearsal clock."""


class Recording:
    """A transport that remembers the last response only (its screen is shown once)."""

    def __init__(self, inner: Transport) -> None:
        self.inner = inner
        self.last: dict[str, Any] = {}

    def send(self, envelope: dict[str, Any]) -> dict[str, Any]:
        self.last = self.inner.send(envelope)
        return self.last


class PageRehearsal:
    """Turns for the page, with their audio and the conversation's state."""

    def __init__(self, rehearsal: Rehearsal, *, private_wavs: Path | None = None,
                 start_muted: bool = False, sound_note: str | None = None) -> None:
        self.rehearsal = rehearsal
        self.recording = Recording(rehearsal.transport)
        rehearsal.transport = self.recording
        rehearsal.device.interfaces = dict(APL_INTERFACE)
        self.private_wavs = private_wavs
        self.start_muted = start_muted
        self.sound_note = sound_note
        self.audio: OrderedDict[str, bytes] = OrderedDict()

    def hello(self) -> dict[str, Any]:
        """A page (re)loaded: a fresh start (an open session ends, as when a person walks
        away from an Echo; earlier answers' audio is dropped), the household as it is."""
        self.audio.clear()
        self.rehearsal.leave()
        sound = self.rehearsal.voice.writer is not None
        design = read_document(PROMPT_DOCUMENT, {})
        return {"muted": self.start_muted, "sound": sound,
                "design": design.as_json() if design else None,
                "sound_note": None if sound else self.sound_note,
                "clock": self.rehearsal.clock is not None, **self.situation()}

    def say(self, text: str) -> dict[str, Any]:
        """What the skill answers to one typed line."""
        self.recording.last = {}  # "exit" outside a session sends nothing
        turn = self.answer(self.rehearsal.hear(text))
        return {"turns": [turn], **self.situation(in_confidence=turn["discreet"])}

    def later(self, span: str) -> dict[str, Any]:
        """Move the clock on by one of the LATER spans (an open session times out first)."""
        if span not in LATER:
            raise RehearsalCommandError(f"later takes one of: {', '.join(LATER)}")
        self.recording.last = {}
        timed_out, _ = self.rehearsal.later(LATER[span])
        turns = [self.answer(timed_out)] if timed_out is not None else []
        return {"turns": turns, **self.situation()}

    def sound(self, name: str) -> bytes | None:
        return self.audio.get(name)

    def answer(self, turn: Turn) -> dict[str, Any]:
        """One turn as the page shows it."""
        response = self.recording.last
        discreet = is_discreet(turn.request, turn.text, self.rehearsal.device.locale)
        screen = None if discreet else screen_of(response)
        return {"request": describe_request(turn), "said": turn.text, "discreet": discreet,
                "screen": screen.as_json() if screen else None, "listening": turn.listening,
                "audio": self.keep_audio(turn.wav), "sound_error": turn.sound_error}

    def keep_audio(self, wav: Path | None) -> str | None:
        """Hold a turn's WAV in memory under a random name; private files are removed."""
        if wav is None:
            return None
        data = wav.read_bytes()
        if self.private_wavs is not None and wav.parent == self.private_wavs:
            wav.unlink(missing_ok=True)
        name = secrets.token_urlsafe(12)
        self.audio[name] = data
        while len(self.audio) > AUDIO_KEPT:
            self.audio.popitem(last=False)
        return f"audio/{name}.wav"

    def situation(self, *, in_confidence: bool = False) -> dict[str, Any]:
        """The clock, the buttons for now, and what Porch Light keeps."""
        household, keeps, problem = self.household()
        now = (self.rehearsal.clock or system_clock)()
        situation = replace(situation_of(household, now, self.rehearsal),
                            in_confidence=in_confidence)
        return {"now": self.rehearsal.now_text(), "keeps": keeps, "keeps_note": problem,
                "suggestions": [{"label": s.label, "says": s.says}
                                for s in suggestions(self.rehearsal.matcher, situation)]}

    def household(self) -> tuple[Household | None, list[str], str | None]:
        """The household, the /state readout of it, or why it cannot be read."""
        try:
            keeps = self.rehearsal.state()
        except RehearsalCommandError as error:
            return None, [], str(error)
        store = self.rehearsal.store
        assert store is not None  # state() read it
        key = household_key(self.rehearsal.device.user_id)
        return Household.from_attributes(store.load(key)), keeps, None


def situation_of(household: Household | None, now: datetime, rehearsal: Rehearsal
                 ) -> Situation:
    """What the suggestions depend on."""
    listening = rehearsal.device.in_session
    if household is None:
        return Situation(listening=listening)
    current = checkin.active(household.checkin, now)
    zone = rehearsal.zone
    return Situation(listening=listening,
                     checkin_step=str(current.step) if current is not None else None,
                     prompt_tonight=tonights_prompt_id(household, evening_of(now, zone))
                     is not None,
                     paused=consent.paused_until(household, now) is not None,
                     quiet_evening=consent.is_quiet_evening(household, now, zone))


def is_discreet(request: str, said: str, locale: str) -> bool:
    """A crisis or distress answer: the intent says so, or the words give a crisis line."""
    if request.split(" ")[0] in DISCREET_INTENTS:
        return True
    from local_tts.ssml import plain_text
    from skill.handlers.safety import resource_lines

    spoken = _squeezed(said)
    return any(_squeezed(plain_text(f"<speak>{line}</speak>")) in spoken
               for line in resource_lines(locale))


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()

