"""Several real server processes on one database: nothing acknowledged is ever lost.

Two gunicorn servers (two workers each) share one database, as two machines behind a load
balancer would; many threads send interleaved "not now", pauses, boundaries and prompt
requests for the same households to both. Afterwards every acknowledged withdrawal, pause
and boundary is in the store. Then a server is killed with SIGKILL in the middle of a
stream of "not now"s: every one that was acknowledged is still there. Both on SQLite and on
PostgreSQL.
"""

from __future__ import annotations

import http.client
import re
import signal
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from skill.content import content_for
from skill.conversation.state import EventKind, Household
from skill.storage import HouseholdStore, household_key, open_store
from tests.envelopes import Device
from tests.postgres import url_with_schema
from tests.servers import ROOT, Server, post, server_environment, start_gunicorn
from tests.signing import TestAuthority

LINES = content_for("en-US").lines
HOUSEHOLDS = 4
REQUESTS = 240
THREADS = 8
NOT_NOW_LINES = set(LINES["not_now"]) | set(LINES["not_now_after_deep"])
PROMPTS = ("TonightsPromptIntent", "AnotherPromptIntent", "GentlerIntent", "DeeperIntent")

pytestmark = pytest.mark.slow


def now() -> datetime:
    return datetime.now(UTC)


@pytest.fixture(scope="module")
def live_authority(tmp_path_factory: pytest.TempPathFactory) -> TestAuthority:
    """Servers check request times against the real clock, so the certificates are current."""
    return TestAuthority(tmp_path_factory.mktemp("live-authority"), now())


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def shared_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """One database URL for every server; PostgreSQL gets a fresh schema, upgraded by the CLI."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/shared.sqlite3"
        return
    url = url_with_schema(request.getfixturevalue("postgres_url"),
                          request.getfixturevalue("postgres_schema"))
    upgraded = subprocess.run(
        [sys.executable, "-m", "skill.cli", "db", "upgrade", "--database-url", url],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
    )
    assert upgraded.returncode == 0, upgraded.stderr
    assert "schema at version" in upgraded.stdout
    yield url


@pytest.fixture
def servers(shared_database: str, live_authority: TestAuthority, tmp_path: Path
            ) -> Iterator[list[Server]]:
    started: list[Server] = []
    try:
        for name in ("one", "two"):
            metrics_dir = tmp_path / f"metrics-{name}"
            metrics_dir.mkdir()
            environment = server_environment(
                shared_database, live_authority, PORCHLIGHT_METRICS="true",
                PORCHLIGHT_DB_POOL_SIZE="2", PROMETHEUS_MULTIPROC_DIR=str(metrics_dir),
            )
            started.append(start_gunicorn(name, tmp_path, environment))
        yield started
    finally:
        for server in started:
            server.stop()


def spoken(payload: dict[str, Any]) -> str:
    ssml = str(payload["response"].get("outputSpeech", {}).get("ssml", ""))
    return ssml.removeprefix("<speak>").removesuffix("</speak>")


def stored_events(store: HouseholdStore, device: Device) -> Counter[EventKind]:
    household = Household.from_attributes(store.load(household_key(device.user_id)))
    return Counter(event.kind for event in household.events)


KINDS = ("not now", "pause", "boundary", "prompt")
TOPICS = ("money", "in laws", "work", "the future")


def envelope_for(device: Device, number: int) -> tuple[str, dict[str, Any]]:
    """The request number ``number`` sends: each household gets every kind, interleaved."""
    kind = KINDS[(number // HOUSEHOLDS) % len(KINDS)]
    if kind == "not now":
        return kind, device.intent("NotNowIntent", one_shot=True)
    if kind == "pause":
        return kind, device.intent("PauseIntent", {"duration": "P1W"}, one_shot=True)
    if kind == "boundary":
        topic = TOPICS[number % len(TOPICS)]
        return kind, device.intent("SetBoundaryIntent", {"topic": topic}, one_shot=True)
    return kind, device.intent(PROMPTS[(number // 16) % len(PROMPTS)], one_shot=True)


def assert_acknowledged(kind: str, payload: dict[str, Any]) -> None:
    said = spoken(payload)
    assert said not in LINES["store_unavailable"]
    if kind == "not now":
        assert said in NOT_NOW_LINES and payload["response"]["shouldEndSession"]
    if kind == "boundary":
        assert said.startswith(LINES["boundary_changed"][0]), said


def test_two_servers_lose_no_withdrawal_pause_or_boundary(
    servers: list[Server], shared_database: str, live_authority: TestAuthority
) -> None:
    households = [[Device(now, user_id=f"amzn1.ask.account.SCALE{h}") for _ in range(3)]
                  for h in range(HOUSEHOLDS)]
    acknowledged: Counter[tuple[int, str]] = Counter()
    lock = threading.Lock()

    def one_request(number: int) -> None:
        household = number % HOUSEHOLDS
        kind, envelope = envelope_for(households[household][number % 3], number)
        payload = post(servers[number % 2].url, live_authority, envelope)
        assert_acknowledged(kind, payload)
        with lock:
            acknowledged[household, kind] += 1

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        list(pool.map(one_request, range(REQUESTS)))

    store = open_store(shared_database)
    try:
        for number, devices in enumerate(households):
            events = stored_events(store, devices[0])
            assert events[EventKind.WITHDRAWAL] == acknowledged[number, "not now"] > 0
            assert events[EventKind.PAUSE] == acknowledged[number, "pause"] > 0
            assert events[EventKind.BOUNDARY_SET] == acknowledged[number, "boundary"] > 0
    finally:
        store.close()
    answered = [requests_counted(server) for server in servers]
    assert answered == [REQUESTS // 2, REQUESTS // 2]  # both workers of each server counted


def requests_counted(server: Server) -> int:
    """Alexa requests a server's /metrics counts, summed over its worker processes."""
    status, text = server.get("/metrics")
    assert status == 200
    found = re.findall(r'^porchlight_requests_total\{[^}]*outcome="ok"[^}]*\} (\S+)$', text,
                       re.MULTILINE)
    return int(sum(float(value) for value in found))


