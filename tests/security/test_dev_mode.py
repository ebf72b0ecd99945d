"""Issue 12, section 3: development mode (no signature checks) never serves the network
or a web page, however it is started; and a server without a skill id says so, or refuses
to start."""

from __future__ import annotations

import ipaddress
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from skill.app import create_app
from skill.conversation.clock import SettableClock
from tests.conftest import EVENING
from tests.envelopes import Device, dumps
from tests.security.conftest import post
from tests.security.test_limits import wait_until_up
from tests.servers import ROOT, Server, free_port, server_environment, start_gunicorn
from tests.signing import TestAuthority

JSON = {"Content-Type": "application/json"}


def own_address() -> str | None:
    """This machine's address on its network (no packet is sent), if it has one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))
        except OSError:
            return None
        address = str(probe.getsockname()[0])
    return None if ipaddress.ip_address(address).is_loopback else address


@pytest.fixture(scope="module")
def dev_gunicorn(tmp_path_factory: pytest.TempPathFactory, authority: TestAuthority
                 ) -> Iterator[Server]:
    """gunicorn with PORCHLIGHT_DEV=true --bind 0.0.0.0: the start the issue measured."""
    folder = tmp_path_factory.mktemp("dev")
    environment = server_environment(f"sqlite:///{folder}/dev.sqlite3", authority,
                                     PORCHLIGHT_DEV="true")
    server = start_gunicorn("dev", folder, environment, workers=1, bind_host="0.0.0.0")
    yield server
    server.stop()


def launch_body() -> bytes:
    return dumps(Device(lambda: datetime.now(UTC)).launch())


def test_dev_gunicorn_on_every_address_refuses_a_peer_that_is_not_loopback(
    dev_gunicorn: Server
) -> None:
    """Measured before: served unsigned requests from a non-loopback peer."""
    address = own_address()
    if address is None:
        pytest.skip("this machine has no address but loopback to be a remote peer from")
    port = dev_gunicorn.url.rsplit(":", 1)[1]
    status, answer = post(f"http://{address}:{port}", launch_body(), JSON)
    assert status == 403
    assert "loopback only" in answer["detail"]


def test_dev_gunicorn_still_serves_its_own_machine(dev_gunicorn: Server) -> None:
    """What rehearsal's --endpoint sends: loopback, application/json, unsigned."""
    assert post(dev_gunicorn.url, launch_body(), JSON)[0] == 200


@pytest.mark.parametrize("headers, status", [
    ({**JSON, "Origin": "https://evil.example"}, 403),
    ({**JSON, "Origin": "null"}, 403),
    ({"Content-Type": "text/plain"}, 415),
    ({"Content-Type": "application/x-www-form-urlencoded"}, 415),
    ({}, 415),
    ({**JSON, "X-Forwarded-For": "203.0.113.9"}, 403),
])
def test_dev_gunicorn_refuses_what_a_web_page_or_a_proxy_could_send(
    dev_gunicorn: Server, headers: dict[str, str], status: int
) -> None:
    assert post(dev_gunicorn.url, launch_body(), headers)[0] == status


@pytest.fixture
def dev_client(tmp_path: Path) -> Iterator[FlaskClient]:
    app = create_app({"database_url": f"sqlite:///{tmp_path}/dev.sqlite3", "dev": True},
                     clock=SettableClock(EVENING))
    yield app.test_client()
    app.extensions["porchlight.store"].close()


@pytest.mark.parametrize("peer", ["192.0.2.7", "10.0.0.2", "::ffff:10.0.0.2", "2001:db8::1"])
def test_dev_mode_refuses_every_peer_that_is_not_loopback(dev_client: FlaskClient,
                                                         peer: str) -> None:
    body = dumps(Device(SettableClock(EVENING)).launch())
    response = dev_client.post("/alexa", data=body, headers=JSON,
                               environ_base={"REMOTE_ADDR": peer})
    assert response.status_code == 403
    assert dev_client.get("/healthz", environ_base={"REMOTE_ADDR": peer}).status_code == 403


