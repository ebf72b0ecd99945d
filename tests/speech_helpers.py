"""A stand-in audio player for tests: it keeps a copy of every WAV file it is given."""

from __future__ import annotations

import shlex
import sys
import time
import wave
from pathlib import Path

PLAYER = """\
import pathlib, shutil, sys
folder = pathlib.Path(sys.argv[1])
count = len(list(folder.glob("played-*.wav")))
shutil.copy(sys.argv[2], folder / f"played-{count:03d}.wav")
"""


def fake_player(folder: Path) -> str:
    """A PORCHLIGHT_AUDIO_PLAYER command that copies what it plays into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "player.py"
    script.write_text(PLAYER)
    return shlex.join([sys.executable, str(script), str(folder)])


def played(folder: Path) -> list[Path]:
    return sorted(folder.glob("played-*.wav"))


def wait_for_played(folder: Path, count: int, timeout: float = 20.0) -> list[Path]:
    deadline = time.monotonic() + timeout
    while len(played(folder)) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return played(folder)


def wav_seconds(path: Path) -> float:
    with wave.open(str(path)) as audio:
        return audio.getnframes() / audio.getframerate()