class NotNowStream:
    """Threads sending "not now"s, each from a new household, until the server dies."""

    def __init__(self, server: Server, authority: TestAuthority, threads: int = 6) -> None:
        self.server, self.authority = server, authority
        self.acknowledged: list[str] = []
        self.failures: list[str] = []
        self.unexpected: list[str] = []
        self.lock = threading.Lock()
        self.enough = threading.Event()
        self.threads = [threading.Thread(target=self.send, args=(n,)) for n in range(threads)]

    def send(self, thread: int) -> None:
        """Runs in its own thread: whatever goes wrong is recorded for the test to see,
        never left to escape the thread (where pytest would only warn, by chance)."""
        try:
            self._send_until_cut(thread)
        except BaseException as error:
            with self.lock:
                self.unexpected.append(repr(error))

    def _send_until_cut(self, thread: int) -> None:
        for number in range(60):
            user_id = f"amzn1.ask.account.KILL{thread}x{number}"
            envelope = Device(now, user_id=user_id).intent("NotNowIntent", one_shot=True)
            try:
                payload = post(self.server.url, self.authority, envelope)
            except (OSError, http.client.HTTPException) as error:
                # The server died under this request (the connection refused or reset, or
                # the answer cut short: IncompleteRead): not acknowledged.
                with self.lock:
                    self.failures.append(type(error).__name__)
                return
            assert spoken(payload) in NOT_NOW_LINES
            with self.lock:
                self.acknowledged.append(user_id)
                if len(self.acknowledged) >= 40:
                    self.enough.set()


def test_sigkill_mid_stream_loses_nothing_acknowledged(
    servers: list[Server], shared_database: str, live_authority: TestAuthority
) -> None:
    stream = NotNowStream(servers[0], live_authority)
    for thread in stream.threads:
        thread.start()
    assert stream.enough.wait(timeout=60), "the server acknowledged too few requests"
    servers[0].stop(signal.SIGKILL)
    for thread in stream.threads:
        thread.join(timeout=30)

    store = open_store(shared_database)
    try:
        lost = [user for user in stream.acknowledged
                if stored_events(store, Device(now, user_id=user))[EventKind.WITHDRAWAL] != 1]
    finally:
        store.close()
    assert stream.unexpected == []
    assert lost == []
    assert len(stream.acknowledged) >= 40
    # The kill cut requests in the middle, not only refused new ones.
    assert {"ConnectionResetError", "RemoteDisconnected", "IncompleteRead"} & set(
        stream.failures), stream.failures
