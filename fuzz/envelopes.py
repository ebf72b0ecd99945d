"""Fuzz the parsing of request envelopes: the endpoint's check, the ASK serializer path, and
what handlers and the log line read from the result. `make fuzz` runs it for a bounded time.

The contract for any bytes: ``check_envelope`` returns a dict or raises InvalidEnvelope; the
serializer returns an envelope or raises SerializationException (the endpoint answers 400);
reading the intent name, request type, a slot and the log fields never raises. Anything else
is a crash: libFuzzer saves the input, which becomes a file in tests/data/fuzz/ (a regression
test, tests/test_fuzz_regressions.py).
"""

from __future__ import annotations

import json
import sys


def one_input(data: bytes) -> None:
    """Run one input through envelope parsing; raises only on a real defect."""
    from ask_sdk_core.exceptions import SerializationException
    from ask_sdk_core.handler_input import HandlerInput
    from ask_sdk_model import RequestEnvelope

    from skill.alexa_endpoint import request_log_fields
    from skill.envelope import TolerantSerializer
    from skill.handlers.common import intent_name, request_type, slot_value
    from skill.logs import UserHasher
    from skill.web import InvalidEnvelope, check_envelope

    try:
        body = data.decode("utf-8")
        envelope = check_envelope(body)
    except (UnicodeDecodeError, InvalidEnvelope):
        return
    json.dumps(request_log_fields(envelope, UserHasher("fuzz")))
    try:
        parsed = TolerantSerializer().deserialize(body, RequestEnvelope)
    except SerializationException:
        return
    handler_input = HandlerInput(request_envelope=parsed)
    for read in (intent_name, request_type, lambda h: slot_value(h, "duration")):
        value = read(handler_input)
        assert value is None or isinstance(value, str), value


def main() -> None:
    import atheris

    with atheris.instrument_imports(include=["skill", "ask_sdk_core", "ask_sdk_model"]):
        one_input(b"{}")  # imports every instrumented module once
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
