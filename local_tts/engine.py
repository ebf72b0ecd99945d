"""The process's one pyttsx3 engine, and rendering one stretch of speech to a WAV file.

pyttsx3 must be started once per process: a second engine replaces the first one's
callbacks inside espeak-ng, and files written afterwards can come out empty. So the
engine is created on first use, kept for the life of the process, and used under a lock.

pyttsx3's espeak-ng driver synthesises on espeak's own thread and its ``runAndWait``
can return before the file is written (another source of empty or short WAV files),
so every save also waits for the engine's "finished-utterance" notification. The
driver prints "Audio saved to …" on every save; that print is swallowed.
"""

from __future__ import annotations

import atexit
import contextlib
import io
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_RATE = 170
"""Base speaking rate in words per minute (Alexa speaks at about this pace)."""
BASE_VOLUME = 0.8
"""Engine volume for normal speech, leaving room for "loud" and emphasis."""
MIN_RATE, MAX_RATE = 80, 450
SAVE_TIMEOUT_SECONDS = 30.0
SAVE_ATTEMPTS = 3
RETRY_PAUSE_SECONDS = 0.02
WAV_HEADER_BYTES = 44
IDLE_TIMEOUT_SECONDS = 2.0
INSTALL_HINT = ("On Debian or Ubuntu: sudo apt-get install espeak-ng (or run `make install` "
                "as root); on macOS and Windows pyttsx3 uses the system voices.")

_lock = threading.RLock()
_engine: Any = None
_finished = threading.Event()
_outcome: dict[str, bool] = {}
_default_voice: str | None = None


class SpeechUnavailable(RuntimeError):
    """No speech engine (or no way to play sound) on this machine; says how to get one."""


class SpeechFailed(RuntimeError):
    """The speech engine ran but did not produce usable audio."""


class VoiceNotFound(LookupError):
    """No voice matches what was asked for; the message lists some that exist."""


@dataclass(frozen=True)
class VoiceInfo:
    """One voice the engine offers."""

    id: str
    """The engine's id for it (``--voice`` accepts this)."""
    name: str
    """Its display name."""
    languages: tuple[str, ...]
    """Language codes, lowercase with hyphens ("en-us")."""


def engine() -> Any:
    """The process's pyttsx3 engine, started on first use."""
    global _engine
    with _lock:
        if _engine is None:
            _engine = _start()
        return _engine


def _start() -> Any:
    try:
        import pyttsx3
    except ImportError as error:
        raise SpeechUnavailable(f"pyttsx3 is not installed ({error}); run `make install`") \
            from None
    try:
        started = pyttsx3.init()
    except Exception as error:  # drivers fail with OSError, RuntimeError, ImportError...
        raise SpeechUnavailable(f"pyttsx3 could not start a speech engine ({error}). "
                                f"{INSTALL_HINT}") from None
    started.connect("finished-utterance", _on_finished)
    global _default_voice
    _default_voice = str(started.getProperty("voice") or "") or None
    # A first utterance with no setting changed: pyttsx3 queues everything until its
    # first run, and settings applied in that run could cancel it.
    with tempfile.TemporaryDirectory(prefix="porchlight-tts-") as folder:
        _synthesise(started, "Ready.", Path(folder) / "warm-up.wav")
    return started


@atexit.register
def _release() -> None:
    """Drop the engine while Python is still whole: pyttsx3's finaliser needs its modules."""
    global _engine
    with _lock:
        _engine = None


def _on_finished(completed: bool = True, **_: Any) -> None:
    _outcome["completed"] = completed
    _finished.set()


def driver_name() -> str:
    """The pyttsx3 driver in use: "espeak", "nsss", "sapi5"…"""
    return str(engine())


def voices() -> list[VoiceInfo]:
    """The voices the engine offers."""
    with _lock:
        found = engine().getProperty("voices") or []
    return [VoiceInfo(str(v.id), str(v.name or v.id),
                      tuple(str(x).lower().replace("_", "-") for x in (v.languages or ())
                            if isinstance(x, str)))
            for v in found]


