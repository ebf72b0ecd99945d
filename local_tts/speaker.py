"""Speakers: say a response aloud, or show it as text where there is no audio.

``AudioSpeaker`` renders the whole response (pauses included) to a WAV file and plays
it with the machine's player (aplay, paplay, pw-play or ffplay on Linux, afplay on
macOS, winsound on Windows). On macOS, where pyttsx3's voices write AIFF rather than
WAV, ``LiveSpeaker`` speaks each stretch through pyttsx3 and sleeps through the pauses.
``TextSpeaker`` prints the words with the pauses marked.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol, TextIO

from local_tts import engine
from local_tts.ssml import Silence, Speech, plan_speech
from local_tts.wav import Rendering, WavWriter

PLAYER_VARIABLE = "PORCHLIGHT_AUDIO_PLAYER"
"""A command that plays a WAV file given as its last argument, replacing the search."""
PLAYERS: tuple[tuple[str, ...], ...] = (
    ("aplay", "-q"), ("paplay",), ("pw-play",),
    ("ffplay", "-nodisp", "-autoexit", "-loglevel", "quiet"), ("afplay",),
)
PLAY_TIMEOUT_SECONDS = 120


class Speaker(Protocol):
    """Anything that can say a response."""

    def speak(self, ssml: str) -> None:
        """Say ``ssml`` (Alexa SSML or plain text)."""


def find_player() -> list[str]:
    """The command that plays a WAV file here; SpeechUnavailable when there is none."""
    configured = os.environ.get(PLAYER_VARIABLE, "").strip()
    if configured:
        return shlex.split(configured)
    if sys.platform == "win32":  # pragma: no cover - no Windows in CI
        return ["winsound"]
    for command in PLAYERS:
        if shutil.which(command[0]):
            return list(command)
    raise engine.SpeechUnavailable(
        "no audio player found (aplay, paplay, pw-play or ffplay); install one "
        "(sudo apt-get install alsa-utils) or set PORCHLIGHT_AUDIO_PLAYER; WAV files "
        "still work without one (say --out, rehearse --save-wav)")


def play(player: Sequence[str], path: Path) -> None:
    """Play a WAV file and wait until it ends."""
    if sys.platform == "win32" and list(player) == ["winsound"]:  # pragma: no cover
        import winsound

        winsound.PlaySound(str(path), winsound.SND_FILENAME)
        return
    try:
        done = subprocess.run([*player, str(path)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, timeout=PLAY_TIMEOUT_SECONDS, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise engine.SpeechUnavailable(f"could not play audio with {player[0]}: {error}") \
            from None
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        raise engine.SpeechUnavailable(f"{player[0]} could not play the audio "
                                       f"(exit {done.returncode}) {detail[0]}".strip())


class AudioSpeaker:
    """Renders each response to WAV and plays it, so pauses sound as long as they are."""

    def __init__(self, writer: WavWriter, player: Sequence[str]) -> None:
        self.writer = writer
        self.player = list(player)

    def speak(self, ssml: str) -> None:
        with tempfile.TemporaryDirectory(prefix="porchlight-say-") as folder:
            self.play(self.writer.render(ssml, Path(folder) / "response.wav"))

    def play(self, rendering: Rendering) -> None:
        """Play a response already written to a file."""
        play(self.player, rendering.path)


class LiveSpeaker:
    """Speaks through pyttsx3 directly, stretch by stretch, sleeping through pauses."""

    def __init__(self, voice: str | None, rate: int, sleep: Callable[[float], None] = time.sleep
                 ) -> None:
        self.voice = voice
        self.rate = rate
        self.sleep = sleep

    def speak(self, ssml: str) -> None:
        current = engine.engine()
        for segment in plan_speech(ssml):
            if isinstance(segment, Silence):
                self.sleep(segment.seconds)
                continue
            if self.voice:
                current.setProperty("voice", self.voice)
            current.setProperty("rate", round(self.rate * segment.prosody.rate))
            current.setProperty("volume", min(1.0, engine.BASE_VOLUME * segment.prosody.volume))
            current.say(segment.text)
            current.runAndWait()


class TextSpeaker:
    """For machines without audio: the words, with pauses shown as "…"."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream

    def speak(self, ssml: str) -> None:
        parts = [s.text if isinstance(s, Speech) else "…" for s in plan_speech(ssml)
                 if isinstance(s, Speech) or s.seconds >= 0.5]
        print(" ".join(parts), file=self.stream or sys.stdout)


def make_speaker(writer: WavWriter) -> AudioSpeaker | LiveSpeaker:
    """The best audio speaker here, with ``writer``'s voice and rate.

    Raises SpeechUnavailable, saying why, when this machine cannot play sound.
    """
    if engine.driver_name() in ("nsss", "avspeech"):  # pragma: no cover - macOS only
        return LiveSpeaker(writer.voice, writer.rate)
    return AudioSpeaker(writer, find_player())
