"""A rehearsal turn: typed line → matcher → envelope → the skill (SQLite) → WAV written.

Evenings of an ordinary rehearsal script run in process against a temporary database,
with every answer rendered through pyttsx3/espeak-ng to a WAV file (no playback).
Each evening starts a day later, so prompts change as they would; stretches of speech
the skill repeats (intros, closing lines) come from the writer's cache, as in a real
rehearsal.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.stats import percentiles
from local_tts.rehearsal.setup import Options, open_rehearsal

EVENING = ("open porch light", "yes", "another one", "tell porch light not now",
           "open porch light", "exit")
PROMPT_TURNS = frozenset({"yes", "another one"})
"""Turns whose answer is a new prompt: the most speech to render."""


def run(evenings: int = 30, *, smoke: bool = False) -> dict[str, Any]:
    if smoke:
        evenings = 1
    saved = os.environ.get("XDG_DATA_HOME")
    with tempfile.TemporaryDirectory() as folder:
        os.environ["XDG_DATA_HOME"] = folder  # the rehearsal identity goes here, not home
        rehearsal, close = open_rehearsal(Options(
            database_url=f"sqlite:///{folder}/bench.sqlite3", at="2026-12-01 21:00",
            save_wav=Path(folder) / "wav"))
        timings: list[float] = []
        prompts: list[float] = []
        try:
            for evening in range(evenings + 2):
                for line in EVENING:
                    started = time.perf_counter()
                    rehearsal.hear(line)
                    elapsed = (time.perf_counter() - started) * 1000
                    if evening >= 2:  # the first evenings start the engine and fill caches
                        timings.append(elapsed)
                        if line in PROMPT_TURNS:
                            prompts.append(elapsed)
                rehearsal.later("1 day")
        finally:
            close()
            os.environ.pop("XDG_DATA_HOME")
            if saved is not None:
                os.environ["XDG_DATA_HOME"] = saved
    return {"rehearsal_turn_with_wav": percentiles(timings),
            "rehearsal_prompt_turn_with_wav": percentiles(prompts)}
