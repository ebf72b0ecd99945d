"""The HTTP edge: POST /alexa (verified), GET /healthz, and clear errors for bad input.

Every verification failure answers 400; bodies over the limit 413; anything the skill
itself cannot handle becomes a calm spoken apology (200), never a 500.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from ask_sdk_core.exceptions import SerializationException
from ask_sdk_core.skill import CustomSkill
from flask import Blueprint, Flask, Response, current_app, request
from werkzeug.exceptions import HTTPException

from skill.compat import ensure_webservice_support_importable
from skill.content import content_for
from skill.logs import REQUEST_LOGGER, UserHasher
from skill.storage import HouseholdStore, StoreError
from skill.storage.base import user_id_of
from skill.verify import VerificationException

ensure_webservice_support_importable()

from ask_sdk_webservice_support.webservice_handler import WebserviceSkillHandler  # noqa: E402

request_log = logging.getLogger(REQUEST_LOGGER)
blueprint = Blueprint("alexa", __name__)


class InvalidEnvelope(ValueError):
    """The body is not an Alexa request envelope."""


def check_envelope(body: str) -> dict[str, Any]:
    """Parse the body and check the fields every Alexa request carries."""
    try:
        envelope = json.loads(body)
    except ValueError:
        raise InvalidEnvelope("the body is not valid JSON") from None
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
    return envelope


class AlexaEndpoint:
    """Verifies and dispatches one Alexa request through the ASK web-service handler."""

    def __init__(self, skill: CustomSkill, verifiers: list[Any],
                 hasher: UserHasher) -> None:
        self.handler = WebserviceSkillHandler(
            skill=skill, verify_signature=False, verify_timestamp=False, verifiers=verifiers
        )
        self.hasher = hasher

    def __call__(self, headers: Any, raw: bytes) -> tuple[dict[str, Any], int, dict[str, Any]]:
        """(JSON body, HTTP status, log fields) for one request."""
        fields: dict[str, Any] = {}
        try:
            body = raw.decode("utf-8")
            envelope = check_envelope(body)
        except (UnicodeDecodeError, InvalidEnvelope) as error:
            reason = str(error) if isinstance(error, InvalidEnvelope) else "body is not UTF-8"
            return {"error": "invalid request", "detail": reason}, 400, {"outcome": "invalid"}
        alexa_request = envelope["request"]
        fields.update(
            request_id=alexa_request["requestId"][:100],
            request_type=alexa_request["type"][:100],
            intent=_intent_name(alexa_request),
            locale=str(alexa_request.get("locale", ""))[:20],
        )
        try:
            response = self.handler.verify_request_and_dispatch(headers, body)
        except VerificationException as error:
            return ({"error": "request verification failed", "detail": str(error)}, 400,
                    {**fields, "outcome": "rejected", "reason": str(error)})
        except SerializationException:
            return ({"error": "invalid request", "detail": "not a valid Alexa request envelope"},
                    400, {**fields, "outcome": "invalid"})
        fields["user"] = self.hasher(_user_id(envelope))
        return dict(response), 200, {**fields, "outcome": "ok"}


def _intent_name(alexa_request: dict[str, Any]) -> str | None:
    intent = alexa_request.get("intent")
    name = intent.get("name") if isinstance(intent, dict) else None
    return name[:100] if isinstance(name, str) else None


def _user_id(envelope: dict[str, Any]) -> str | None:
    for holder in (envelope.get("context", {}).get("System", {}), envelope.get("session", {})):
        user = holder.get("user") if isinstance(holder, dict) else None
        if isinstance(user, dict) and isinstance(user.get("userId"), str):
            return str(user["userId"])
    return None


def _json(payload: dict[str, Any], status: int) -> Response:
    return Response(json.dumps(payload), status=status, mimetype="application/json")


@blueprint.post("/alexa")
def alexa() -> Response:
    endpoint: AlexaEndpoint = current_app.extensions["porchlight.endpoint"]
    started = time.perf_counter()
    try:
        payload, status, fields = endpoint(request.headers, request.get_data(cache=False))
    except HTTPException:
        raise
    except Exception as error:  # the skill's own exception handler failed too
        payload, status = _apology(), 200
        fields = {"outcome": "error", "error_type": type(error).__name__}
    fields["latency_ms"] = round((time.perf_counter() - started) * 1000, 2)
    fields["status"] = status
    request_log.info("alexa request", extra=fields)
    listener = current_app.extensions.get("porchlight.on_response")  # serve --dev --speak
    if listener is not None and status == 200:
        listener(payload)
    return _json(payload, status)


def _apology() -> dict[str, Any]:
    speech = content_for(None).line("error")
    return {
        "version": "1.0",
        "response": {
            "outputSpeech": {"type": "SSML", "ssml": f"<speak>{speech}</speak>"},
            "shouldEndSession": True,
        },
    }


@blueprint.get("/healthz")
def healthz() -> Response:
    store: HouseholdStore = current_app.extensions["porchlight.store"]
    try:
        store.check()
    except StoreError:
        return _json({"status": "unavailable", "store": "unavailable"}, 503)
    return _json({"status": "ok", "store": "ok"}, 200)


def register(app: Flask) -> None:
    """Add the endpoints, and JSON errors for every HTTP error."""
    app.register_blueprint(blueprint)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        response = _json({"error": (error.name or "error").lower()}, error.code or 400)
        if error.code == 405:
            response.headers["Allow"] = ", ".join(getattr(error, "valid_methods", None) or [])
        return response


__all__ = ["AlexaEndpoint", "InvalidEnvelope", "check_envelope", "register", "user_id_of"]
