"""The HTTP edge: POST /alexa (verified), GET /healthz, and clear errors for bad input.

Every verification failure answers 400; bodies over the limit 413; anything the skill
itself cannot handle becomes a calm spoken apology (200), never a 500.
"""

from __future__ import annotations

import logging
import re
import time
from typing import TYPE_CHECKING, Any

from ask_sdk_core.exceptions import SerializationException
from ask_sdk_core.skill import CustomSkill
from ask_sdk_model import Request
from flask import Blueprint, Flask, Response, current_app, request
from werkzeug.datastructures import EnvironHeaders
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.wsgi import get_content_length, get_input_stream

from skill import jsonio, logs
from skill.compat import ensure_webservice_support_importable
from skill.content import content_for
from skill.envelope import ParsedBody
from skill.envelope_check import MAX_JSON_DEPTH, InvalidEnvelope, check_envelope, too_deep
from skill.logs import UserHasher
from skill.storage import HouseholdStore, StoreError
from skill.storage.base import user_id_of
from skill.verify import VerificationException

if TYPE_CHECKING:  # prometheus_client is imported only when metrics are on
    from skill.metrics import Metrics

ensure_webservice_support_importable()

from ask_sdk_webservice_support.webservice_handler import WebserviceSkillHandler  # noqa: E402

health_log = logging.getLogger("porchlight.health")
REQUEST_TYPES = frozenset(Request.discriminator_value_class_map)
blueprint = Blueprint("alexa", __name__)


