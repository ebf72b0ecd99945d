"""The envelopes a rehearsal sends: sessions, attributes, slots, and session ends."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope

from interaction_model.matcher import SlotValue
from local_tts.rehearsal.device import REHEARSAL_API_ENDPOINT, RehearsalDevice
from local_tts.rehearsal.identity import identity, user_id_for
from local_tts.rehearsal.session import Rehearsal, RehearsalCommandError
from local_tts.rehearsal.setup import Options, open_rehearsal, parse_at
from local_tts.rehearsal.transport import Transport
from tests.rehearsal_helpers import EVENING_AT, variants


class Recorder:
    """Passes envelopes on to the skill and keeps them."""

    def __init__(self, inner: Transport) -> None:
        self.inner = inner
        self.sent: list[dict[str, Any]] = []

    def send(self, envelope: dict[str, Any]) -> dict[str, Any]:
        self.sent.append(envelope)
        return self.inner.send(envelope)


@pytest.fixture
def rehearsal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Rehearsal]:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    opened, close = open_rehearsal(Options(
        database_url=f"sqlite:///{tmp_path}/session.sqlite3", at=EVENING_AT,
        timezone="America/New_York"))
    opened.transport = Recorder(opened.transport)
    yield opened
    close()


def sent(rehearsal: Rehearsal) -> list[dict[str, Any]]:
    recorder = rehearsal.transport
    assert isinstance(recorder, Recorder)
    return recorder.sent


def test_the_session_stays_open_while_the_skill_listens(rehearsal: Rehearsal) -> None:
    launch = rehearsal.hear("open porch light")
    assert launch.listening and launch.request == "LaunchRequest"
    yes = rehearsal.hear("yes")
    assert yes.request == "AMAZON.YesIntent" and not yes.listening
    first, second = sent(rehearsal)
    assert first["session"]["new"] is True and second["session"]["new"] is False
    assert first["session"]["sessionId"] == second["session"]["sessionId"]
    assert second["session"]["attributes"]["offer"] == "prompt"
    assert "Here" in yes.text or "Tonight" in yes.text


def test_a_yes_outside_a_session_has_nothing_to_accept(rehearsal: Rehearsal) -> None:
    stray = rehearsal.hear("yes")
    assert stray.request == "AMAZON.YesIntent" and stray.listening
    assert stray.text in variants("fallback")


def test_a_closed_session_is_not_reused(rehearsal: Rehearsal) -> None:
    rehearsal.hear("ask porch light for tonight's prompt")
    rehearsal.hear("another one")
    first, second = sent(rehearsal)
    assert second["session"]["new"] is True
    assert first["session"]["sessionId"] != second["session"]["sessionId"]


def test_invoking_again_ends_the_open_session_first(rehearsal: Rehearsal) -> None:
    rehearsal.hear("open porch light")
    rehearsal.hear("tell porch light not now")
    launch, ended, not_now = sent(rehearsal)
    assert ended["request"] == {**ended["request"], "type": "SessionEndedRequest",
                                "reason": "USER_INITIATED"}
    assert ended["session"]["sessionId"] == launch["session"]["sessionId"]
    assert not_now["session"]["new"] is True


def test_leaving_sends_a_session_end_only_when_one_is_open(rehearsal: Rehearsal) -> None:
    assert rehearsal.leave() is None
    rehearsal.hear("open porch light")
    ended = rehearsal.leave()
    assert ended is not None and ended.request == "SessionEndedRequest"
    assert ended.text == "" and not ended.listening
    assert rehearsal.leave() is None


def test_slots_are_sent_as_alexa_sends_them(rehearsal: Rehearsal) -> None:
    rehearsal.hear("pause for two weeks")
    rehearsal.hear("pause for a while")
    filled, empty = sent(rehearsal)
    assert filled["request"]["intent"]["slots"]["duration"] == {
        "name": "duration", "confirmationStatus": "NONE", "value": "P2W", "source": "USER",
        "slotValue": {"type": "Simple", "value": "P2W"}}
    assert filled["request"]["dialogState"] == "COMPLETED"
    assert empty["request"]["intent"]["slots"] == {
        "duration": {"name": "duration", "confirmationStatus": "NONE"}}


def test_envelopes_carry_a_real_context(rehearsal: Rehearsal) -> None:
    rehearsal.hear("open porch light")
    [envelope] = sent(rehearsal)
    system = envelope["context"]["System"]
    assert system["user"]["userId"] == envelope["session"]["user"]["userId"]
    assert system["user"]["userId"].startswith("amzn1.ask.account.REHEARSAL")
    assert system["device"]["deviceId"].startswith("amzn1.ask.device.")
    # the rehearsal's own stand-in for Alexa's APIs, on loopback
    assert system["apiEndpoint"].startswith("http://127.0.0.1:") and system["apiAccessToken"]
    assert system["apiEndpoint"] != REHEARSAL_API_ENDPOINT
    assert "person" not in system
    assert envelope["request"]["timestamp"] == "2026-11-28T02:00:00Z"
    assert envelope["request"]["locale"] == "en-US"


def test_custom_slot_resolutions_read_as_the_sdk_expects() -> None:
    device = RehearsalDevice(lambda: datetime(2026, 11, 28, 2, tzinfo=UTC), user_id="u",
                             device_id="d", locale="en-US")
    envelope = device.intent(
        "SetBoundaryIntent",
        {"topic": SlotValue("topic", "TopicType", "our finances", "MONEY", "money"),
         "other": SlotValue("other", "TopicType", "gardening")},
        [("topic", "TopicType"), ("other", "TopicType"), ("span", "AMAZON.DURATION")],
        frozenset({"TopicType"}))
    request = DefaultSerializer().deserialize(json.dumps(envelope), RequestEnvelope).request
    topic = request.intent.slots["topic"]
    authority = topic.resolutions.resolutions_per_authority[0]
    assert (topic.value, authority.status.code.value) == ("our finances", "ER_SUCCESS_MATCH")
    assert (authority.values[0].value.id, authority.values[0].value.name) == ("MONEY", "money")
    assert authority.authority.endswith(".TopicType")
    other = request.intent.slots["other"].resolutions.resolutions_per_authority[0]
    assert other.status.code.value == "ER_SUCCESS_NO_MATCH"
    assert request.intent.slots["span"].value is None


def test_later_needs_the_rehearsal_clock(rehearsal: Rehearsal) -> None:
    rehearsal.clock = None
    with pytest.raises(RehearsalCommandError, match="the server keeps its own clock"):
        rehearsal.later("3 days")
    assert rehearsal.now_text() == "the server's time"


def test_state_needs_the_database(rehearsal: Rehearsal) -> None:
    rehearsal.store = None
    with pytest.raises(RehearsalCommandError, match="also pass the server's --database-url"):
        rehearsal.state()


def test_a_local_time_is_read_in_the_household_zone() -> None:
    new_york = ZoneInfo("America/New_York")
    assert parse_at("2026-12-01 21:00", new_york) == datetime(2026, 12, 2, 2, tzinfo=UTC)
    assert parse_at("2026-12-01T21:00+00:00", new_york) == datetime(2026, 12, 1, 21,
                                                                   tzinfo=UTC)


def test_identity_is_kept_and_names_make_other_households(tmp_path: Path) -> None:
    first = identity(folder=tmp_path)
    assert identity(folder=tmp_path) == first
    assert identity("sam", folder=tmp_path) == (user_id_for("sam"), first[1])
    assert user_id_for("sam") != user_id_for("alex")
    assert user_id_for("amzn1.ask.account.REAL") == "amzn1.ask.account.REAL"
    (tmp_path / "rehearsal-identity.json").write_text("not json")
    assert identity(folder=tmp_path) != first
