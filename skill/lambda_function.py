"""AWS Lambda entry point: the same skill object, built once per container.

Built by ``skill.builder.build_skill``, exactly as the Flask endpoint and rehearsal build
it (its TolerantSerializer reads request types newer than the SDK, and its mapper is the
one the endpoint uses), so an envelope gets the same answer on every entry point.

Lambda invocations come from Alexa through AWS, so there is no HTTP signature to check;
the skill id is checked when PORCHLIGHT_SKILL_ID is set (set it, and restrict the
function's Alexa trigger to your skill id). Use a database that outlives the container
(PORCHLIGHT_DATABASE_URL).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from skill.conversation.clock import Clock

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]
_handler: Handler | None = None


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The function Lambda calls: ``skill.lambda_function.handler``."""
    global _handler
    if _handler is None:
        _handler = build_handler()
    return _handler(event, context)


def build_handler(clock: Clock | None = None) -> Handler:
    """A Lambda handler around ``build_skill`` with the settings from the environment
    (``clock``: tests set the time)."""
    from ask_sdk_model import RequestEnvelope

    from skill.builder import build_skill
    from skill.config import load_settings
    from skill.conversation.clock import system_clock
    from skill.envelope import ParsedBody
    from skill.envelope_check import check_envelope
    from skill.storage import store_from_settings

    settings = load_settings()
    skill = build_skill(store_from_settings(settings), settings, clock or system_clock)
    skill.skill_id = settings.skill_id  # the SDK refuses envelopes for any other skill

    def answer(event: dict[str, Any], context: Any) -> dict[str, Any]:
        body = ParsedBody(json.dumps(event))
        # the endpoint's shape check: InvalidEnvelope (a ValueError); its JSON is read once
        body.parsed = check_envelope(body)
        envelope = skill.serializer.deserialize(body, RequestEnvelope)
        response: dict[str, Any] = skill.serializer.serialize(
            skill.invoke(request_envelope=envelope, context=context))
        return response

    return answer
