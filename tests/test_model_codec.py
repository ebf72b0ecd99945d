"""The compiled envelope reader and response writer give exactly the SDK's results.

Every envelope shape the tests make (each intent of each locale with its slots, launch,
session ends, skill events, permission answers, screens, granted permissions), the fuzz
seeds and regression inputs, and generated envelopes from the bad-input strategies go
through both paths: the fast one (``TolerantSerializer.deserialize``) and the SDK's own
(``deserialize_as_sdk_does``). Both must fail alike or give the same objects, compared
field by field with their types, and the real shapes must take the fast path.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from ask_sdk_core.exceptions import SerializationException
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope
from dateutil.parser import parse as dateutil_parse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import interaction_model
from skill.envelope import TolerantSerializer
from skill.model_codec import MAX_MODEL_DEPTH, ModelReader, NotFast
from tests.conftest import EVENING
from tests.envelopes import Device, dumps
from tests.test_bad_input import (
    INTENTS,
    LOCALES,
    PATHS,
    REQUEST_TYPES,
    base_envelope,
    json_value,
    replace_at,
    slots,
)

ROOT = Path(__file__).parent.parent
EXAMPLES = settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
SKILL_EVENTS = ("AlexaSkillEvent.SkillDisabled", "AlexaSkillEvent.SkillEnabled",
                "AlexaSkillEvent.SkillPermissionAccepted", "AlexaSkillEvent.SkillPermissionChanged",
                "AlexaSkillEvent.SkillAccountLinked")
BUILT_IN_VALUES = {"AMAZON.DURATION": "P2W", "AMAZON.TIME": "21:30", "AMAZON.DATE": "2026-12-05",
                   "AMAZON.NUMBER": "3", "AMAZON.DayOfWeek": "friday"}


def clock() -> datetime:
    return EVENING


def slot_values(locale: str, intent: dict[str, Any]) -> dict[str, str]:
    """A value for each of an intent's slots: a custom type's first value, or a built-in's."""
    model = interaction_model.language_model(locale)
    custom = {t["name"]: t["values"][0]["name"]["value"] for t in model.get("types") or ()}
    return {slot["name"]: custom.get(slot["type"]) or BUILT_IN_VALUES.get(slot["type"], "two")
            for slot in intent.get("slots") or ()}


def device_envelopes() -> list[dict[str, Any]]:
    """Every envelope shape tests/envelopes.py makes, for every locale."""
    envelopes = []
    for locale in interaction_model.locales():
        for screen, granted in ((False, ()), (True, ("alexa::alerts:reminders:skill:readwrite",))):
            device = Device(clock, locale=locale, screen=screen, granted=granted)
            envelopes.append(device.launch())
            for intent in interaction_model.language_model(locale)["intents"]:
                envelopes.append(device.intent(intent["name"], one_shot=True))
                if intent.get("slots"):
                    envelopes.append(device.intent(intent["name"], slot_values(locale, intent)))
            envelopes += [device.session_ended(reason) for reason in
                          ("USER_INITIATED", "EXCEEDED_MAX_REPROMPTS", "ERROR")]
            envelopes += [device.skill_event(kind) for kind in SKILL_EVENTS]
            envelopes += [device.permission_answer(status) for status in ("ACCEPTED", "DENIED")]
    return envelopes


def stored_envelopes() -> list[bytes]:
    """The fuzz seeds and the regression inputs that came out of fuzzing."""
    folders = (ROOT / "fuzz" / "seeds", ROOT / "tests" / "data" / "fuzz")
    return [path.read_bytes() for folder in folders for path in sorted(folder.glob("*.json"))]


def assert_same(fast: Any, stock: Any, where: str = "envelope") -> None:
    """Equal, of the same types all the way down; timestamps with the same offset."""
    if isinstance(stock, datetime):
        assert isinstance(fast, datetime), where
        assert moment(fast) == moment(stock), where
        return
    assert type(fast) is type(stock), where
    if isinstance(stock, list):
        assert len(fast) == len(stock), where
        for index, (left, right) in enumerate(zip(fast, stock, strict=True)):
            assert_same(left, right, f"{where}[{index}]")
    elif isinstance(stock, dict):
        assert list(fast) == list(stock), where
        for key in stock:
            assert_same(fast[key], stock[key], f"{where}.{key}")
    elif hasattr(stock, "__dict__") and not isinstance(stock, type):
        assert sorted(vars(fast)) == sorted(vars(stock)), where
        for name, value in vars(stock).items():
            assert_same(vars(fast)[name], value, f"{where}.{name}")
    else:
        assert fast == stock, where


