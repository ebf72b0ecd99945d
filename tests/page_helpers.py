"""The rehearsal page in tests: a real rehearsal on a temporary household, served on
loopback in a thread, and headless Chromium from the system's packages to drive it."""

from __future__ import annotations

import os
import shutil
import threading
import wave
from collections.abc import Iterator
from contextlib import contextmanager
from io import BytesIO
from pathlib import Path

import pytest

from local_tts.rehearsal.setup import Options, open_rehearsal
from local_tts.rehearsal.web.backend import PageRehearsal
from local_tts.rehearsal.web.serve import give_voice, page_server
from tests.rehearsal_helpers import EVENING_AT, Rehearse

SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-screenshots"
"""Screenshots of the page's main states, for review (git-ignored)."""


@contextmanager
def page_rehearsal(rehearse: Rehearse, folder: Path, *, at: str = EVENING_AT,
                   sound: bool = True) -> Iterator[PageRehearsal]:
    """A page rehearsal on the same household and database ``rehearse`` uses."""
    options = Options(database_url=rehearse.database_url, at=at,
                      timezone="America/New_York")  # as the rehearsal scripts do
    rehearsal, close = open_rehearsal(options)
    if sound:
        folder.mkdir(parents=True, exist_ok=True)
        assert give_voice(rehearsal, options, folder) is None
    try:
        yield PageRehearsal(rehearsal, private_wavs=folder if sound else None)
    finally:
        close()


@contextmanager
def serving(page: PageRehearsal) -> Iterator[str]:
    """The page served on 127.0.0.1 in a thread; its address."""
    server, url = page_server(page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield url
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def wav_seconds(data: bytes) -> float:
    """The length of a WAV file's audio (wave reads and checks the RIFF header)."""
    with wave.open(BytesIO(data)) as audio:
        return audio.getnframes() / audio.getframerate()


def chromium() -> tuple[str, str]:
    """The system's Chromium and chromedriver. Missing: skip on a developer's machine
    (saying how to get them), fail in CI, where `make test` installs them."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if browser and driver:
        return browser, driver
    reason = ("the browser tests need Debian's chromium and chromium-driver: `make test` "
              "installs them as root, or run `sudo apt-get install chromium chromium-driver`")
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"CI must run the browser tests: {reason}")
    pytest.skip(reason)
