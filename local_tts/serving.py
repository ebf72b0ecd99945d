"""`porchlight serve --dev --speak`: every response the server sends is also said aloud.

Speech runs on one worker thread, in the order responses were sent, so the server
answers at once and never waits for the speaker. Nothing said is logged.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Mapping
from typing import Any

from local_tts.engine import SpeechFailed, SpeechUnavailable
from local_tts.speaker import Speaker

RESPONSE_LISTENER = "porchlight.on_response"
"""The Flask app extension skill/web.py calls with each response it sends."""

log = logging.getLogger("porchlight.speech")


def speech_of(payload: Mapping[str, Any]) -> str | None:
    """The SSML (or plain text) a response envelope speaks, if any."""
    response = payload.get("response")
    speech = response.get("outputSpeech") if isinstance(response, Mapping) else None
    if not isinstance(speech, Mapping):
        return None
    text = speech.get("ssml") or speech.get("text")
    return text if isinstance(text, str) and text.strip() else None


class BackgroundSpeaker:
    """Queues each response's speech and says it on a worker thread."""

    def __init__(self, speaker: Speaker) -> None:
        self.speaker = speaker
        self.queue: queue.Queue[str] = queue.Queue()
        self.worker = threading.Thread(target=self._run, name="porchlight-speaker", daemon=True)
        self.worker.start()

    def __call__(self, payload: Mapping[str, Any]) -> None:
        text = speech_of(payload)
        if text is not None:
            self.queue.put(text)

    def wait(self) -> None:
        """Block until everything queued has been said."""
        self.queue.join()

    def _run(self) -> None:
        while True:
            text = self.queue.get()
            try:
                self.speaker.speak(text)
            except (SpeechUnavailable, SpeechFailed) as error:
                log.warning("could not speak a response", extra={"error_type":
                                                                 type(error).__name__})
            finally:
                self.queue.task_done()


def speak_responses(app: Any, speaker: Speaker) -> BackgroundSpeaker:
    """Make ``app`` say every response it sends through ``speaker``."""
    background = BackgroundSpeaker(speaker)
    app.extensions[RESPONSE_LISTENER] = background
    return background