def moment(stamp: datetime) -> tuple[Any, ...]:
    """A timestamp's wall time, offset and text (the zone's class aside)."""
    try:
        return stamp.replace(tzinfo=None), stamp.utcoffset(), stamp.isoformat()
    except ValueError:  # an offset of a day or more, which dateutil accepts
        return (repr(stamp),)


def outcome(read: Any, body: str) -> tuple[str, Any]:
    try:
        return "ok", read(body, RequestEnvelope)
    except SerializationException:
        return "refused", None


def assert_both_paths_agree(body: str) -> None:
    serializer = TolerantSerializer()
    fast = outcome(serializer.deserialize, body)
    stock = outcome(serializer.deserialize_as_sdk_does, body)
    assert fast[0] == stock[0]
    assert_same(fast[1], stock[1])


@pytest.mark.parametrize("envelope", device_envelopes(),
                         ids=lambda e: f"{e['request']['locale']}-{e['request']['type']}")
def test_real_envelope_shapes_read_alike_and_take_the_fast_path(envelope: dict[str, Any]
                                                                ) -> None:
    body = dumps(envelope).decode("utf-8")
    assert_both_paths_agree(body)
    ModelReader().read(json.loads(body), RequestEnvelope)  # no NotFast: the fast path served


@pytest.mark.parametrize("body", stored_envelopes())
def test_fuzz_seeds_and_regressions_read_alike(body: bytes) -> None:
    assert_both_paths_agree(body.decode("utf-8"))


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_mutated_envelopes_read_alike(data: st.DataObject) -> None:
    envelope = base_envelope(
        clock,  # type: ignore[arg-type]
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
    assert_both_paths_agree(json.dumps(envelope))


@EXAMPLES
@given(name=st.sampled_from(INTENTS) | st.text(max_size=50), slot_values=slots,
       attributes=st.dictionaries(st.text(max_size=8), json_value, max_size=3),
       extra=st.dictionaries(st.sampled_from(["_x", "__dict__", "request_id", "to_dict",
                                              "attribute_map", "new", "odd"]),
                             json_value, max_size=2))
def test_odd_slots_attributes_and_stray_keys_read_alike(
    name: str, slot_values: dict[str, Any], attributes: dict[str, Any], extra: dict[str, Any]
) -> None:
    envelope = Device(clock).intent(name)
    envelope["request"]["intent"]["slots"] = slot_values
    envelope["session"]["attributes"] = attributes
    envelope["request"].update(extra)
    assert_both_paths_agree(json.dumps(envelope))


digits = st.integers(0, 9999).map(lambda n: f"{n:04d}")
two = st.integers(0, 99).map(lambda n: f"{n:02d}")
timestamps = st.one_of(
    st.builds(lambda y, mo, d, h, mi, s, frac, zone: f"{y}-{mo}-{d}T{h}:{mi}:{s}{frac}{zone}",
              digits, two, two, two, two, two,
              st.sampled_from(["", ".5", ".123", ".123456", ".1234567"]),
              st.sampled_from(["", "Z", "z", "+00:00", "-00:00", "+05:30", "-08:00", "+1400",
                               " UTC"])),
    st.text(max_size=30),
    st.integers(),
)


ODD_TIMESTAMPS = ["2020-W01-1", "2020-001", "20200101T000000Z", "2026-11-28T02:00:00.5+01:00:30",
                  "2026-11-28T02:00:00+24:00", "2026-11-28T02:00:00,5Z", "2026-11-28 02:00:00Z",
                  "2026-11-28T02:00:00.1234567Z", "2026-11-28T02:00:60Z", "2026-02-30T02:00:00Z",
                  "0000-01-01T00:00:00Z", "2026-11-28T02:00Z", "2026-11-28", "", 1764295200]
ODD_VALUES = [5, 5.5, True, None, "x", "", [], {}, [1, "a"], {"a": 1}, {"_x": 1}, 2**70]


@pytest.mark.parametrize("stamp", ODD_TIMESTAMPS)
def test_odd_timestamps_read_alike(stamp: Any) -> None:
    envelope = Device(clock).launch()
    envelope["request"]["timestamp"] = stamp
    assert_both_paths_agree(json.dumps(envelope))


@pytest.mark.parametrize("path", PATHS, ids="/".join)
def test_every_field_with_every_json_type_reads_alike(path: tuple[str, ...]) -> None:
    for value in ODD_VALUES:
        envelope = Device(clock).intent("PauseIntent", {"duration": "P2W"})
        replace_at(envelope, path, value, drop=False)
        assert_both_paths_agree(json.dumps(envelope))


@EXAMPLES
@given(stamp=timestamps)
def test_timestamps_read_alike(stamp: Any) -> None:
    envelope = Device(clock).launch()
    envelope["request"]["timestamp"] = stamp
    assert_both_paths_agree(json.dumps(envelope))


def test_a_fast_timestamp_is_the_instant_dateutil_reads() -> None:
    stamp = "2026-11-28T02:00:00.250Z"
    fast = TolerantSerializer().deserialize(dumps(Device(clock).launch()).decode().replace(
        '"timestamp":"2026-11-28T02:00:00Z"', f'"timestamp":"{stamp}"'), RequestEnvelope)
    assert fast.request.timestamp == dateutil_parse(stamp)
    assert fast.request.timestamp.utcoffset() == dateutil_parse(stamp).utcoffset()


def test_nesting_past_the_cleaned_depth_goes_the_sdks_way() -> None:
    envelope = Device(clock).launch()
    reader = ModelReader()
    with pytest.raises(NotFast):
        reader.reader("ask_sdk_model.request_envelope.RequestEnvelope")(envelope,
                                                                       MAX_MODEL_DEPTH + 1)
    assert reader.read(envelope, RequestEnvelope).version == "1.0"


def test_not_json_is_refused_by_the_sdk_path() -> None:
    with pytest.raises(SerializationException):
        TolerantSerializer().deserialize("{not json", RequestEnvelope)


def test_other_types_use_the_sdk_path() -> None:
    assert TolerantSerializer().deserialize('"2026-01-02"', date) == date(2026, 1, 2)


def responses(skill: Any) -> list[Any]:
    """What the skill answers to every envelope shape: every kind of response it builds."""
    serializer = TolerantSerializer()
    answers = []
    for envelope in device_envelopes():
        parsed = serializer.deserialize(dumps(envelope).decode(), RequestEnvelope)
        answers.append(skill.invoke(request_envelope=parsed, context=None))
    return answers


def test_responses_are_written_exactly_as_the_sdk_writes_them(app: Any) -> None:
    stock, fast = DefaultSerializer(), TolerantSerializer()
    answers = responses(app.extensions["porchlight.endpoint"].ready().skill)
    assert len(answers) > 100
    for answer in answers:
        written = fast.serialize(answer)
        assert json.dumps(written) == json.dumps(stock.serialize(answer))
        assert_same(written, stock.serialize(answer))


def test_the_writer_defers_odd_values_to_the_sdk() -> None:
    from decimal import Decimal
    from enum import Enum

    class Mood(Enum):
        CALM = "calm"

    odd = {"when": datetime(2026, 1, 2, 3, 4), "day": date(2026, 1, 2), "mood": Mood.CALM,
           "amount": Decimal("2.5"), "whole": Decimal("3"), "pair": (1, "a")}
    assert TolerantSerializer().serialize(odd) == DefaultSerializer().serialize(odd)


def test_a_body_parsed_by_the_endpoint_is_read_without_parsing_again() -> None:
    from skill.envelope import ParsedBody

    text = dumps(Device(clock).intent("PauseIntent", {"duration": "P2W"})).decode()
    body = ParsedBody(text)
    body.parsed = json.loads(text)
    serializer = TolerantSerializer()
    assert_same(serializer.deserialize(body, RequestEnvelope),
                serializer.deserialize_as_sdk_does(text, RequestEnvelope))
    body.parsed = Device(clock).launch()  # the parsed form is what is read
    assert serializer.deserialize(body, RequestEnvelope).request.object_type == "LaunchRequest"
