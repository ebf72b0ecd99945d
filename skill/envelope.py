"""Reading request envelopes the way real Alexa traffic needs.

The ASK SDK's serializer rejects a whole envelope when its request type is newer
than the SDK's model (Alexa adds request types over time). ``TolerantSerializer``
reads such an envelope with a plain ``Request`` carrying the new type, id,
timestamp and locale, so verification still runs and a catch-all handler can
answer calmly instead of the endpoint refusing the request.

It is also fast: envelopes and responses go through ``skill.model_codec``, which gives
exactly the SDK's result at a fraction of its cost, and defers to the SDK's own path
for anything it cannot promise to read the same way.
"""

from __future__ import annotations

import json
from typing import Any

from ask_sdk_core.exceptions import SerializationException
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import Request, RequestEnvelope

from skill import jsonio
from skill.model_codec import ModelReader, ModelWriter, NotFast

_KNOWN_REQUEST_TYPES = frozenset(Request.discriminator_value_class_map)
_STAND_IN_TYPE = "SessionEndedRequest"
_MAX_DEPTH = 32


def drop_undeclared(model: Any, depth: int = 0) -> None:
    """Remove the attributes the SDK copied raw from JSON keys its model does not declare.

    The SDK sets every unknown key as an attribute of whatever type the JSON had, so a
    LaunchRequest carrying ``"intent": true`` would have ``request.intent == True`` and
    code probing ``getattr(request, "intent", None)`` would trip over it (found by the
    property tests in tests/test_bad_input.py). Declared fields are kept.
    """
    declared = getattr(type(model), "deserialized_types", None)
    if declared is None or depth > _MAX_DEPTH:
        return
    for name in [n for n in vars(model) if not n.startswith("_") and n not in declared]:
        delattr(model, name)
    for name in declared:
        for child in _children(getattr(model, name, None)):
            drop_undeclared(child, depth + 1)


def _children(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return list(value.values())
    return value if isinstance(value, list) else [value]


class ParsedBody(str):
    """A request body whose JSON the endpoint has parsed already, so it is parsed once."""

    parsed: Any = None


def _json_or_not_fast(payload: str) -> Any:
    if isinstance(payload, ParsedBody) and payload.parsed is not None:
        return payload.parsed
    try:
        return jsonio.loads(payload)
    except Exception:  # not JSON (or nested past the parser's limit): the SDK's path says so
        raise NotFast from None


class TolerantSerializer(DefaultSerializer):  # type: ignore[misc]
    """The SDK's serializer, plus envelopes whose request type the SDK does not know yet."""

    def __init__(self) -> None:
        super().__init__()
        self._reader = ModelReader()
        self._writer = ModelWriter(super().serialize)

    def serialize(self, obj: Any) -> Any:
        return self._writer.write(obj)

    def deserialize(self, payload: Any, obj_type: Any) -> Any:
        if obj_type is RequestEnvelope and isinstance(payload, str):
            try:
                return self._reader.read(_json_or_not_fast(payload), RequestEnvelope)
            except NotFast:
                pass
        return self.deserialize_as_sdk_does(payload, obj_type)

    def deserialize_as_sdk_does(self, payload: Any, obj_type: Any) -> Any:
        """The SDK's own reading, plus unknown request types and undeclared keys dropped."""
        try:
            parsed = super().deserialize(payload, obj_type)
        except SerializationException:
            if obj_type is not RequestEnvelope:
                raise
            parsed = self._with_unknown_request(payload)
        drop_undeclared(parsed)
        return parsed

    def _with_unknown_request(self, payload: Any) -> Any:
        try:
            envelope = json.loads(payload)
            request = envelope["request"]
            request_type = request["type"]
        except (ValueError, TypeError, KeyError):
            raise SerializationException("not a request envelope") from None
        if not isinstance(request_type, str) or request_type in _KNOWN_REQUEST_TYPES:
            raise SerializationException(f"invalid {request_type!r} request") from None
        stand_in = {key: request[key] for key in ("requestId", "timestamp", "locale")
                    if key in request}
        envelope["request"] = {**stand_in, "type": _STAND_IN_TYPE}
        parsed = super().deserialize(json.dumps(envelope), RequestEnvelope)
        parsed.request = Request(
            object_type=request_type,
            request_id=parsed.request.request_id,
            timestamp=parsed.request.timestamp,
            locale=parsed.request.locale,
        )
        return parsed
