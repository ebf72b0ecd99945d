"""One skill behind every entry point: the Flask endpoint (signed, through the real app),
the AWS Lambda handler, and rehearsal's in-process transport answer the same envelopes
the same way: realistic envelopes, the fuzzer's seeds and every input that ever broke
envelope parsing (tests/data/fuzz/). An envelope the endpoint refuses, Lambda refuses too.

Each entry point gets its own fresh database and the same clock, so the same envelope must
get the same words.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from ask_sdk_core.exceptions import SerializationException
from ask_sdk_model import Request

from local_tts.rehearsal.transport import InProcess
from skill.app import create_app
from skill.builder import build_skill
from skill.config import load_settings
from skill.content import content_for
from skill.conversation.clock import SettableClock
from skill.lambda_function import build_handler
from skill.storage import open_store
from skill.web import InvalidEnvelope, check_envelope
from tests.conftest import EVENING
from tests.envelopes import Device, dumps
from tests.signing import TestAuthority

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted((ROOT / "tests" / "data" / "fuzz").iterdir()) + sorted(
    (ROOT / "fuzz" / "seeds").glob("*.json"))
REFUSED = "refused"
Send = Callable[[dict[str, Any]], Any]


def envelope_files() -> list[Path]:
    """The inputs that are envelopes at all (the rest never reach Lambda or rehearsal)."""
    kept = []
    for path in FILES:
        try:
            check_envelope(path.read_text("utf-8"))
        except (UnicodeDecodeError, InvalidEnvelope):
            continue
        kept.append(path)
    return kept


def realistic() -> list[tuple[str, dict[str, Any]]]:
    device = Device(SettableClock(EVENING))
    return [
        ("launch", device.launch()),
        ("tonights-prompt", device.intent("TonightsPromptIntent", one_shot=True)),
        ("pause", device.intent("PauseIntent", {"duration": "P2W"}, one_shot=True)),
        ("help", device.intent("AMAZON.HelpIntent", one_shot=True)),
        ("unknown-intent", device.intent("NoSuchIntent", one_shot=True)),
        ("session-ended", device.session_ended()),
    ]


CASES = [pytest.param(json.loads(path.read_text("utf-8")), id=path.name)
         for path in envelope_files()] + [pytest.param(envelope, id=name)
                                          for name, envelope in realistic()]


@pytest.fixture
def entry_points(tmp_path: Path, authority: TestAuthority, monkeypatch: pytest.MonkeyPatch
                 ) -> Iterator[dict[str, Send]]:
    """name -> send(envelope): the answer's JSON, or REFUSED."""
    clock = SettableClock(EVENING)
    app = create_app({"database_url": f"sqlite:///{tmp_path}/flask.sqlite3",
                      "allow_any_skill": True, "ca_bundle": str(authority.ca_bundle),
                      "cert_cache_dir": str(authority.cert_cache_dir)}, clock=clock)
    client = app.test_client()

    def flask(envelope: dict[str, Any]) -> Any:
        body = dumps(envelope)
        response = client.post("/alexa", data=body, headers=authority.sign(body))
        assert response.status_code in (200, 400), response.get_data(as_text=True)
        return response.get_json() if response.status_code == 200 else REFUSED

    monkeypatch.setenv("PORCHLIGHT_DATABASE_URL", f"sqlite:///{tmp_path}/lambda.sqlite3")
    monkeypatch.delenv("PORCHLIGHT_SKILL_ID", raising=False)
    lambda_handler = build_handler(clock)

    store = open_store(f"sqlite:///{tmp_path}/rehearsal.sqlite3")
    in_process = InProcess(build_skill(store, load_settings({}), clock))

    def refused_as_the_sdk_says(send: Send) -> Send:
        def guarded(envelope: dict[str, Any]) -> Any:
            try:
                return send(envelope)
            except (SerializationException, InvalidEnvelope):
                return REFUSED
        return guarded

    yield {"flask": flask,
           "lambda": refused_as_the_sdk_says(lambda event: lambda_handler(event, None)),
           "rehearsal": refused_as_the_sdk_says(in_process.send)}
    app.extensions["porchlight.store"].close()
    store.close()


@pytest.mark.parametrize("envelope", CASES)
def test_every_entry_point_gives_the_same_answer(entry_points: dict[str, Send],
                                                 envelope: dict[str, Any]) -> None:
    answers = {name: send(json.loads(json.dumps(envelope)))
               for name, send in entry_points.items() if name != "rehearsal"}
    assert answers["lambda"] == answers["flask"]
    if answers["flask"] != REFUSED:
        # Rehearsal builds its own envelopes, always whole: it meets only ones Alexa sends.
        assert entry_points["rehearsal"](envelope) == answers["flask"]
        speech = json.dumps(answers["flask"])
        assert content_for(None).line("error") not in speech, "the apology, not an answer"


def test_a_launch_with_a_stray_intent_is_welcomed_on_every_entry_point(
    entry_points: dict[str, Send]
) -> None:
    """Measured in issue 12: Lambda answered this with the apology, Flask with the welcome."""
    stray = Device(SettableClock(EVENING)).launch()
    stray["request"]["intent"] = True
    for name, send in entry_points.items():
        answer = send(stray)
        assert answer != REFUSED, name
        assert "Porch Light" in answer["response"]["outputSpeech"]["ssml"], name


def test_a_request_type_the_sdk_does_not_know_is_answered_on_every_entry_point(
    entry_points: dict[str, Send]
) -> None:
    """Measured in issue 12: Lambda raised SerializationException for it."""
    unknown = json.loads((ROOT / "fuzz/seeds/unknown-type.json").read_text())
    assert unknown["request"]["type"] not in Request.discriminator_value_class_map
    for name, send in entry_points.items():
        assert send(unknown) != REFUSED, name
