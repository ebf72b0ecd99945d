"""Shared fixtures: an app on a temporary database, a settable clock, and a signing Alexa."""

from __future__ import annotations

import json
import socket
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from skill.app import create_app
from skill.conversation.clock import SettableClock
from skill.storage import HouseholdStore
from tests import postgres
from tests.envelopes import SKILL_ID, Device, dumps
from tests.fake_alexa_api import FakeAlexaApi
from tests.signing import TestAuthority

# 9 p.m. in New York on a Friday: an ordinary evening.
EVENING = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def authority(tmp_path_factory: pytest.TempPathFactory) -> TestAuthority:
    return TestAuthority(tmp_path_factory.mktemp("authority"), EVENING - timedelta(days=30))


@pytest.fixture
def clock() -> SettableClock:
    return SettableClock(EVENING)


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'porchlight.sqlite3'}"


@pytest.fixture
def app_config(database_url: str, authority: TestAuthority) -> dict[str, Any]:
    return {
        "database_url": database_url,
        "skill_id": SKILL_ID,
        "ca_bundle": str(authority.ca_bundle),
        "cert_cache_dir": str(authority.cert_cache_dir),
    }


@pytest.fixture
def alexa_stand_ins() -> tuple[str, ...]:
    """Hosts of local stand-ins the skill may send a request's token to: none, as in
    production. Tests that talk to the stand-in (``alexa_api``) override this."""
    return ()


@pytest.fixture
def app(app_config: dict[str, Any], clock: SettableClock,
        alexa_stand_ins: tuple[str, ...]) -> Iterator[Flask]:
    application = create_app(app_config, clock=clock, alexa_stand_ins=alexa_stand_ins)
    yield application
    application.extensions["porchlight.store"].close()


@pytest.fixture
def store(app: Flask) -> HouseholdStore:
    store: HouseholdStore = app.extensions["porchlight.store"]
    return store


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


class Alexa:
    """Sends signed requests to the endpoint, as the Alexa service does."""

    def __init__(self, client: FlaskClient, authority: TestAuthority) -> None:
        self.client = client
        self.authority = authority

    def post(self, envelope: dict[str, Any]) -> Any:
        body = dumps(envelope)
        return self.client.post("/alexa", data=body, headers=self.authority.sign(body))

    def send(self, device: Device, envelope: dict[str, Any]) -> dict[str, Any]:
        """Post, require 200, let the device follow the session, return the JSON."""
        response = self.post(envelope)
        assert response.status_code == 200, response.get_data(as_text=True)
        payload: dict[str, Any] = response.get_json()
        device.follow(payload)
        return payload


@pytest.fixture
def alexa(client: FlaskClient, authority: TestAuthority) -> Alexa:
    return Alexa(client, authority)


@pytest.fixture
def device(clock: SettableClock) -> Device:
    return Device(clock)


@pytest.fixture
def alexa_api() -> Iterator[FakeAlexaApi]:
    """The Alexa Reminders and Settings APIs, stood in for on loopback."""
    fake = FakeAlexaApi()
    fake.start()
    yield fake
    fake.close()


def speech(payload: dict[str, Any]) -> str:
    """The SSML a response speaks."""
    return str(payload["response"].get("outputSpeech", {}).get("ssml", ""))


# ------------------------------------------------------------------------- PostgreSQL


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without a test PostgreSQL, skip the tests that need one (the summary counts them)."""
    if postgres.server_url():
        return
    skip = pytest.mark.skip(reason=postgres.SKIP_REASON)
    for item in items:
        if item.get_closest_marker("postgres"):
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config
                            ) -> None:
    """Say which PostgreSQL tests were skipped, and how to run them."""
    skipped = [report for report in terminalreporter.stats.get("skipped", [])
               if postgres.SKIP_REASON in str(report.longrepr)]
    if not skipped:
        return
    per_file = Counter(report.nodeid.split("::")[0] for report in skipped)
    files = ", ".join(f"{name} ({count})" for name, count in sorted(per_file.items()))
    terminalreporter.write_line(f"{len(skipped)} PostgreSQL tests skipped: {files}", yellow=True)
    terminalreporter.write_line(f"  {postgres.HOW_TO_RUN}", yellow=True)


@pytest.fixture
def postgres_url() -> str:
    url = postgres.server_url()
    assert url, postgres.SKIP_REASON  # only tests marked postgres ask for it
    return url


@pytest.fixture
def postgres_schema(postgres_url: str) -> Iterator[str]:
    """A fresh schema in the test PostgreSQL, dropped afterwards."""
    with postgres.fresh_schema(postgres_url) as schema:
        yield schema


@pytest.fixture
def unused_port() -> int:
    """A loopback port where nothing listens (free when asked)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def log_entries(captured: str, logger: str | None = None) -> list[dict[str, Any]]:
    """The JSON log lines in captured stderr, optionally of one logger."""
    entries = [json.loads(line) for line in captured.splitlines() if line.startswith("{")]
    return [e for e in entries if logger is None or e["logger"] == logger]
