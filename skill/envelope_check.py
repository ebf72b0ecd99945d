"""The shape every Alexa request envelope has, checked before anything else reads it.

Shared by the HTTP endpoint (``skill.web``) and the Lambda entry point, and free of Flask,
so a Lambda container's first request does not import it.
"""

from __future__ import annotations

from typing import Any

from skill import jsonio


class InvalidEnvelope(ValueError):
    """The body is not an Alexa request envelope."""


MAX_JSON_DEPTH = 32
"""Deepest nesting of objects and arrays accepted; Alexa's envelopes go about 10 deep."""


def check_envelope(body: str) -> dict[str, Any]:
    """Parse the body and check the fields every Alexa request carries."""
    try:
        envelope = jsonio.loads(body)
    except ValueError:
        raise InvalidEnvelope("the body is not valid JSON") from None
    except RecursionError:
        raise InvalidEnvelope(f"the body nests deeper than {MAX_JSON_DEPTH} levels") from None
    # Nesting deeper than the limit needs more openers than the limit: most bodies are
    # cleared by counting them (C speed), and only the rest are walked.
    if body.count("{") + body.count("[") > MAX_JSON_DEPTH and too_deep(envelope, MAX_JSON_DEPTH):
        raise InvalidEnvelope(f"the body nests deeper than {MAX_JSON_DEPTH} levels")
    if not isinstance(envelope, dict):
        raise InvalidEnvelope("the body is not a JSON object")
    alexa_request = envelope.get("request")
    if not isinstance(envelope.get("version"), str) or not isinstance(alexa_request, dict):
        raise InvalidEnvelope("an Alexa request envelope needs 'version' and 'request'")
    for name in ("type", "requestId", "timestamp"):
        if not isinstance(alexa_request.get(name), str) or not alexa_request[name]:
            raise InvalidEnvelope(f"the request needs a '{name}' string")
    for name in ("session", "context"):
        if name in envelope and not isinstance(envelope[name], dict):
            raise InvalidEnvelope(f"'{name}' must be an object")
    # Alexa sends context.System with every request; the skill reads it on every request
    # (the API endpoint and token), so an envelope without it is not one Alexa sent.
    if not isinstance(envelope.get("context", {}).get("System"), dict):
        raise InvalidEnvelope("an Alexa request envelope needs 'context' with 'System'")
    return envelope


def too_deep(value: Any, limit: int) -> bool:
    """True when objects and arrays in parsed JSON nest deeper than ``limit`` (no recursion,
    so the check itself cannot overflow the stack)."""
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(
            item, list) else ()
        for child in children:
            if isinstance(child, (dict, list)):
                if depth >= limit:
                    return True
                pending.append((child, depth + 1))
    return False
