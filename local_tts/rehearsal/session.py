"""One rehearsal: typed lines become requests to the real skill, answers become speech.

A line goes through the matcher; a launch or an intent becomes an envelope from the
rehearsal device (so the session stays open while the skill keeps it open, with its
attributes); the answer is printed, written to a WAV file and spoken as asked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, unescape
from zoneinfo import ZoneInfo

from interaction_model.matcher import Match, Matcher
from interaction_model.numbers import parse_duration
from interaction_model.text import tokens
from local_tts.engine import SpeechFailed, SpeechUnavailable
from local_tts.rehearsal.device import RehearsalDevice
from local_tts.rehearsal.household import describe, when
from local_tts.rehearsal.identity import person_id_for
from local_tts.rehearsal.transport import Transport
from local_tts.serving import speech_of
from local_tts.speaker import AudioSpeaker, Speaker
from local_tts.ssml import plain_text
from local_tts.wav import Rendering, WavWriter
from skill.conversation.clock import SettableClock, system_clock
from skill.conversation.consent import parse_duration as iso_to_timedelta
from skill.conversation.state import Household
from skill.conversation.timezones import device_key, known_zone, valid_zone
from skill.storage import HouseholdStore, household_key

LEAVING = (("exit",), ("alexa", "exit"))
"""What a person says to leave a skill: Alexa ends the session (SessionEndedRequest)."""


class RehearsalCommandError(ValueError):
    """A rehearsal command cannot do what was asked; the message says why."""


@dataclass(frozen=True)
class Turn:
    """What one typed line did."""

    request: str
    """The request sent: "LaunchRequest", an intent name, or "SessionEndedRequest"."""
    match: Match | None
    """What the matcher made of the line (None when the session just ended)."""
    ssml: str | None
    """What the skill said, as SSML."""
    listening: bool
    """The session stayed open: the skill waits for an answer."""
    wav: Path | None = None
    """The turn's WAV file, with --save-wav."""
    sound_error: str | None = None
    """Why the turn could not be spoken or saved (the rehearsal goes on printing only)."""

    @property
    def text(self) -> str:
        """What the skill said, SSML stripped."""
        return plain_text(self.ssml) if self.ssml else ""


@dataclass
class Voice:
    """How a rehearsal sounds: a speaker (or none, when muted) and an optional WAV folder."""

    speaker: Speaker | None = None
    """Says each answer aloud; None when muted."""
    writer: WavWriter | None = None
    """Renders answers to WAV (for --save-wav, and for the speaker)."""
    wav_dir: Path | None = None
    """Where --save-wav puts turn-NNN.wav files."""


