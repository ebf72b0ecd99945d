"""The HTTP endpoint as Alexa and certification probes see it: signed, verified, never a 500."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from skill.app import create_app
from skill.conversation.clock import SettableClock
from skill.verify import cache_file_name
from tests.conftest import Alexa, speech
from tests.envelopes import Device, dumps
from tests.signing import CERT_URL, TestAuthority


def test_signed_launch_is_answered(alexa: Alexa, device: Device) -> None:
    payload = alexa.send(device, device.launch())
    assert payload["version"] == "1.0"
    assert "Porch Light" in speech(payload)


def test_get_alexa_is_method_not_allowed(client: FlaskClient) -> None:
    response = client.get("/alexa")
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]
    assert response.get_json() == {"error": "method not allowed"}


def test_unknown_path_is_json_404(client: FlaskClient) -> None:
    response = client.get("/nowhere")
    assert response.status_code == 404
    assert response.is_json


def test_healthz_checks_the_store(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "store": "ok"}


def test_healthz_reports_an_unavailable_store(client: FlaskClient, app: Any) -> None:
    app.extensions["porchlight.store"].close()
    store = app.extensions["porchlight.store"]
    store.path = "/proc/porchlight-cannot-exist/x.sqlite3"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["store"] == "unavailable"


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"",
        b"[]",
        b'"a string"',
        b"{}",
        b'{"version": "1.0"}',
        b'{"version": "1.0", "request": {"type": "LaunchRequest"}}',
        b'{"version": "1.0", "request": {"type": 5, "requestId": "x", "timestamp": "y"}}',
        b'{"version": "1.0", "request": "LaunchRequest"}',
        b'{"version": "1.0", "session": [], "request": '
        b'{"type": "LaunchRequest", "requestId": "r", "timestamp": "2026-11-28T02:00:00Z"}}',
        b"\xff\xfe not utf-8",
    ],
)
def test_bodies_that_are_not_envelopes_get_400(alexa: Alexa, body: bytes) -> None:
    response = alexa.client.post("/alexa", data=body, headers=alexa.authority.sign(body))
    assert response.status_code == 400
    payload = response.get_json()
    assert payload["error"] == "invalid request"
    assert "Traceback" not in response.get_data(as_text=True)


def test_body_over_128_kib_gets_413(alexa: Alexa, device: Device) -> None:
    envelope = device.launch()
    envelope["padding"] = "x" * (128 * 1024)
    body = dumps(envelope)
    response = alexa.client.post("/alexa", data=body, headers=alexa.authority.sign(body))
    assert response.status_code == 413
    assert response.is_json


def test_unsigned_request_gets_400(client: FlaskClient, device: Device) -> None:
    response = client.post("/alexa", data=dumps(device.launch()),
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.get_json()["error"] == "request verification failed"


def test_tampered_body_gets_400(alexa: Alexa, device: Device) -> None:
    body = dumps(device.launch())
    headers = alexa.authority.sign(body)
    tampered = body.replace(b"LaunchRequest", b"LaunchRequesT")
    assert alexa.client.post("/alexa", data=tampered, headers=headers).status_code == 400


@pytest.mark.parametrize(
    "url",
    [
        "http://s3.amazonaws.com/echo.api/echo-api-cert.pem",
        "https://notamazon.com/echo.api/echo-api-cert.pem",
        "https://s3.amazonaws.com/EcHo.aPi/echo-api-cert.pem",
        "https://s3.amazonaws.com:563/echo.api/echo-api-cert.pem",
        "https://s3.amazonaws.com/invalid.path/echo-api-cert.pem",
    ],
)
def test_bad_certificate_urls_get_400(alexa: Alexa, device: Device, url: str) -> None:
    body = dumps(device.launch())
    headers = alexa.authority.sign(body, url=url)
    assert alexa.client.post("/alexa", data=body, headers=headers).status_code == 400


def test_equivalent_certificate_url_is_accepted(alexa: Alexa, device: Device) -> None:
    url = "https://S3.AmazonAWS.com:443/echo.api/../echo.api/echo-api-cert-porchlight-test.pem"
    alexa.authority.install_chain(url, (alexa.authority.cert_cache_dir /
                                        cache_file_name(CERT_URL)).read_bytes())
    body = dumps(device.launch())
    response = alexa.client.post("/alexa", data=body, headers=alexa.authority.sign(body, url=url))
    assert response.status_code == 200


def test_request_for_another_skill_gets_400_not_500(alexa: Alexa, clock: SettableClock) -> None:
    stranger = Device(clock, skill_id="amzn1.ask.skill.someone-else")
    response = alexa.post(stranger.launch())
    assert response.status_code == 400
    assert "another skill" in response.get_json()["detail"]


@pytest.mark.parametrize("age_seconds, status", [(-149, 200), (149, 200), (151, 400), (-151, 400)])
def test_timestamp_tolerance_is_150_seconds(
    alexa: Alexa, device: Device, clock: SettableClock, age_seconds: int, status: int
) -> None:
    envelope = device.launch()
    clock.advance(timedelta(seconds=age_seconds))
    assert alexa.post(envelope).status_code == status


@pytest.mark.parametrize("age_seconds, status", [(3500, 200), (3700, 400)])
def test_skill_events_allow_an_hour(
    alexa: Alexa, device: Device, clock: SettableClock, age_seconds: int, status: int
) -> None:
    envelope = device.envelope({"type": "AlexaSkillEvent.SkillEnabled",
                                "eventCreationTime": "2026-11-28T01:59:00Z"})
    del envelope["session"]
    clock.advance(timedelta(seconds=age_seconds))
    assert alexa.post(envelope).status_code == status


def test_unknown_intent_gets_a_gentle_fallback(alexa: Alexa, device: Device) -> None:
    payload = alexa.send(device, device.intent("OrderPizzaIntent", one_shot=True))
    assert "tonight's prompt" in speech(payload)
    assert payload["response"]["shouldEndSession"] is False


@pytest.mark.parametrize(
    "request_body",
    [
        {"type": "Alexa.Presentation.APL.UserEvent", "token": "t", "arguments": ["x"]},
        {"type": "Connections.Response", "name": "AskFor", "status": {"code": "200"},
         "payload": {"status": "ACCEPTED"}, "token": ""},
        {"type": "System.ExceptionEncountered",
         "error": {"type": "INVALID_RESPONSE", "message": "m"}, "cause": {"requestId": "r"}},
        {"type": "Alexa.SomeFutureRequest", "brandNewField": {"nested": [1, 2]}},
        {"type": "CanFulfillIntentRequest",
         "intent": {"name": "TonightsPromptIntent", "slots": {}}},
    ],
)
def test_other_request_types_are_answered_without_error(
    alexa: Alexa, device: Device, request_body: dict[str, Any]
) -> None:
    response = alexa.post(device.envelope(dict(request_body)))
    assert response.status_code == 200
    assert response.get_json()["version"] == "1.0"


def test_fields_a_newer_platform_adds_are_tolerated(alexa: Alexa, device: Device) -> None:
    envelope = device.intent("TonightsPromptIntent", one_shot=True)
    envelope["context"]["System"]["unit"] = {"unitId": "amzn1.ask.unit.X"}
    envelope["context"]["Advertising"] = {"advertisingId": "0", "limitAdTracking": True}
    envelope["request"]["intent"]["slots"] = {}
    envelope["request"]["newThing"] = {"v": 2}
    envelope["futureTopLevel"] = True
    assert "<prosody" in speech(alexa.send(device, envelope))


def test_echo_show_envelope(alexa: Alexa, clock: SettableClock) -> None:
    show = Device(clock, screen=True)
    payload = alexa.send(show, show.intent("TonightsPromptIntent", one_shot=True))
    assert payload["response"]["card"]["type"] == "Simple"


def test_an_exception_in_a_handler_becomes_a_calm_apology(
    alexa: Alexa, device: Device, app: Any, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from skill.handlers import prompts

    def explode(*_args: Any) -> None:
        raise RuntimeError("secret words from the couple")

    monkeypatch.setattr(prompts, "speak_tonights_prompt", explode)
    payload = alexa.send(device, device.intent("TonightsPromptIntent", one_shot=True))
    assert "Sorry" in speech(payload)
    assert payload["response"]["shouldEndSession"] is True
    assert "secret words" not in caplog.text


def test_a_failure_outside_the_skill_is_still_not_a_500(
    alexa: Alexa, device: Device, app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    endpoint = app.extensions["porchlight.endpoint"].ready()

    def broken(*_args: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(endpoint.handler, "verify_request_and_dispatch", broken)
    response = alexa.post(device.launch())
    assert response.status_code == 200
    assert "Sorry" in response.get_json()["response"]["outputSpeech"]["ssml"]


def test_request_logs_hold_no_user_id_or_slot_values(
    alexa: Alexa, device: Device, capsys: pytest.CaptureFixture[str]
) -> None:
    alexa.send(device, device.intent("PauseIntent", {"duration": "P2W"}, one_shot=True))
    logged = capsys.readouterr().err
    lines = [json.loads(line) for line in logged.splitlines() if line.startswith("{")]
    request_lines = [line for line in lines if line["logger"] == "porchlight.request"]
    assert len(request_lines) == 1
    entry = request_lines[0]
    assert entry["intent"] == "PauseIntent" and entry["status"] == 200
    assert {"request_id", "latency_ms", "outcome", "user", "locale"} <= set(entry)
    assert device.user_id not in logged
    assert "P2W" not in logged


def test_dev_mode_skips_signatures_but_checks_timestamps(
    database_url: str, clock: SettableClock, capsys: pytest.CaptureFixture[str]
) -> None:
    app = create_app({"database_url": database_url, "dev": True}, clock=clock)
    assert "NOT checked" in capsys.readouterr().err
    client = app.test_client()
    device = Device(clock)
    as_json = "application/json"
    assert client.post("/alexa", data=dumps(device.launch()), content_type=as_json
                       ).status_code == 200
    stale = device.launch()
    clock.advance(timedelta(minutes=5))
    assert client.post("/alexa", data=dumps(stale), content_type=as_json).status_code == 400


def test_dev_mode_refuses_a_public_host(database_url: str) -> None:
    with pytest.raises(ValueError, match="loopback"):
        create_app({"database_url": database_url, "dev": True, "host": "0.0.0.0"})


def test_without_a_configured_skill_id_any_skill_id_is_served(
    app_config: dict[str, Any], clock: SettableClock, authority: TestAuthority
) -> None:
    """Only when the operator says so (PORCHLIGHT_ALLOW_ANY_SKILL); tests/security checks
    that the app refuses to start otherwise."""
    app = create_app({**app_config, "skill_id": None, "allow_any_skill": True}, clock=clock)
    stranger = Device(clock, skill_id="amzn1.ask.skill.other")
    assert Alexa(app.test_client(), authority).post(stranger.launch()).status_code == 200