def read_body(environ: dict[str, Any], limit: int) -> bytes:
    """The request body, or 413 when it is over ``limit`` bytes, however it is sent.

    A Content-Length over the limit is refused before reading. A chunked body (no
    Content-Length; the server terminates the stream) is read to one byte past the limit,
    so a longer one is refused too instead of being cut short and served.
    """
    length = get_content_length(environ)
    if length is not None:
        if length > limit:
            raise RequestEntityTooLarge()
        return get_input_stream(environ).read()  # exactly Content-Length bytes
    if "wsgi.input_terminated" not in environ:
        return b""  # no length and no terminated stream: nothing can be read safely
    stream = environ["wsgi.input"]
    chunks: list[bytes] = []
    total = 0
    while total <= limit:
        chunk = stream.read(min(64 * 1024, limit + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    if total > limit:
        raise RequestEntityTooLarge()
    return b"".join(chunks)


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
        try:
            body = ParsedBody(raw.decode("utf-8"))
            envelope = body.parsed = check_envelope(body)
        except (UnicodeDecodeError, InvalidEnvelope) as error:
            reason = str(error) if isinstance(error, InvalidEnvelope) else "body is not UTF-8"
            return {"error": "invalid request", "detail": reason}, 400, {"outcome": "invalid"}
        fields = request_log_fields(envelope, self.hasher)
        try:
            response = self.handler.verify_request_and_dispatch(headers, body)
        except VerificationException as error:
            return ({"error": "request verification failed", "detail": str(error)}, 400,
                    {**fields, "outcome": "rejected", "reason": str(error)})
        except SerializationException:
            return ({"error": "invalid request", "detail": "not a valid Alexa request envelope"},
                    400, {**fields, "outcome": "invalid"})
        return dict(response), 200, {**fields, "outcome": "ok"}


def request_log_fields(envelope: dict[str, Any], hasher: UserHasher) -> dict[str, Any]:
    """What a request's log line may say: names and ids of the request, a keyed hash of the
    user; never slot values, free text, tokens or raw user and device ids."""
    alexa_request = envelope["request"]
    return {
        "request_id": _name_or_none(alexa_request["requestId"]),
        "request_type": _name_or_none(alexa_request["type"]),
        "intent": _intent_name(alexa_request),
        "locale": _locale(alexa_request.get("locale")),
        "user": hasher(_user_id(envelope)),
    }


# Request types, intent names and request ids are identifiers: anything else is not logged.
_NAME = re.compile(r"[A-Za-z0-9_.:-]{1,100}")
_LOCALE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*")


def _name_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and _NAME.fullmatch(value) else None


def _locale(value: Any) -> str | None:
    if isinstance(value, str) and len(value) <= 20 and _LOCALE.fullmatch(value):
        return value
    return None


SENSITIVE_INTENTS = frozenset({"CrisisIntent", "AbuseIntent", "DangerIntent", "DistressIntent",
                               "NeedHelpIntent"})
"""Intents whose very name would say too much about a household; logged as "redacted"."""


def _intent_name(alexa_request: dict[str, Any]) -> str | None:
    intent = alexa_request.get("intent")
    name = _name_or_none(intent.get("name")) if isinstance(intent, dict) else None
    return "redacted" if name in SENSITIVE_INTENTS else name


def _user_id(envelope: dict[str, Any]) -> str | None:
    for holder in (envelope.get("context", {}).get("System", {}), envelope.get("session", {})):
        user = holder.get("user") if isinstance(holder, dict) else None
        if isinstance(user, dict) and isinstance(user.get("userId"), str):
            return str(user["userId"])
    return None


def _json(payload: dict[str, Any], status: int) -> Response:
    return Response(jsonio.dumps(payload), status=status, mimetype="application/json")


def serve_alexa(extensions: dict[str, Any], environ: dict[str, Any]
                ) -> tuple[dict[str, Any], int]:
    """(JSON body, HTTP status) for one POST /alexa, its log line and metrics recorded.
    Needs no Flask request: ``AlexaRoute`` calls it straight from the WSGI server."""
    endpoint: AlexaEndpoint = extensions["porchlight.endpoint"]
    started = time.perf_counter()
    logs.begin_request()
    try:
        raw = read_body(environ, extensions["porchlight.settings"].max_body_bytes)
        payload, status, fields = endpoint(EnvironHeaders(environ), raw)
    except HTTPException as error:  # too large (refused before reading), or cut short
        status = error.code or 400
        _record(extensions, started, {"outcome": "too_large" if status == 413 else "invalid",
                                      "status": status})
        return {"error": (error.name or "error").lower()}, status
    except Exception as error:  # the skill's own exception handler failed too
        payload, status = _apology(), 200
        fields = {"outcome": logs.HANDLER_ERROR, "error_type": type(error).__name__}
    if fields["outcome"] == "ok":
        fields["outcome"] = logs.noted_outcome() or "ok"
    fields["status"] = status
    _record(extensions, started, fields)
    listener = extensions.get("porchlight.on_response")  # serve --dev --speak
    if listener is not None and status == 200:
        listener(payload)
    return payload, status


@blueprint.post("/alexa")
def alexa() -> Response:
    """POST /alexa through Flask: in development mode, where the loopback guard runs
    first; otherwise ``AlexaRoute`` answers before Flask is reached."""
    payload, status = serve_alexa(current_app.extensions, request.environ)
    return _json(payload, status)


class AlexaRoute:
    """WSGI middleware: POST /alexa goes straight to ``serve_alexa``; everything else to
    Flask. The answer is the same as the Flask view's (status, JSON body, content type);
    what is skipped is Flask's request context, URL matching and response object, per
    request (docs/performance.md has the figures)."""

    def __init__(self, extensions: dict[str, Any], flask_app: Any) -> None:
        self.extensions = extensions
        self.flask_app = flask_app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("PATH_INFO") != "/alexa" or environ.get("REQUEST_METHOD") != "POST":
            return self.flask_app(environ, start_response)
        payload, status = serve_alexa(self.extensions, environ)
        data = jsonio.dumps(payload)
        start_response(f"{status} {HTTP_STATUS_CODES[status].upper()}",  # as werkzeug writes it
                       [("Content-Type", "application/json"),
                        ("Content-Length", str(len(data)))])
        return [data]


def _record(extensions: dict[str, Any], started: float, fields: dict[str, Any]) -> None:
    """The request's one log line, and its metrics when they are on."""
    seconds = time.perf_counter() - started
    fields["latency_ms"] = round(seconds * 1000, 2)
    logs.log_request(fields)
    metrics: Metrics | None = extensions.get("porchlight.metrics")
    if metrics is not None:
        metrics.observe_request(fields.get("request_type"), fields["outcome"], seconds)
        if fields["outcome"] in logs.STORE_FAILURES:
            metrics.observe_store_error("request")


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
    except StoreError as error:
        # The reason is for the operator's log, not for whoever polls the endpoint.
        health_log.warning("store unavailable", extra={"reason": str(error)})
        metrics: Metrics | None = current_app.extensions.get("porchlight.metrics")
        if metrics is not None:
            metrics.observe_store_error("health")
        return _json({"status": "unavailable", "store": "unavailable"}, 503)
    health: dict[str, Any] = {"status": "ok", "store": "ok"}
    if not current_app.extensions["porchlight.settings"].skill_id:
        health["warning"] = "PORCHLIGHT_SKILL_ID is not set: requests for any skill are accepted"
    return _json(health, 200)


def serve_metrics() -> Response:
    metrics: Metrics = current_app.extensions["porchlight.metrics"]
    return Response(metrics.exposition(), status=200, mimetype=None,
                    content_type=metrics.content_type)


def register(app: Flask, *, metrics: bool = False) -> None:
    """Add the endpoints (GET /metrics only when ``metrics``), and JSON errors for HTTP errors."""
    app.register_blueprint(blueprint)
    if metrics:
        from skill.metrics import Metrics

        outcomes = frozenset({"ok", "invalid", "rejected", "too_large", logs.HANDLER_ERROR,
                              *logs.STORE_FAILURES})
        app.extensions["porchlight.metrics"] = Metrics(REQUEST_TYPES, outcomes)
        app.add_url_rule("/metrics", "metrics", serve_metrics, methods=["GET"])

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        response = _json({"error": (error.name or "error").lower()}, error.code or 400)
        if error.code == 405:
            response.headers["Allow"] = ", ".join(getattr(error, "valid_methods", None) or [])
        return response


__all__ = [
    "MAX_JSON_DEPTH",
    "AlexaEndpoint",
    "AlexaRoute",
    "InvalidEnvelope",
    "check_envelope",
    "register",
    "request_log_fields",
    "too_deep",
    "user_id_of",
]
