"""The skill's request mapper picks exactly the handler the SDK's own mapper picks."""

from __future__ import annotations

from typing import Any

from ask_sdk_core.attributes_manager import AttributesManager
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import RequestEnvelope
from ask_sdk_runtime.dispatch_components import GenericRequestMapper

from skill.builder import IntentNameMapper
from skill.conversation.state import Offer
from skill.envelope import TolerantSerializer
from tests.envelopes import dumps
from tests.test_model_codec import device_envelopes


def test_the_same_handler_answers_every_envelope_shape(app: Any) -> None:
    skill = app.extensions["porchlight.skill"]
    ours = skill.request_dispatcher.request_mappers[0]
    assert isinstance(ours, IntentNameMapper)
    stock = GenericRequestMapper(ours.request_handler_chains)
    serializer = TolerantSerializer()
    envelopes = device_envelopes()
    for envelope in envelopes:
        for offer in (None, *Offer):
            if offer and "session" in envelope:
                envelope["session"]["attributes"] = {"offer": str(offer)}
            parsed = serializer.deserialize(dumps(envelope).decode(), RequestEnvelope)
            handler_input = HandlerInput(
                request_envelope=parsed,
                attributes_manager=AttributesManager(request_envelope=parsed))
            assert (ours.get_request_handler_chain(handler_input)
                    is stock.get_request_handler_chain(handler_input))