class Rehearsal:
    """The rehearsal household's device talking to the skill."""

    def __init__(self, matcher: Matcher, device: RehearsalDevice, transport: Transport,
                 zone: ZoneInfo, *, clock: SettableClock | None = None,
                 store: HouseholdStore | None = None, voice: Voice | None = None) -> None:
        self.matcher = matcher
        self.device = device
        self.transport = transport
        self.zone = zone
        self.clock = clock
        self.store = store
        self.voice = voice or Voice()
        self.turns = first_free_turn(self.voice.wav_dir) if self.voice.wav_dir else 0
        self.names: dict[str, str] = {}
        """personId -> the name it was made from, so ``<alexa:name>`` says it as Alexa would."""

    def speak_as(self, name: str) -> str:
        """Later lines come from ``name``, a person Alexa recognises; "nobody" turns
        recognition off. Returns what changed, in words."""
        name = name.strip()
        if not name:
            raise RehearsalCommandError("/as needs a name, or 'nobody'")
        if name.lower() == "nobody":
            self.device.person_id = None
            return "Alexa recognises nobody now."
        person_id = person_id_for(name)
        self.names[person_id] = name
        self.device.person_id = person_id
        return f"Speaking as {name}, a person Alexa recognises."

    def hear(self, line: str) -> Turn:
        """Send what ``line`` says to the skill; returns the skill's answer."""
        words = tokens(line)
        if words in LEAVING:
            return self.leave() or Turn("SessionEndedRequest", None, None, False)
        found = self.matcher.recognize(line, eliciting=self.device.eliciting)
        if found.invoked and self.device.in_session:
            self.leave()  # invoking the skill again starts a new session
        if found.is_launch:
            envelope = self.device.launch()
        else:
            name = found.intent or ""
            envelope = self.device.intent(name, found.slots, self.matcher.intents.get(name, ()),
                                          frozenset(self.matcher.slot_types.custom))
        response = self._send(envelope)
        return self._answer(envelope["request"].get("intent", {}).get("name")
                            or envelope["request"]["type"], found, response)

    def leave(self, reason: str = "USER_INITIATED") -> Turn | None:
        """End an open session as Alexa does when the user leaves; None if none is open."""
        if not self.device.in_session:
            return None
        response = self._send(self.device.session_ended(reason))
        return self._answer("SessionEndedRequest", None, response)

    def later(self, span: str) -> tuple[Turn | None, str]:
        """Move the clock forward ("3 days", "2 hours", "a week"): an open session times
        out first (that turn, if any), then the new time in words."""
        if self.clock is None:
            raise RehearsalCommandError("the server keeps its own clock: /later works when "
                                        "rehearsing in process (without --endpoint)")
        iso = parse_duration(tokens(span))
        delta = iso_to_timedelta(iso) if iso else None
        if not delta:
            raise RehearsalCommandError(f"/later needs a span like '3 days', '2 hours' or 'a "
                                        f"week', not {span!r}")
        timed_out = self.leave("EXCEEDED_MAX_REPROMPTS")
        self.clock.advance(delta)
        return timed_out, f"It is now {self.now_text()}."

    def now_text(self) -> str:
        """The rehearsal time, in the household's zone."""
        if self.clock is None:
            return "the server's time"
        return f"{when(self.clock(), self.zone)} ({self.zone.key})"

    def state(self) -> list[str]:
        """What the skill keeps about this household, in plain words."""
        if self.store is None:
            raise RehearsalCommandError("/state reads the household from the database: with "
                                        "--endpoint, also pass the server's --database-url")
        household = Household.from_attributes(self.store.load(household_key(
            self.device.user_id)))
        now = (self.clock or system_clock)()
        known = known_zone(household, device_key(self.device.device_id))
        zone = valid_zone(known.zone if known else None)
        where = (f"Time zone the skill uses: {zone.key}, from the device's settings."
                 if zone else f"Time zone the skill uses: the locale's usual one until it "
                 f"asks the device (this device says {self.zone.key}).")
        speaker = self.names.get(self.device.person_id or "")
        who = f"Speaking as {speaker}." if speaker else "Alexa recognises nobody."
        return [where, who, *describe(household, now, zone or self.zone)]

    def intents(self) -> list[str]:
        """Every intent of the model, with a couple of things to say for it."""
        lines = []
        for name in self.matcher.intents:
            said = [s.text for s in self.matcher.samples if s.intent == name][:2]
            lines.append(f"{name}: " + (" / ".join(f'"{s}"' for s in said) or "(built in)"))
        return lines

    def _send(self, envelope: dict[str, Any]) -> dict[str, Any]:
        response = self.transport.send(envelope)
        self.device.follow(response)
        return response

    def _answer(self, request: str, found: Match | None, response: dict[str, Any]) -> Turn:
        ssml = say_names(speech_of(response), self.names)
        wav = problem = None
        try:
            wav = self._voice(ssml) if ssml else None
        except (SpeechUnavailable, SpeechFailed) as error:
            problem = f"{error}; printing only from now on"
            self.voice = Voice()
        return Turn(request, found, ssml, self.device.in_session, wav, problem)

    def _voice(self, ssml: str) -> Path | None:
        self.turns += 1
        rendering: Rendering | None = None
        voice = self.voice
        if voice.writer is not None and voice.wav_dir is not None:
            rendering = voice.writer.render(ssml, voice.wav_dir / f"turn-{self.turns:03d}.wav")
        if isinstance(voice.speaker, AudioSpeaker) and rendering is not None:
            voice.speaker.play(rendering)
        elif voice.speaker is not None:
            voice.speaker.speak(ssml)
        return rendering.path if rendering else None


_ALEXA_NAME = re.compile(r'<alexa:name\b[^>]*\bpersonId="([^"]*)"[^>]*/>')


def say_names(ssml: str | None, names: dict[str, str]) -> str | None:
    """``<alexa:name personId=…/>`` as the name Alexa would say (rehearsal made the id up
    from it); a name the rehearsal does not know is left out, as Alexa leaves it out."""
    if not ssml or "alexa:name" not in ssml:
        return ssml
    return _ALEXA_NAME.sub(
        lambda m: escape(names.get(unescape(m.group(1)), "")), ssml)


def first_free_turn(folder: Path) -> int:
    """How many turn files a WAV folder already holds (numbering continues after them)."""
    return len(list(folder.glob("turn-*.wav"))) if folder.is_dir() else 0
