"""Bad input on purpose: generated request envelopes through the real, signed endpoint.

Missing fields, wrong types, huge strings, unknown request and intent types, odd slot
values and other locales. Whatever arrives: never a 500, never a traceback in the body,
400 for anything that is not an Alexa request envelope (413 when too large), and the
skill's catch-all error handler is never needed.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interaction_model import intent_names
from skill.app import create_app
from skill.conversation.clock import SettableClock
from skill.web import InvalidEnvelope, check_envelope
from tests.conftest import EVENING
from tests.envelopes import SKILL_ID, Device, dumps
from tests.signing import TestAuthority

MAX_BODY = 128 * 1024
EXAMPLES = settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))

INTENTS = sorted(intent_names("en-US"))  # every intent the model names, now and later
# Alexa API calls (reminders) go to a loopback port where nothing listens: they fail at once.
NOWHERE = "http://127.0.0.1:9"
REQUEST_TYPES = ["LaunchRequest", "IntentRequest", "SessionEndedRequest",
                 "CanFulfillIntentRequest", "Alexa.Presentation.APL.UserEvent",
                 "AlexaSkillEvent.SkillDisabled", "Connections.Response",
                 "Messaging.MessageReceived", "System.ExceptionEncountered"]
LOCALES = ["en-US", "en-GB", "en-CA", "en-AU", "en-IN", "de-DE", "fr-FR", "fr-CA", "es-MX",
           "ja-JP", "hi-IN", "pt-BR", "it-IT", "ar-SA", "", "xx", "en_US", "EN-us"]
PATHS = [("version",), ("request",), ("request", "type"), ("request", "requestId"),
         ("request", "timestamp"), ("request", "locale"), ("request", "intent"),
         ("request", "intent", "name"), ("request", "intent", "slots"),
         ("request", "dialogState"), ("request", "reason"), ("context",),
         ("context", "System"), ("context", "System", "user"),
         ("context", "System", "user", "userId"), ("context", "System", "application"),
         ("context", "System", "device"), ("session",), ("session", "new"),
         ("session", "user"), ("session", "attributes"), ("session", "sessionId")]

odd_text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=300),
    st.sampled_from(["", " ", "\x00", "\u202e", "🙂" * 50, "P2W", "PT0S", "P99999Y", "-P1W",
                     "<speak>", "</speak><audio src='x'/>", "{placeholder}", "%s%s%n",
                     "null", "NaN", "1e309"]),
    st.integers(1_000, 30_000).map(lambda n: "é" * n),
)
json_scalar = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                        st.integers(min_value=-(2**200), max_value=2**200), odd_text)
json_value = st.recursive(
    json_scalar,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.text(max_size=10), inner, max_size=4)),
    max_leaves=12,
)
slots = st.dictionaries(
    st.one_of(st.sampled_from(["duration", "weather", "topic", "time", "depth", "rule", "day",
                               ""]), st.text(max_size=10)),
    st.one_of(
        st.fixed_dictionaries({"name": st.text(max_size=10), "value": odd_text}),
        st.fixed_dictionaries({"name": json_value, "value": json_value,
                               "resolutions": json_value}),
        json_value,
    ),
    max_size=4,
)


@pytest.fixture(scope="module")
def bad_input_app(tmp_path_factory: pytest.TempPathFactory, authority: TestAuthority
                  ) -> Iterator[tuple[Flask, SettableClock]]:
    folder = tmp_path_factory.mktemp("bad-input")
    clock = SettableClock(EVENING)
    app = create_app({"database_url": f"sqlite:///{folder}/bad.sqlite3",
                      "skill_id": SKILL_ID, "ca_bundle": str(authority.ca_bundle),
                      "cert_cache_dir": str(authority.cert_cache_dir)}, clock=clock)
    yield app, clock
    app.extensions["porchlight.store"].close()


class Unexpected(logging.Handler):
    """Collects the skill's reports of unexpected errors."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith("unexpected error"):
            self.records.append(record)


@pytest.fixture(scope="module")
def unexpected() -> Iterator[Unexpected]:
    handler = Unexpected()
    logger = logging.getLogger("porchlight")
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)


@pytest.fixture
def send(bad_input_app: tuple[Flask, SettableClock], authority: TestAuthority,
         unexpected: Unexpected) -> Any:
    app, _ = bad_input_app
    client = app.test_client()

    def post(body: bytes) -> tuple[int, str]:
        response = client.post("/alexa", data=body, headers=authority.sign(body))
        text = response.get_data(as_text=True)
        assert response.status_code in (200, 400, 413), (response.status_code, text[:500])
        assert "Traceback" not in text and 'File "' not in text
        json.loads(text)
        assert unexpected.records == [], unexpected.records[-1].__dict__
        if response.status_code == 200:
            assert "response" in json.loads(text)
        return response.status_code, text

    return post


def expected_status(body: bytes) -> int | None:
    """413 over the limit; 400 when it is not an envelope; None when the skill may answer."""
    if len(body) > MAX_BODY:
        return 413
    try:
        check_envelope(body.decode("utf-8"))
    except (InvalidEnvelope, UnicodeDecodeError):
        return 400
    return None


