"""Running the rehearsal page: a loopback-only server, a token per run, the browser.

The server binds 127.0.0.1 whatever else is asked. Request lines are not logged (they
hold the token; nothing typed is ever in them, but nothing needs them either).
"""

from __future__ import annotations

import contextlib
import secrets
import tempfile
import webbrowser
from dataclasses import replace
from pathlib import Path
from typing import Any, TextIO

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from local_tts.engine import SpeechUnavailable
from local_tts.rehearsal.session import Rehearsal, Voice
from local_tts.rehearsal.setup import Options, make_writer, open_rehearsal
from local_tts.rehearsal.transport import RehearsalError
from local_tts.rehearsal.web.app import create_rehearsal_app
from local_tts.rehearsal.web.backend import PageRehearsal

HOST = "127.0.0.1"


class QuietRequestHandler(WSGIRequestHandler):
    """Werkzeug's handler without the per-request log line."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return


def page_server(page: PageRehearsal, port: int = 0) -> tuple[BaseWSGIServer, str]:
    """A server for ``page`` on 127.0.0.1 (any free port for 0), and the page's address."""
    token = secrets.token_urlsafe(24)
    server = make_server(HOST, port, create_rehearsal_app(page, token), threaded=True,
                         request_handler=QuietRequestHandler)
    return server, f"http://{HOST}:{server.server_port}/{token}/"


def give_voice(rehearsal: Rehearsal, options: Options, folder: Path) -> str | None:
    """Render answers to WAV files in ``folder`` for the page (unless --save-wav already
    does); why not, when this computer has no speech engine."""
    if rehearsal.voice.writer is not None:
        return None
    try:
        rehearsal.voice = Voice(None, make_writer(options), folder)
    except SpeechUnavailable as error:
        return str(error)
    return None


def run(options: Options, *, muted: bool, port: int, open_browser: bool, out: TextIO) -> None:
    """Serve the page until Ctrl-C. ValueError, SpeechUnavailable or VoiceNotFound say
    what is wrong with the options; OSError when the port cannot be had."""
    with tempfile.TemporaryDirectory(prefix="porchlight-page-") as temporary:
        folder = Path(temporary)
        rehearsal, close = open_rehearsal(replace(options, speak=False))
        try:
            note = give_voice(rehearsal, options, folder)
            page = PageRehearsal(rehearsal, private_wavs=folder, start_muted=muted,
                                 sound_note=note)
            server, url = page_server(page, port)
            print(f"Porch Light rehearsal page: {url}\n(only this computer can open it; "
                  "Ctrl-C stops)", file=out, flush=True)
            if note:
                print(f"(no sound: {note})", file=out, flush=True)
            if open_browser and not webbrowser.open(url):
                print("(no browser could be opened from here: open the address above in "
                      "one on this computer)", file=out, flush=True)
            _serve(server)
        finally:
            with contextlib.suppress(RehearsalError):
                rehearsal.leave()
            close()


def _serve(server: Any) -> None:
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