def resolve_voice(query: str | None, locale: str | None = None) -> str | None:
    """The id of the voice ``query`` names (an id, a language code or part of a name).

    Without a query, the voice for ``locale`` ("en-US" → an American English voice) when
    the engine has one, else the engine's default (None).
    """
    available = voices()
    if query is None:
        wanted = (locale or "").lower()
        return next((v.id for v in available if wanted and wanted in v.languages), None)
    lowered = query.lower()
    for test in (lambda v: v.id.lower() == lowered,
                 lambda v: v.id.lower().endswith("/" + lowered),
                 lambda v: lowered in v.languages,
                 lambda v: v.name.lower() == lowered,
                 lambda v: lowered in v.name.lower()):
        match = next((v.id for v in available if test(v)), None)
        if match is not None:
            return match
    english = [v.id for v in available if any(x.startswith("en") for x in v.languages)]
    raise VoiceNotFound(f"no voice matches {query!r}; try one of: "
                            f"{', '.join((english or [v.id for v in available])[:8])}")


def save(text: str, path: Path, *, voice: str | None, rate: int, volume: float,
         whisper: bool = False) -> None:
    """Render ``text`` to a WAV file at ``path`` with the given voice, rate and volume.

    espeak-ng may still be winding down the previous utterance when the next starts, and
    pyttsx3 then cancels the new one; a cancelled or empty save is tried again.
    """
    with _lock:
        for _ in range(SAVE_ATTEMPTS):
            path.unlink(missing_ok=True)
            if _save_once(text, path, voice, rate, volume, whisper) and _has_audio(path):
                return
            time.sleep(RETRY_PAUSE_SECONDS)
    raise SpeechFailed(f"the speech engine wrote no audio for {len(text)} characters of text "
                       f"in {SAVE_ATTEMPTS} attempts")


def _save_once(text: str, path: Path, voice: str | None, rate: int, volume: float,
               whisper: bool) -> bool:
    """One save; True when the engine reports it finished (not cancelled)."""
    current = engine()
    espeak = str(current) == "espeak"
    name = voice or _default_voice
    if name is not None:
        current.setProperty("voice", f"{name}+whisper" if whisper and espeak else name)
    current.setProperty("rate", min(MAX_RATE, max(MIN_RATE, int(rate))))
    current.setProperty("volume", min(1.0, max(0.0, volume * (0.6 if whisper else 1.0))))
    return _synthesise(current, text, path)


def _synthesise(current: Any, text: str, path: Path) -> bool:
    """Save ``text`` with the engine's current settings; True unless cancelled."""
    espeak = str(current) == "espeak"
    if espeak:
        _wait_until_espeak_is_idle()
    _finished.clear()
    _outcome.clear()
    with contextlib.redirect_stdout(io.StringIO()):
        current.save_to_file(text, str(path))
        current.runAndWait()
        if espeak and not _finished.wait(SAVE_TIMEOUT_SECONDS):
            raise SpeechFailed("the speech engine did not finish within "
                               f"{SAVE_TIMEOUT_SECONDS:.0f} s")
    if espeak:
        _wait_until_espeak_is_idle()
    return bool(_outcome.get("completed", True))


def _wait_until_espeak_is_idle() -> None:
    """Wait until espeak-ng's own thread is idle.

    espeak-ng applies voice and parameter changes, and finishes an utterance, on its
    thread; it reports "playing" until then. pyttsx3 cancels any utterance started while
    espeak-ng still reports "playing", which is how files come out empty.
    """
    from pyttsx3.drivers import _espeak  # espeak-ng's own API, as pyttsx3 binds it

    deadline = time.monotonic() + IDLE_TIMEOUT_SECONDS
    while _espeak.IsPlaying() and time.monotonic() < deadline:
        time.sleep(0.0005)


def _has_audio(path: Path) -> bool:
    """More than a WAV header."""
    try:
        return path.stat().st_size > WAV_HEADER_BYTES
    except OSError:
        return False
