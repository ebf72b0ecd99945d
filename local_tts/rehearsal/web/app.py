"""The rehearsal page's own small Flask app (not the skill's production app).

Every request must carry the run's random token as the first part of its path, compared
in constant time, and name a loopback host (so neither another local web page nor a
DNS-rebound site can drive it). Bad input gets a clear JSON error, never a traceback;
nothing typed is logged; every answer is marked no-store.
"""

from __future__ import annotations

import hmac
import logging
import threading
from collections.abc import Callable
from importlib import resources
from typing import Any

from flask import Blueprint, Flask, Response, abort, jsonify, request
from werkzeug.exceptions import HTTPException

from local_tts.rehearsal.session import RehearsalCommandError
from local_tts.rehearsal.transport import RehearsalError
from local_tts.rehearsal.web.backend import PageRehearsal

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]"})
MAX_BODY_BYTES = 16 * 1024
MAX_LINE_CHARS = 300
STATIC = {"page.css": "text/css", "page.js": "text/javascript", "index.html": "text/html"}
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        "media-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; "
        "frame-ancestors 'none'"),
}

log = logging.getLogger("porchlight.rehearsal.web")


def static_file(name: str) -> str:
    """A file of the page, read from the package."""
    folder = resources.files("local_tts.rehearsal.web").joinpath("static")
    return folder.joinpath(name).read_text(encoding="utf-8")


def create_rehearsal_app(page: PageRehearsal, token: str) -> Flask:
    """The app serving ``page`` under ``/<token>/``."""
    app = Flask(__name__, static_folder=None)
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    expected = token.encode("ascii")
    lock = threading.Lock()  # one turn at a time: the rehearsal is one device

    @app.before_request
    def guard() -> None:
        host = (request.host or "").lower()
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        given = request.path.split("/", 2)[1].encode("utf-8", "replace")
        if name not in LOOPBACK_HOSTS or not hmac.compare_digest(given, expected):
            abort(403, "This page needs the address `porchlight rehearse --web` printed.")

    @app.after_request
    def secure(response: Response) -> Response:
        response.headers.update(SECURITY_HEADERS)
        return response

    app.register_blueprint(_routes(page, token, lock))
    _errors(app)
    return app


def _routes(page: PageRehearsal, token: str, lock: threading.Lock) -> Blueprint:
    routes = Blueprint("rehearsal", __name__, url_prefix=f"/{token}")

    def locked(work: Callable[[], dict[str, Any]]) -> Response:
        with lock:
            return jsonify(work())

    @routes.get("/")
    def index() -> Response:
        return _file("index.html")

    @routes.get("/<name>")
    def asset(name: str) -> Response:
        if name not in STATIC or name == "index.html":
            abort(404, "No such file.")
        return _file(name)

    @routes.get("/api/hello")
    def hello() -> Response:
        return locked(page.hello)

    @routes.post("/api/say")
    def say() -> Response:
        text = _field("text", MAX_LINE_CHARS)
        return locked(lambda: page.say(text))

    @routes.post("/api/later")
    def later() -> Response:
        span = _field("span", 10)
        return locked(lambda: page.later(span))

    @routes.get("/audio/<name>.wav")
    def audio(name: str) -> Response:
        data = page.sound(name)
        if data is None:
            abort(404, "That answer's sound is no longer kept.")
        return Response(data, mimetype="audio/wav")

    return routes


def _file(name: str) -> Response:
    return Response(static_file(name), mimetype=STATIC[name])


def _field(name: str, longest: int) -> str:
    """One text field of a JSON object body; 400 with what to send otherwise."""
    body = request.get_json(silent=True) if request.is_json else None
    value = body.get(name) if isinstance(body, dict) else None
    if not isinstance(value, str) or not value.strip() or len(value) > longest:
        abort(400, f'Send a JSON object like {{"{name}": "…"}} with 1 to {longest} '
                   "characters of text.")
    return value.strip()


def _errors(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[Response, int]:
        return jsonify(error=error.description), error.code or 400

    @app.errorhandler(RehearsalCommandError)
    def command_error(error: RehearsalCommandError) -> tuple[Response, int]:
        return jsonify(error=str(error)), 400

    @app.errorhandler(RehearsalError)
    def skill_error(error: RehearsalError) -> tuple[Response, int]:
        return jsonify(error=str(error)), 502

    @app.errorhandler(Exception)
    def failure(error: Exception) -> tuple[Response, int]:
        # The kind of failure only: a message could quote what was typed.
        log.error("the rehearsal page failed", extra={"error_type": type(error).__name__})
        return jsonify(error="Something went wrong in the rehearsal (the terminal says "
                             f"what kind: {type(error).__name__}). Reload to start again."), 500
