"""A small local HTTP server standing in for the Alexa Reminders and Settings APIs."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Call:
    """One request the skill made: method, path, headers and JSON body."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class FakeAlexaApi:
    """Records every call; answers are set per (method, path prefix)."""

    timezone: str | None = "America/Chicago"
    reminder_status: int = 201
    delete_status: int = 200
    update_status: int = 200
    calls: list[Call] = field(default_factory=list)
    url: str = ""

    def answer(self, method: str, path: str) -> tuple[int, Any]:
        if method == "GET" and path.endswith("/settings/System.timeZone"):
            return (200, self.timezone) if self.timezone else (403, {"code": "FORBIDDEN"})
        if method == "POST" and path == "/v1/alerts/reminders":
            if self.reminder_status == 201:
                return 201, {"alertToken": "reminder-token-1", "status": "ON"}
            return self.reminder_status, {"code": "ERROR"}
        if method == "PUT" and path.startswith("/v1/alerts/reminders/"):
            return self.update_status, {"alertToken": path.rsplit("/", 1)[1]}
        if method == "DELETE" and path.startswith("/v1/alerts/reminders/"):
            return self.delete_status, None
        return 404, {"code": "NOT_FOUND"}

    def paths(self, method: str) -> list[str]:
        return [c.path for c in self.calls if c.method == method]


def serve(fake: FakeAlexaApi) -> ThreadingHTTPServer:
    """Start the stand-in on a free loopback port; ``fake.url`` is its apiEndpoint."""

    class Handler(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            fake.calls.append(Call(self.command, self.path, dict(self.headers),
                                   json.loads(raw) if raw else None))
            status, payload = fake.answer(self.command, self.path)
            body = json.dumps(payload).encode() if payload is not None else b""
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PUT = do_DELETE = _handle

        def log_message(self, *_args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{server.server_port}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
