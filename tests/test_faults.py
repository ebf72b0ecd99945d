"""The store down or slow while requests arrive: a calm answer in time, never an unchecked
prompt, and a "not now" that is still honoured (and logged for the operator) when it cannot
be written. PostgreSQL faults are real: a proxy in front of the server is cut or frozen, and
a lock held by another session makes it slow."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg
import pytest
from flask import Flask

from skill.app import create_app
from skill.content import content_for
from skill.conversation.clock import SettableClock
from skill.conversation.state import Household
from skill.storage import HouseholdStore, household_key
from skill.storage.postgres import PostgresStore
from skill.storage.sqlite import SQLiteStore
from tests.conftest import Alexa, log_entries, speech
from tests.envelopes import Device
from tests.faults import DOWN, FORWARD, STALL, BreakableStore, TcpProxy
from tests.postgres import url_with_schema
from tests.signing import TestAuthority

LINES = content_for("en-US").lines
ALEXA_PATIENCE_SECONDS = 8.0
OFFERING_REQUESTS = [
    ("TonightsPromptIntent", None), ("AnotherPromptIntent", None), ("GentlerIntent", None),
    ("DeeperIntent", None), ("PauseIntent", {"duration": "P1W"}), ("ResumeIntent", None),
    ("LaunchRequest", None),
]


def request_for(device: Device, name: str, slots: dict[str, str] | None) -> dict[str, Any]:
    if name == "LaunchRequest":
        return device.launch()
    return device.intent(name, slots, one_shot=True)


def spoken_text(payload: dict[str, Any]) -> str:
    return speech(payload).removeprefix("<speak>").removesuffix("</speak>")


def assert_calm_and_offers_nothing(payload: dict[str, Any]) -> None:
    response = payload["response"]
    assert spoken_text(payload) in LINES["store_unavailable"], speech(payload)
    assert "<prosody" not in speech(payload) and "card" not in response
    assert response["shouldEndSession"] is True and "reprompt" not in response


def assert_not_now_honoured(payload: dict[str, Any]) -> None:
    assert spoken_text(payload) in LINES["not_now"], speech(payload)
    assert payload["response"]["shouldEndSession"] is True
    assert "reprompt" not in payload["response"]


def timed(send: Any, *args: Any) -> dict[str, Any]:
    """Send, and require the answer within Alexa's patience (8 s)."""
    started = time.monotonic()
    payload: dict[str, Any] = send(*args)
    assert time.monotonic() - started < ALEXA_PATIENCE_SECONDS
    return payload


def withdrawals_of(store: HouseholdStore, device: Device) -> int:
    return len(Household.from_attributes(store.load(household_key(device.user_id))).withdrawals)


# ------------------------------------------------------------ any store: a store that fails


@pytest.fixture
def breakable(tmp_path: Path) -> Iterator[BreakableStore]:
    store = BreakableStore(SQLiteStore(tmp_path / "breakable.sqlite3"))
    yield store
    store.close()


@pytest.fixture
def breakable_app(app_config: dict[str, Any], clock: SettableClock,
                  breakable: BreakableStore) -> Flask:
    return create_app({**app_config, "metrics": True}, clock=clock, store=breakable)


@pytest.fixture
def alexa_on_breakable(breakable_app: Flask, authority: TestAuthority) -> Alexa:
    return Alexa(breakable_app.test_client(), authority)


@pytest.mark.parametrize(("name", "slots"), OFFERING_REQUESTS)
def test_with_the_store_down_nothing_is_offered(
    alexa_on_breakable: Alexa, breakable: BreakableStore, device: Device, name: str,
    slots: dict[str, str] | None,
) -> None:
    breakable.broken = True
    payload = alexa_on_breakable.send(device, request_for(device, name, slots))
    assert_calm_and_offers_nothing(payload)


def test_with_the_store_down_not_now_is_still_honoured_and_logged(
    alexa_on_breakable: Alexa, breakable: BreakableStore, device: Device,
    capsys: pytest.CaptureFixture[str],
) -> None:
    breakable.broken = True
    assert_not_now_honoured(alexa_on_breakable.send(device, device.intent("NotNowIntent")))
    logged = capsys.readouterr().err
    [failure] = [e for e in log_entries(logged) if e["message"] == "withdrawal could not be "
                 "recorded"]
    assert failure["level"] == "error" and failure["error_type"] == "StoreError"
    [line] = log_entries(logged, "porchlight.request")
    assert line["outcome"] == "withdrawal_not_saved" and line["status"] == 200
    assert device.user_id not in logged


def test_a_failed_write_of_a_withdrawal_is_still_honoured(
    alexa_on_breakable: Alexa, breakable: BreakableStore, device: Device
) -> None:
    alexa_on_breakable.send(device, device.intent("TonightsPromptIntent", one_shot=True))
    breakable.broken_saves = True
    payload = alexa_on_breakable.send(device, device.intent("NotNowIntent", one_shot=True))
    assert_not_now_honoured(payload)
    breakable.broken_saves = False
    assert withdrawals_of(breakable, device) == 0  # honoured in the answer; nothing invented


