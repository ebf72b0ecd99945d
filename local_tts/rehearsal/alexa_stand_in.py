"""A local stand-in for Alexa's Settings and Reminders APIs, at the envelope's apiEndpoint.

The rehearsal serves the simulated device's time zone exactly as Alexa does (``GET
/v2/devices/{deviceId}/settings/System.timeZone`` answers a JSON string) and keeps
reminders in memory, so the skill's calls go through the same code as on a real Echo.
It listens on loopback only and records every call (tests read them).
"""

from __future__ import annotations

import itertools
import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TIMEZONE_SUFFIX = "/settings/System.timeZone"
REMINDERS_PATH = "/v1/alerts/reminders"


@dataclass
class Call:
    """One request the skill made: method, path, headers and JSON body."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any


class AlexaStandIn:
    """Answers like Alexa's APIs: the device's zone, and reminders kept in memory."""

    def __init__(self, timezone: str | None = None) -> None:
        self.timezone = timezone
        """What System.timeZone answers; None answers 204, as for a device without one."""
        self.calls: list[Call] = []
        self.reminders: dict[str, Any] = {}
        self.url = ""
        self.redirect_to: str | None = None
        """When set, every call is answered 302 to this URL (to test that nobody follows)."""
        self._tokens = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None

    def answer(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        """(status, JSON body) for one call."""
        if method == "GET" and path.startswith("/v2/devices/") and path.endswith(TIMEZONE_SUFFIX):
            return (200, self.timezone) if self.timezone else (204, None)
        if method == "POST" and path == REMINDERS_PATH:
            token = f"reminder-token-{next(self._tokens)}"
            self.reminders[token] = body
            return 201, {"alertToken": token, "status": "ON"}
        token = path.removeprefix(REMINDERS_PATH + "/")
        if path.startswith(REMINDERS_PATH + "/") and token in self.reminders:
            if method == "PUT":
                self.reminders[token] = body
                return 200, {"alertToken": token, "status": "ON"}
            if method == "DELETE":
                del self.reminders[token]
                return 200, None
        return 404, {"code": "NOT_FOUND", "message": "no such resource"}

    def paths(self, method: str) -> list[str]:
        """The paths called with ``method``, in order."""
        return [c.path for c in self.calls if c.method == method]

    def start(self) -> str:
        """Listen on a free loopback port; returns the apiEndpoint URL."""
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    body = None
                stand_in.calls.append(Call(self.command, self.path, dict(self.headers), body))
                status, payload = stand_in.answer(self.command, self.path, body)
                if stand_in.redirect_to:
                    status, payload = 302, None
                data = json.dumps(payload).encode() if payload is not None else b""
                try:
                    self.send_response(status)
                    if stand_in.redirect_to:
                        self.send_header("Location", stand_in.redirect_to + self.path)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the skill gave up waiting (its one-second limit): as with Alexa

            do_GET = do_POST = do_PUT = do_DELETE = _handle

            def log_message(self, *_args: Any) -> None:
                """Quiet: the rehearsal prints only the conversation."""

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        threading.Thread(target=self._server.serve_forever, daemon=True,
                         name="alexa-stand-in").start()
        return self.url

    def close(self) -> None:
        """Stop listening."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
