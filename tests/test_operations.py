"""Private, useful operations: one JSON log line per request that holds nothing a person said
or any raw id or token, and Prometheus metrics that are off unless asked for."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from skill.app import create_app
from skill.conversation.clock import SettableClock
from tests.conftest import Alexa, log_entries
from tests.envelopes import Device, dumps
from tests.signing import TestAuthority

SECRET_SLOT = "my husband's affair with Dana from accounting"
SECRET_TOKEN = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.SECRET-ACCESS-TOKEN.c2lnbmF0dXJl"
SECRET_USER = "amzn1.ask.account.SECRETUSERIDTHATMUSTNEVERBELOGGED000000000000000"
REQUIRED_FIELDS = {"request_id", "request_type", "intent", "locale", "latency_ms", "outcome",
                   "user", "status"}


def sensitive_device(clock: SettableClock) -> Device:
    device = Device(clock, user_id=SECRET_USER)
    device.device_id = "amzn1.ask.device.SECRETDEVICEID0000000000"
    return device


def with_token(envelope: dict[str, Any]) -> dict[str, Any]:
    envelope["context"]["System"]["apiAccessToken"] = SECRET_TOKEN
    return envelope


def sensitive_requests(device: Device) -> list[dict[str, Any]]:
    """Requests carrying slot values, free text, a token and raw ids, along every path."""
    slots = {"duration": SECRET_SLOT, "topic": SECRET_SLOT}
    unknown = device.intent("SecretConfessionIntent", {"confession": SECRET_SLOT},
                            one_shot=True)
    odd_locale = device.intent("PauseIntent", slots, one_shot=True)
    odd_locale["request"]["locale"] = SECRET_SLOT
    return [with_token(envelope) for envelope in (
        device.launch(),
        device.intent("PauseIntent", slots, one_shot=True),
        device.intent("NotNowIntent", slots, one_shot=True),
        device.intent("TonightsPromptIntent", slots, one_shot=True),
        unknown,
        odd_locale,
        device.session_ended("ERROR"),
    )]


def test_no_log_line_holds_slot_values_tokens_or_raw_ids(
    alexa: Alexa, clock: SettableClock, capsys: pytest.CaptureFixture[str]
) -> None:
    device = sensitive_device(clock)
    requests = sensitive_requests(device)
    for envelope in requests:
        assert alexa.post(envelope).status_code == 200
    tampered = with_token(device.intent("PauseIntent", {"duration": SECRET_SLOT}))
    body = dumps(tampered)
    assert alexa.client.post("/alexa", data=body + b" ",
                             headers=alexa.authority.sign(body)).status_code == 400
    logged = capsys.readouterr().err
    for secret in (SECRET_SLOT, "Dana", SECRET_TOKEN, "SECRET-ACCESS-TOKEN", SECRET_USER,
                   "SECRETUSERID", device.device_id, "SECRETDEVICEID", "sessionId",
                   "amzn1.echo-api.session"):
        assert secret not in logged, secret
    lines = log_entries(logged, "porchlight.request")
    assert len(lines) == len(requests) + 1  # one line per request
    for line in lines:
        assert set(line) >= REQUIRED_FIELDS, line
        assert re.fullmatch(r"[0-9a-f]{16}", line["user"])
    assert {line["outcome"] for line in lines} == {"ok", "rejected"}
    assert [line["intent"] for line in lines if line["intent"]].count("SecretConfessionIntent")
    assert lines[5]["locale"] is None  # free text where a locale belongs is not logged


def test_the_user_hash_is_keyed_and_stable(
    app_config: dict[str, Any], clock: SettableClock, authority: TestAuthority,
    capsys: pytest.CaptureFixture[str],
) -> None:
    hashes = []
    for key in ("key-one", "key-one", "key-two"):
        app = create_app({**app_config, "log_key": key}, clock=clock)
        Alexa(app.test_client(), authority).post(Device(clock).launch())
        app.extensions["porchlight.store"].close()
        [line] = log_entries(capsys.readouterr().err, "porchlight.request")
        hashes.append(line["user"])
    assert hashes[0] == hashes[1] != hashes[2]


def test_invalid_and_oversized_requests_are_logged_too(
    alexa: Alexa, client: FlaskClient, capsys: pytest.CaptureFixture[str]
) -> None:
    client.post("/alexa", data=b'{"not": "an envelope"}')
    client.post("/alexa", data=b"x" * (129 * 1024))
    lines = log_entries(capsys.readouterr().err, "porchlight.request")
    assert [(line["outcome"], line["status"]) for line in lines] == [
        ("invalid", 400), ("too_large", 413)]


# ------------------------------------------------------------------------------ metrics


@pytest.fixture
def metrics_app(app_config: dict[str, Any], clock: SettableClock) -> Flask:
    return create_app({**app_config, "metrics": True}, clock=clock)


def test_metrics_are_off_by_default(client: FlaskClient) -> None:
    assert client.get("/metrics").status_code == 404


def test_metrics_count_requests_by_type_and_outcome(
    metrics_app: Flask, authority: TestAuthority, clock: SettableClock
) -> None:
    client = metrics_app.test_client()
    alexa = Alexa(client, authority)
    device = Device(clock)
    alexa.send(device, device.launch())
    alexa.send(device, device.intent("NotNowIntent", one_shot=True))
    client.post("/alexa", data=b"[]")
    unsigned = dumps(device.launch())
    client.post("/alexa", data=unsigned, headers={"Content-Type": "application/json"})
    invented = device.envelope({"type": "Made.Up.Request" + "X" * 50})
    alexa.post(invented)
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.content_type.startswith("text/plain")
    text = response.get_data(as_text=True)
    samples = {line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1])
               for line in text.splitlines() if line and not line.startswith("#")}
    assert samples['porchlight_requests_total{outcome="ok",request_type="LaunchRequest"}'] == 1
    assert samples['porchlight_requests_total{outcome="ok",request_type="IntentRequest"}'] == 1
    assert samples['porchlight_requests_total{outcome="rejected",request_type="LaunchRequest"}'
                   ] == 1
    assert samples['porchlight_requests_total{outcome="invalid",request_type="other"}'] == 1
    assert samples['porchlight_requests_total{outcome="ok",request_type="other"}'] == 1
    assert samples["porchlight_request_latency_seconds_count"] == 5
    assert samples['porchlight_request_latency_seconds_bucket{le="8.0"}'] == 5
    assert "Made.Up" not in text  # label values come from fixed sets only
