"""Issue 12, section 2: limits that a chunked body, deep nesting or slow clients cannot
slip past, through the servers Porch Light runs on (waitress for `porchlight serve`,
gunicorn for deployments)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.envelopes import Device, dumps
from tests.security.conftest import Served, post
from tests.servers import ROOT, Server, free_port, server_environment, start_gunicorn
from tests.signing import TestAuthority

LIMIT = 128 * 1024


def envelope_of_size(device: Device, size: int) -> bytes:
    """A real PauseIntent envelope padded (in a slot value) to exactly ``size`` bytes."""
    envelope = device.intent("PauseIntent", one_shot=True)
    envelope["request"]["intent"]["slots"] = {"duration": {"name": "duration", "value": ""}}
    padding = size - len(dumps(envelope))
    envelope["request"]["intent"]["slots"]["duration"]["value"] = "P" * padding
    body = dumps(envelope)
    assert len(body) == size
    return body


@pytest.fixture(scope="module")
def gunicorn(tmp_path_factory: pytest.TempPathFactory, authority: TestAuthority
             ) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("limits")
    server = start_gunicorn("limits", folder, server_environment(
        f"sqlite:///{folder}/limits.sqlite3", authority), workers=1)
    yield server
    server.stop()


def real_time_device() -> Device:
    """gunicorn runs on the real clock, so its envelopes carry the real time."""
    return Device(lambda: datetime.now(UTC))


def test_a_chunked_body_over_the_limit_gets_413_from_gunicorn(
    gunicorn: Server, authority: TestAuthority
) -> None:
    """Measured before: the first 128 KiB (a validly signed envelope) were served, 200, and
    the 81,000 bytes after them were never read."""
    signed = envelope_of_size(real_time_device(), LIMIT)
    status, _ = post(gunicorn.url, signed + b" " * 81_000, authority.sign(signed),
                     chunked=True)
    assert status == 413


def test_a_chunked_body_at_the_limit_is_still_served_by_gunicorn(
    gunicorn: Server, authority: TestAuthority
) -> None:
    body = envelope_of_size(real_time_device(), LIMIT)
    assert post(gunicorn.url, body, authority.sign(body), chunked=True)[0] == 200


def test_a_chunked_body_over_the_limit_gets_413_from_waitress(served: Served) -> None:
    signed = envelope_of_size(served.device(), LIMIT)
    status, _ = post(served.url, signed + b" " * 81_000, served.authority.sign(signed),
                     chunked=True)
    assert status == 413


def nested(depth: int) -> Any:
    value: Any = "deep"
    for _ in range(depth):
        value = {"a": [value]}
    return value


@pytest.mark.parametrize("depth", [40, 60_000])
def test_deeply_nested_json_gets_400(served: Served, depth: int) -> None:
    """Measured before: 200 through the catch-all (counted as an error)."""
    envelope = served.device().launch()
    body = dumps(envelope)
    body = body[:-1] + b',"extra":' + ("[" * depth).encode() + ("]" * depth).encode() + b"}"
    status, answer = served.post(body, served.authority.sign(body))
    assert status == 400
    assert "nests deeper" in answer["detail"]


def test_ordinary_nesting_is_served(served: Served) -> None:
    envelope = served.device().launch()
    envelope["context"]["extra"] = nested(8)
    assert served.signed(envelope)[0] == 200


def test_porchlight_serve_answers_while_slow_clients_hold_connections(
    tmp_path: Path, authority: TestAuthority
) -> None:
    """`porchlight serve` runs waitress: clients that send half a request and wait hold no
    thread, so Alexa's request is still answered."""
    port = free_port()
    environment = {**os.environ, **server_environment(
        f"sqlite:///{tmp_path}/serve.sqlite3", authority)}
    log = tmp_path / "serve.log"
    with log.open("wb") as sink:
        process = subprocess.Popen([sys.executable, "-m", "skill.cli", "serve", "--port",
                                    str(port)], cwd=ROOT, env=environment, stdout=sink,
                                   stderr=subprocess.STDOUT)
    server = Server(process, f"http://127.0.0.1:{port}", log)
    slow: list[socket.socket] = []
    try:
        wait_until_up(server)
        for _ in range(40):
            client = socket.create_connection(("127.0.0.1", port), timeout=5)
            client.sendall(b"POST /alexa HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n{")
            slow.append(client)
        device = real_time_device()
        body = dumps(device.launch())
        status, answer = post(server.url, body, authority.sign(body))
        assert status == 200, answer
        assert "Porch Light" in json.dumps(answer)
    finally:
        for client in slow:
            client.close()
        process.terminate()
        process.wait(timeout=15)


def wait_until_up(server: Server) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and server.process.poll() is None:
        try:
            if server.get("/healthz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError("porchlight serve did not start:\n" + server.log.read_text()[-2000:])

