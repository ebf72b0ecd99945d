"""The HTTP edge: POST /alexa (verified), GET /healthz, and clear errors for bad input.

Every verification failure answers 400; bodies over the limit 413; anything the skill
itself cannot handle becomes a calm spoken apology (200), never a 500.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Flask, Response, current_app, request
from werkzeug.datastructures import EnvironHeaders
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.wsgi import get_content_length, get_input_stream

from skill import jsonio, logs
from skill.envelope_check import MAX_JSON_DEPTH, InvalidEnvelope, check_envelope, too_deep

if TYPE_CHECKING:  # the SDK and prometheus_client are imported only when needed
    from skill.alexa_endpoint import AlexaEndpoint
    from skill.metrics import Metrics
    from skill.storage import HouseholdStore

health_log = logging.getLogger("porchlight.health")
blueprint = Blueprint("alexa", __name__)


class LazyEndpoint:
    """The Alexa endpoint, built by ``build`` on the first request that needs it.

    Starting a server (``create_app()``) then imports no ASK SDK, no handler and no
    verifier, and reads no trusted roots; the first POST /alexa of each process pays for
    them once (``make bench``: ``cold_*``). Thread-safe: one build, however many threads
    ask at once. A build that fails is tried again by the next request.
    """

    def __init__(self, build: Callable[[], AlexaEndpoint]) -> None:
        self._build = build
        self._built: AlexaEndpoint | None = None
        self._lock = threading.Lock()

    def ready(self) -> AlexaEndpoint:
        """The endpoint, built now if it is not yet."""
        built = self._built
        if built is None:
            with self._lock:
                if self._built is None:
                    self._built = self._build()
                built = self._built
        return built

    def __call__(self, headers: Any, raw: bytes) -> tuple[dict[str, Any], int, dict[str, Any]]:
        return self.ready()(headers, raw)


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


def _json(payload: dict[str, Any], status: int) -> Response:
    return Response(jsonio.dumps(payload), status=status, mimetype="application/json")


def serve_alexa(extensions: dict[str, Any], environ: dict[str, Any]
                ) -> tuple[dict[str, Any], int]:
    """(JSON body, HTTP status) for one POST /alexa, its log line and metrics recorded.
    Needs no Flask request: ``AlexaRoute`` calls it straight from the WSGI server."""
    endpoint: LazyEndpoint = extensions["porchlight.endpoint"]
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
    from skill.content import content_for

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
    from skill.storage import StoreError

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
        from ask_sdk_model import Request

        from skill.metrics import Metrics

        outcomes = frozenset({"ok", "invalid", "rejected", "too_large", logs.HANDLER_ERROR,
                              *logs.STORE_FAILURES})
        request_types = frozenset(Request.discriminator_value_class_map)
        app.extensions["porchlight.metrics"] = Metrics(request_types, outcomes)
        app.add_url_rule("/metrics", "metrics", serve_metrics, methods=["GET"])

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        response = _json({"error": (error.name or "error").lower()}, error.code or 400)
        if error.code == 405:
            response.headers["Allow"] = ", ".join(getattr(error, "valid_methods", None) or [])
        return response


__all__ = [
    "MAX_JSON_DEPTH",
    "AlexaRoute",
    "InvalidEnvelope",
    "LazyEndpoint",
    "check_envelope",
    "register",
    "too_deep",
]
