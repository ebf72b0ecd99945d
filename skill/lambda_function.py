"""AWS Lambda entry point: the same skill object, built once per container.

Lambda invocations come from Alexa through AWS, so there is no HTTP signature to
check; the skill id is checked by the ASK SDK when PORCHLIGHT_SKILL_ID is set. Use a
database that outlives the container (PORCHLIGHT_DATABASE_URL).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_handler: Callable[[dict[str, Any], Any], dict[str, Any]] | None = None


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The function Lambda calls: ``skill.lambda_function.handler``."""
    global _handler
    if _handler is None:
        from skill.builder import build_skill_builder
        from skill.config import load_settings
        from skill.storage import store_from_settings

        settings = load_settings()
        builder = build_skill_builder(store_from_settings(settings), settings)
        builder.skill_id = settings.skill_id
        _handler = builder.lambda_handler()
    response: dict[str, Any] = _handler(event, context)
    return response
