"""A real Porch Light server (waitress, as `porchlight serve` runs it) whose certificate
fetcher reaches a fake S3 on loopback, and a raw HTTP client that can send anything."""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask

from skill.app import create_app
from skill.cli import wsgi_server
from skill.conversation.clock import SettableClock
from tests.conftest import EVENING
from tests.envelopes import SKILL_ID, Device, dumps
from tests.security.fake_s3 import FakeS3
from tests.signing import CERT_URL, TestAuthority, pem

CHAIN_PATH = urlsplit(CERT_URL).path


@dataclass
class Served:
    """A running server: where it is, its app, its empty certificate folder, its clock."""

    url: str
    app: Flask
    cert_dir: Path
    clock: SettableClock
    authority: TestAuthority

    def post(self, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
        return post(self.url, body, headers)

    def signed(self, envelope: dict[str, Any], url: str = CERT_URL
               ) -> tuple[int, dict[str, Any]]:
        body = dumps(envelope)
        return self.post(body, self.authority.sign(body, url=url))

    def device(self, **options: Any) -> Device:
        return Device(self.clock, **options)

    def cached_files(self) -> list[Path]:
        return sorted(self.cert_dir.iterdir()) if self.cert_dir.exists() else []


def post(url: str, body: bytes, headers: dict[str, str], *, chunked: bool = False
         ) -> tuple[int, dict[str, Any]]:
    """POST /alexa with http.client: the status and the JSON answer (or {})."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=15)
    try:
        connection.request("POST", "/alexa", body=iter([body]) if chunked else body,
                           headers=headers, encode_chunked=chunked)
        response = connection.getresponse()
        raw = response.read()
    finally:
        connection.close()
    try:
        return response.status, json.loads(raw)
    except ValueError:
        return response.status, {}


def serve_app(app: Flask) -> tuple[str, Callable[[], None]]:
    """Serve ``app`` on a loopback port with `porchlight serve`'s own WSGI server; returns
    its URL and what stops it."""
    server = wsgi_server(app, "127.0.0.1", 0, app.extensions["porchlight.settings"]
                         .max_body_bytes)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()

    def stop() -> None:
        # Closed from inside waitress's own loop: with nothing left to watch, run() returns.
        server.trigger.pull_trigger(
            lambda: [channel.close() for channel in list(server._map.values())])
        thread.join(timeout=10)
        server.task_dispatcher.shutdown()

    return f"http://127.0.0.1:{server.effective_port}", stop


@pytest.fixture
def fake_s3(tmp_path: Path, authority: TestAuthority) -> Iterator[FakeS3]:
    s3 = FakeS3(tmp_path, EVENING)
    s3.chains[CHAIN_PATH] = pem(authority.leaf, authority.intermediate)
    yield s3
    s3.close()


@pytest.fixture
def served(tmp_path: Path, authority: TestAuthority, fake_s3: FakeS3) -> Iterator[Served]:
    """Porch Light with an empty certificate folder: every chain comes from the fake S3."""
    clock = SettableClock(EVENING)
    cert_dir = tmp_path / "certs"
    app = create_app({"database_url": f"sqlite:///{tmp_path}/served.sqlite3",
                      "skill_id": SKILL_ID, "ca_bundle": str(authority.ca_bundle),
                      "cert_cache_dir": str(cert_dir)},
                     clock=clock, cert_fetch=fake_s3.fetcher())
    url, stop = serve_app(app)
    yield Served(url, app, cert_dir, clock, authority)
    stop()
    app.extensions["porchlight.store"].close()