def test_with_the_store_down_health_is_503_and_metrics_count_it(
    breakable_app: Flask, alexa_on_breakable: Alexa, breakable: BreakableStore, device: Device
) -> None:
    client = breakable_app.test_client()
    assert client.get("/healthz").status_code == 200
    breakable.broken = True
    assert client.get("/healthz").status_code == 503
    alexa_on_breakable.send(device, device.intent("TonightsPromptIntent", one_shot=True))
    alexa_on_breakable.send(device, device.intent("NotNowIntent", one_shot=True))
    metrics = client.get("/metrics").get_data(as_text=True)
    assert 'porchlight_store_errors_total{where="health"} 1.0' in metrics
    assert 'porchlight_store_errors_total{where="request"} 2.0' in metrics
    assert ('porchlight_requests_total{outcome="store_unavailable",'
            'request_type="IntentRequest"} 1.0') in metrics
    breakable.broken = False
    assert client.get("/healthz").status_code == 200


def test_a_locked_sqlite_file_still_gets_an_answer_in_time(
    alexa: Alexa, device: Device, store: HouseholdStore, database_url: str
) -> None:
    alexa.send(device, device.intent("TonightsPromptIntent", one_shot=True))
    blocker = sqlite3.connect(urlsplit(database_url).path[1:], isolation_level=None)
    try:
        blocker.execute("BEGIN IMMEDIATE")  # another writer that does not let go
        assert_not_now_honoured(timed(alexa.send, device, device.intent("NotNowIntent",
                                                                         one_shot=True)))
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert_not_now_honoured(alexa.send(device, device.intent("NotNowIntent", one_shot=True)))
    assert withdrawals_of(store, device) == 1


# -------------------------------------------------------- PostgreSQL: cut, frozen, locked


@pytest.fixture
def proxy(postgres_url: str) -> Iterator[TcpProxy]:
    parts = urlsplit(postgres_url)
    tcp = TcpProxy(parts.port or 5432, parts.hostname or "127.0.0.1")
    yield tcp
    tcp.close()


@pytest.fixture
def pg_store(postgres_url: str, postgres_schema: str, proxy: TcpProxy
             ) -> Iterator[PostgresStore]:
    through_proxy = postgres_url.replace(f":{urlsplit(postgres_url).port}",
                                         f":{proxy.port}", 1)
    store = PostgresStore(through_proxy, schema=postgres_schema, auto_upgrade=True)
    yield store
    proxy.set_mode(FORWARD)
    store.close()


@pytest.fixture
def pg_app(app_config: dict[str, Any], clock: SettableClock, pg_store: PostgresStore
           ) -> Flask:
    return create_app(app_config, clock=clock, store=pg_store)


@pytest.fixture
def pg_alexa(pg_app: Flask, authority: TestAuthority) -> Alexa:
    return Alexa(pg_app.test_client(), authority)


def wait_until_healthy(app: Flask, seconds: float = 20) -> None:
    client = app.test_client()
    deadline = time.monotonic() + seconds
    while client.get("/healthz").status_code != 200:
        assert time.monotonic() < deadline, "the store did not come back"
        time.sleep(0.2)


@pytest.mark.postgres
@pytest.mark.parametrize("fault", [DOWN, STALL])
def test_postgres_cut_or_frozen_mid_run(
    pg_app: Flask, pg_alexa: Alexa, pg_store: PostgresStore, proxy: TcpProxy, device: Device,
    fault: str, capsys: pytest.CaptureFixture[str],
) -> None:
    client = pg_app.test_client()
    assert "<prosody" in speech(pg_alexa.send(device, device.intent("TonightsPromptIntent",
                                                                      one_shot=True)))
    proxy.set_mode(fault)
    assert_calm_and_offers_nothing(
        timed(pg_alexa.send, device, device.intent("AnotherPromptIntent", one_shot=True)))
    assert_not_now_honoured(
        timed(pg_alexa.send, device, device.intent("NotNowIntent", one_shot=True)))
    assert timed(lambda: {"status": client.get("/healthz").status_code})["status"] == 503
    outcomes = [e["outcome"] for e in log_entries(capsys.readouterr().err,
                                                  "porchlight.request")]
    assert outcomes == ["ok", "store_unavailable", "withdrawal_not_saved"]

    proxy.set_mode(FORWARD)
    wait_until_healthy(pg_app)
    assert_not_now_honoured(pg_alexa.send(device, device.intent("NotNowIntent",
                                                                one_shot=True)))
    assert withdrawals_of(pg_store, device) == 1


@pytest.mark.postgres
def test_postgres_slowed_by_a_held_lock(
    pg_alexa: Alexa, pg_store: PostgresStore, postgres_url: str, postgres_schema: str,
    device: Device,
) -> None:
    pg_alexa.send(device, device.intent("TonightsPromptIntent", one_shot=True))
    with psycopg.connect(url_with_schema(postgres_url, postgres_schema)) as blocker:
        blocker.execute("LOCK TABLE household_events IN ACCESS EXCLUSIVE MODE")
        assert_calm_and_offers_nothing(
            timed(pg_alexa.send, device, device.intent("AnotherPromptIntent", one_shot=True)))
        assert_not_now_honoured(
            timed(pg_alexa.send, device, device.intent("NotNowIntent", one_shot=True)))
        blocker.rollback()
    assert_not_now_honoured(pg_alexa.send(device, device.intent("NotNowIntent",
                                                                one_shot=True)))
    assert withdrawals_of(pg_store, device) == 1
