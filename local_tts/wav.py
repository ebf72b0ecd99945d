"""A whole response, silences included, rendered to one WAV file.

Each stretch of speech is rendered by the engine to a temporary WAV file; the frames are
joined with the standard ``wave`` module, with silent frames of the right length for
every break. Rendered stretches are cached (the skill's intros and closing lines repeat
all evening), so a typical rehearsal turn renders only what is new.
"""

from __future__ import annotations

import tempfile
import wave
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from local_tts import engine
from local_tts.ssml import Segment, Silence, Speech, plan_speech

DEFAULT_FORMAT = (1, 2, 22050)
"""(channels, bytes per sample, frames per second) when a response has no speech."""
CACHE_ENTRIES = 256


@dataclass(frozen=True)
class Audio:
    """Raw audio frames and their format."""

    channels: int
    """1 for mono."""
    sample_width: int
    """Bytes per sample (2 for 16-bit)."""
    frame_rate: int
    """Frames per second."""
    frames: bytes
    """The raw frames."""

    @property
    def format(self) -> tuple[int, int, int]:
        return self.channels, self.sample_width, self.frame_rate


@dataclass(frozen=True)
class Rendering:
    """A response written to a WAV file."""

    path: Path
    """The file."""
    seconds: float
    """Its length."""
    spoken: int
    """How many stretches of speech it holds."""


class WavWriter:
    """Renders SSML to WAV files with one voice and base rate."""

    def __init__(self, voice: str | None = None, rate: int = engine.DEFAULT_RATE,
                 volume: float = engine.BASE_VOLUME) -> None:
        self.voice = voice
        self.rate = rate
        self.volume = volume
        self._cache: OrderedDict[tuple[str, float, float, bool], Audio] = OrderedDict()

    def render(self, ssml: str, path: Path) -> Rendering:
        """Write everything ``ssml`` says, pauses included, to ``path``."""
        plan = plan_speech(ssml)
        with tempfile.TemporaryDirectory(prefix="porchlight-tts-") as folder:
            spoken = [self.audio(s, Path(folder)) for s in plan if isinstance(s, Speech)]
        formats = {audio.format for audio in spoken}
        if len(formats) > 1:
            raise engine.SpeechFailed(f"the engine wrote segments in different formats: "
                                      f"{sorted(formats)}")
        channels, width, rate = formats.pop() if formats else DEFAULT_FORMAT
        frames = _joined(plan, iter(spoken), channels * width, rate)
        path.parent.mkdir(parents=True, exist_ok=True)
        with wave.open(str(path), "wb") as out:
            out.setnchannels(channels)
            out.setsampwidth(width)
            out.setframerate(rate)
            out.writeframes(frames)
        return Rendering(path, len(frames) / (channels * width * rate), len(spoken))

    def audio(self, speech: Speech, folder: Path) -> Audio:
        """The audio of one stretch of speech, from the cache or the engine."""
        prosody = speech.prosody
        key = (speech.text, prosody.rate, prosody.volume, prosody.whisper)
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return cached
        path = folder / f"segment-{len(list(folder.iterdir()))}.wav"
        engine.save(speech.text, path, voice=self.voice, rate=round(self.rate * prosody.rate),
                    volume=self.volume * prosody.volume, whisper=prosody.whisper)
        audio = read_wav(path)
        if not audio.frames:
            raise engine.SpeechFailed(f"the speech engine wrote an empty WAV file for "
                                      f"{len(speech.text)} characters of text")
        self._cache[key] = audio
        if len(self._cache) > CACHE_ENTRIES:
            self._cache.popitem(last=False)
        return audio


def read_wav(path: Path) -> Audio:
    """The frames of a WAV file the engine wrote."""
    try:
        with wave.open(str(path), "rb") as source:
            return Audio(source.getnchannels(), source.getsampwidth(), source.getframerate(),
                         source.readframes(source.getnframes()))
    except (wave.Error, EOFError, OSError) as error:
        raise engine.SpeechFailed(
            f"the speech engine did not write a readable WAV file ({error}); WAV output "
            "needs an engine that writes WAV, such as espeak-ng (macOS voices write AIFF)"
        ) from None


def _joined(plan: tuple[Segment, ...], spoken: Iterator[Audio], frame_bytes: int,
            rate: int) -> bytes:
    parts = []
    for segment in plan:
        if isinstance(segment, Silence):
            parts.append(b"\x00" * (round(segment.seconds * rate) * frame_bytes))
        else:
            parts.append(next(spoken).frames)
    return b"".join(parts)
