"""The porchlight command, and `porchlight serve` answering a signed request for real."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from skill import lambda_function
from skill.cli import main
from tests.envelopes import Device, dumps
from tests.signing import TestAuthority


def test_help_lists_serve() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    assert "serve" in result.output


def test_serve_help_names_every_option() -> None:
    result = CliRunner().invoke(main, ["serve", "--help"])
    for option in ("--host", "--port", "--database-url", "--skill-id", "--dev"):
        assert option in result.output


def test_serve_refuses_dev_mode_on_a_public_host(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["serve", "--dev", "--host", "0.0.0.0",
                                       "--database-url", f"sqlite:///{tmp_path}/x.db"])
    assert result.exit_code == 2
    assert "loopback" in result.output


def test_serve_reports_a_bad_database_url(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["serve", "--database-url", "mysql://nowhere/db"])
    assert result.exit_code == 2
    assert "sqlite:///PATH" in result.output


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, TestAuthority]]:
    """`porchlight serve` in its own process, trusting a test authority, on a free port."""
    authority = TestAuthority(tmp_path / "ca", datetime.now(UTC))
    port = _free_port()
    env = {
        **os.environ,
        "PORCHLIGHT_PORT": str(port),
        "PORCHLIGHT_DATABASE_URL": f"sqlite:///{tmp_path}/served.sqlite3",
        "PORCHLIGHT_CA_BUNDLE": str(authority.ca_bundle),
        "PORCHLIGHT_CERT_CACHE_DIR": str(authority.cert_cache_dir),
    }
    log = tmp_path / "serve.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "skill.cli", "serve"], env=env,
            stdout=sink, stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("porchlight serve did not start: " + log.read_text())
        yield url, authority
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_serve_answers_a_signed_launch_request(served: tuple[str, TestAuthority]) -> None:
    url, authority = served
    device = Device(lambda: datetime.now(UTC))
    body = dumps(device.launch())
    request = urllib.request.Request(f"{url}/alexa", data=body, headers=authority.sign(body))
    with urllib.request.urlopen(request, timeout=10) as response:
        payload: dict[str, Any] = json.loads(response.read())
    assert "Porch Light" in payload["response"]["outputSpeech"]["ssml"]
    unsigned = urllib.request.Request(f"{url}/alexa", data=body,
                                      headers={"Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as rejected:
        urllib.request.urlopen(unsigned, timeout=10)
    assert rejected.value.code == 400
    rejected.value.close()


def test_lambda_handler_serves_the_same_skill(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PORCHLIGHT_DATABASE_URL", f"sqlite:///{tmp_path}/lambda.sqlite3")
    monkeypatch.delenv("PORCHLIGHT_SKILL_ID", raising=False)
    monkeypatch.setattr(lambda_function, "_handler", None)
    device = Device(lambda: datetime.now(UTC))
    event = json.loads(dumps(device.intent("TonightsPromptIntent", one_shot=True)))
    response = lambda_function.handler(event, None)
    assert "<prosody" in response["response"]["outputSpeech"]["ssml"]
    assert response["response"]["shouldEndSession"] is True
