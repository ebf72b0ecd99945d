"""The skill's dispatch table picks exactly the handler the SDK's own linear search picks:
every envelope shape of every locale (each intent, in a session and one-shot, launch, session
ends, skill events, permission answers), in every state a session can be waiting on, and
intents no handler names."""

from __future__ import annotations

from typing import Any

from ask_sdk_core.attributes_manager import AttributesManager
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import RequestEnvelope
from ask_sdk_runtime.dispatch_components import GenericRequestMapper

from skill.builder import DispatchTable
from skill.conversation.clock import SettableClock
from skill.conversation.state import Offer
from skill.envelope import TolerantSerializer
from tests.conftest import EVENING
from tests.envelopes import Device, dumps
from tests.test_model_codec import device_envelopes


def test_the_same_handler_answers_every_envelope_shape(app: Any) -> None:
    skill = app.extensions["porchlight.endpoint"].ready().skill
    ours = skill.request_dispatcher.request_mappers[0]
    assert isinstance(ours, DispatchTable)
    assert ours._table is not None  # built at start-up, not by the first request
    stock = GenericRequestMapper(ours.request_handler_chains)
    serializer = TolerantSerializer()
    envelopes = device_envelopes()
    unknown = Device(SettableClock(EVENING))
    envelopes += [unknown.intent("NoSuchIntent"), unknown.intent("NoSuchIntent", one_shot=True)]
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


def test_a_handler_is_asked_only_where_it_declared_it_may_answer(app: Any) -> None:
    """Handlers with a ``can_handle`` of their own are left out of the chains of request
    types and intents they declared they never answer (the test above shows the answer
    is the same)."""
    skill = app.extensions["porchlight.endpoint"].ready().skill
    table = skill.request_dispatcher.request_mappers[0]._table
    asked = [type(chain.request_handler).__name__
             for chain, decided in table[("IntentRequest", "TonightsPromptIntent")]]
    before = asked[:asked.index("TonightsPromptHandler")]  # the one that answers it
    assert before == ["ScreenedWordsHandler", "NumberAgainHandler"]
    launch = [type(chain.request_handler).__name__
              for chain, decided in table[("LaunchRequest", None)]]
    assert "LaunchHandler" in launch and "SessionEndedHandler" not in launch
    assert "CheckInYesHandler" not in launch and "NotNowHandler" not in launch