def base_envelope(clock: SettableClock, request_type: str, intent: str, locale: str,
                  new_session: bool) -> dict[str, Any]:
    device = Device(clock, locale=locale, api_endpoint=NOWHERE)
    if request_type == "IntentRequest":
        return device.intent(intent, one_shot=new_session)
    if request_type == "LaunchRequest":
        return device.launch()
    return device.envelope({"type": request_type, "reason": "USER_INITIATED"})


def replace_at(envelope: dict[str, Any], path: tuple[str, ...], value: Any, drop: bool
               ) -> None:
    holder: Any = envelope
    for name in path[:-1]:
        if not isinstance(holder, dict) or not isinstance(holder.get(name), dict):
            return
        holder = holder[name]
    if drop:
        holder.pop(path[-1], None)
    else:
        holder[path[-1]] = value


@EXAMPLES
@given(data=st.data())
def test_mutated_envelopes_never_break_the_endpoint(
    send: Any, bad_input_app: tuple[Flask, SettableClock], data: st.DataObject
) -> None:
    clock = bad_input_app[1]
    envelope = base_envelope(
        clock,
        data.draw(st.sampled_from(REQUEST_TYPES) | st.text(max_size=30), "request type"),
        data.draw(st.sampled_from(INTENTS) | st.text(max_size=30), "intent"),
        data.draw(st.sampled_from(LOCALES) | st.text(max_size=12), "locale"),
        data.draw(st.booleans(), "new session"),
    )
    for path, value, drop in data.draw(
        st.lists(st.tuples(st.sampled_from(PATHS), json_value, st.booleans()), max_size=4),
        "mutations",
    ):
        replace_at(envelope, path, value, drop)
    body = dumps(envelope)
    status, _ = send(body)
    if (expected := expected_status(body)) is not None:
        assert status == expected


@EXAMPLES
@given(name=st.sampled_from(INTENTS) | st.text(max_size=200), slot_values=slots,
       locale=st.sampled_from(LOCALES), in_session=st.booleans(),
       attributes=st.dictionaries(st.sampled_from(["offer", "x"]), json_value, max_size=2))
def test_odd_intents_and_slot_values_get_a_real_answer(
    send: Any, bad_input_app: tuple[Flask, SettableClock], name: str,
    slot_values: dict[str, Any], locale: str, in_session: bool, attributes: dict[str, Any],
) -> None:
    device = Device(bad_input_app[1], locale=locale, api_endpoint=NOWHERE)
    envelope = device.intent(name, one_shot=not in_session)
    envelope["request"]["intent"]["slots"] = slot_values
    envelope["session"]["attributes"] = attributes
    body = dumps(envelope)
    status, text = send(body)
    assert status in (200, 400) or status == expected_status(body) == 413
    if status == 200:
        response = json.loads(text)["response"]
        speech = response.get("outputSpeech", {}).get("ssml", "<speak></speak>")
        assert speech.startswith("<speak>") and speech.endswith("</speak>")
        assert response.get("outputSpeech") or response.get("directives") or name.startswith(
            "AMAZON")


@EXAMPLES
@given(body=st.one_of(st.binary(max_size=2000), st.text(max_size=2000).map(str.encode),
                      json_value.map(lambda v: json.dumps(v).encode())))
def test_bodies_that_are_not_envelopes_get_400(send: Any, body: bytes) -> None:
    status, text = send(body)
    assert status == expected_status(body) or (status, expected_status(body)) == (400, None)
    if status == 400:
        assert json.loads(text)["error"] in ("invalid request", "request verification failed")


@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
@given(size=st.integers(MAX_BODY + 1, MAX_BODY * 4))
def test_huge_bodies_get_413(send: Any, bad_input_app: tuple[Flask, SettableClock],
                             size: int) -> None:
    envelope = Device(bad_input_app[1]).intent("PauseIntent", one_shot=True)
    envelope["request"]["intent"]["slots"] = {"duration": {"name": "duration", "value": ""}}
    padding = size - len(dumps(envelope))
    envelope["request"]["intent"]["slots"]["duration"]["value"] = "P" * max(padding, 1)
    status, _ = send(dumps(envelope))
    assert status == 413


# -------------------------------------------- regressions: what the generated input found


@pytest.mark.parametrize("stray", [True, "TonightsPromptIntent", {"name": 7}, [1, 2],
                                   {"name": "NotNowIntent", "slots": "x"}])
@pytest.mark.parametrize("request_type", ["LaunchRequest", "SessionEndedRequest"])
def test_a_stray_intent_on_another_request_type_is_ignored(
    send: Any, bad_input_app: tuple[Flask, SettableClock], request_type: str, stray: Any
) -> None:
    """Found by hypothesis: the SDK copies unknown keys onto its models raw, so a
    LaunchRequest carrying ``"intent": true`` reached the handlers as ``request.intent``."""
    device = Device(bad_input_app[1])
    envelope = device.launch() if request_type == "LaunchRequest" else device.session_ended()
    envelope["request"]["intent"] = stray
    envelope["request"]["futureField"] = {"anything": [1, 2]}
    status, text = send(dumps(envelope))
    assert status == 200
    assert json.loads(text)["version"] == "1.0"