@pytest.mark.parametrize("peer", ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"])
def test_dev_mode_serves_loopback_peers(dev_client: FlaskClient, peer: str) -> None:
    body = dumps(Device(SettableClock(EVENING)).launch())
    response = dev_client.post("/alexa", data=body, headers=JSON,
                               environ_base={"REMOTE_ADDR": peer})
    assert response.status_code == 200


@pytest.mark.parametrize("headers, status", [
    ({**JSON, "Origin": "https://evil.example"}, 403),
    ({"Content-Type": "text/plain"}, 415),
    ({**JSON, "Forwarded": "for=203.0.113.9"}, 403),
    # DNS rebinding: the page's own name for 127.0.0.1, and its own origin
    ({**JSON, "Host": "rebound.example:5000", "Origin": "http://rebound.example:5000"}, 403),
    ({**JSON, "Host": "rebound.example"}, 403),
])
def test_dev_mode_refuses_pages_and_proxies_in_process(
    dev_client: FlaskClient, headers: dict[str, str], status: int
) -> None:
    """The same rules as through gunicorn above, whatever server runs the app."""
    body = dumps(Device(SettableClock(EVENING)).launch())
    assert dev_client.post("/alexa", data=body, headers=headers).status_code == status


@pytest.mark.parametrize("host", ["localhost", "localhost:5000", "127.0.0.1:5000",
                                  "[::1]:5000", "[::1]", "127.0.0.2"])
def test_dev_mode_answers_to_loopback_host_names(dev_client: FlaskClient, host: str) -> None:
    body = dumps(Device(SettableClock(EVENING)).launch())
    response = dev_client.post("/alexa", data=body, headers={**JSON, "Host": host})
    assert response.status_code == 200


def test_dev_mode_accepts_its_own_origin(dev_client: FlaskClient) -> None:
    body = dumps(Device(SettableClock(EVENING)).launch())
    response = dev_client.post("/alexa", data=body,
                               headers={**JSON, "Origin": "http://localhost"})
    assert response.status_code == 200


def test_gunicorn_without_a_skill_id_refuses_to_start(tmp_path: Path,
                                                      authority: TestAuthority) -> None:
    environment = server_environment(f"sqlite:///{tmp_path}/any.sqlite3", authority)
    environment.pop("PORCHLIGHT_SKILL_ID")
    server = start_gunicorn("no-skill-id", tmp_path,
                            {**environment, "PORCHLIGHT_SKILL_ID": ""}, workers=1, wait=False)
    try:
        assert server.process.wait(timeout=60) != 0
    finally:
        server.stop()
    assert "PORCHLIGHT_ALLOW_ANY_SKILL" in server.log.read_text()


def test_gunicorn_serves_any_skill_only_when_told_and_healthz_says_so(
    tmp_path: Path, authority: TestAuthority
) -> None:
    environment = server_environment(f"sqlite:///{tmp_path}/any.sqlite3", authority,
                                     PORCHLIGHT_SKILL_ID="", PORCHLIGHT_ALLOW_ANY_SKILL="true")
    server = start_gunicorn("any-skill", tmp_path, environment, workers=1)
    try:
        status, health = server.get("/healthz")
    finally:
        server.stop()
    assert status == 200
    assert "PORCHLIGHT_SKILL_ID is not set" in health


def test_porchlight_serve_without_a_skill_id_warns_at_every_start(
    tmp_path: Path, authority: TestAuthority
) -> None:
    environment = {**os.environ, **server_environment(
        f"sqlite:///{tmp_path}/serve.sqlite3", authority), "PORCHLIGHT_SKILL_ID": ""}
    for start in range(2):
        port = free_port()
        log = tmp_path / f"serve-{start}.log"
        with log.open("wb") as sink:
            process = subprocess.Popen(
                [sys.executable, "-m", "skill.cli", "serve", "--port", str(port)], cwd=ROOT,
                env=environment, stdout=sink, stderr=subprocess.STDOUT)
        server = Server(process, f"http://127.0.0.1:{port}", log)
        try:
            wait_until_up(server)
            status, health = server.get("/healthz")
        finally:
            process.terminate()
            process.wait(timeout=15)
        assert status == 200 and "PORCHLIGHT_SKILL_ID is not set" in health
        assert "requests signed for ANY Alexa skill are accepted" in log.read_text()
