"""The two WSGI apps Porch Light is measured against, served by gunicorn like Porch Light.

``floor_app()``: bare Flask. It reads and parses the same signed request body and answers
with a response of the same size (Porch Light's own answer, captured by the benchmark and
named by BENCH_RESPONSE_FILE), serialised per request. That is what Flask alone costs.

``stock_app()``: the stack a developer would otherwise use. flask-ask-sdk's ``SkillAdapter``
around an ask-sdk-core ``SkillBuilder`` skill with one handler that speaks the same words
and sends the same card, signature and timestamp checking off (its best case).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from flask import Flask, Response, request

RESPONSE_FILE = "BENCH_RESPONSE_FILE"


def captured_response() -> dict[str, Any]:
    """The Porch Light response the benchmark captured for these apps to match in size."""
    loaded: dict[str, Any] = json.loads(Path(os.environ[RESPONSE_FILE]).read_text())
    return loaded


def floor_app() -> Flask:
    """Bare Flask: parse the JSON request, answer JSON of the same size."""
    answer = captured_response()
    app = Flask("floor")

    @app.post("/alexa")
    def alexa() -> Response:
        json.loads(request.get_data())
        return Response(json.dumps(answer), mimetype="application/json")

    @app.get("/healthz")
    def healthz() -> Response:
        return Response('{"status": "ok"}', mimetype="application/json")

    return app


def stock_app() -> Flask:
    """flask-ask-sdk's SkillAdapter with a one-handler skill, verification off."""
    from skill.compat import ensure_webservice_support_importable

    ensure_webservice_support_importable()  # oscrypto cannot load here; see skill.compat
    from ask_sdk_core.skill_builder import SkillBuilder
    from flask_ask_sdk.skill_adapter import (
        VERIFY_SIGNATURE_APP_CONFIG,
        VERIFY_TIMESTAMP_APP_CONFIG,
        SkillAdapter,
    )

    builder = SkillBuilder()
    builder.add_request_handler(_one_handler(captured_response()["response"]))
    app = Flask("stock")
    app.config[VERIFY_SIGNATURE_APP_CONFIG] = False
    app.config[VERIFY_TIMESTAMP_APP_CONFIG] = False
    adapter = SkillAdapter(skill=builder.create(), skill_id="stock", app=app)
    adapter.register(app=app, route="/alexa")

    @app.get("/healthz")
    def healthz() -> Response:
        return Response('{"status": "ok"}', mimetype="application/json")

    return app


def _one_handler(answer: dict[str, Any]) -> Any:
    """A request handler that says ``answer``'s words and shows its card, for any request."""
    from ask_sdk_core.dispatch_components import AbstractRequestHandler
    from ask_sdk_model.ui import SimpleCard

    ssml = answer["outputSpeech"]["ssml"].removeprefix("<speak>").removesuffix("</speak>")
    card = answer.get("card")

    class TonightsPromptHandler(AbstractRequestHandler):  # type: ignore[misc]
        def can_handle(self, handler_input: Any) -> bool:
            return True

        def handle(self, handler_input: Any) -> Any:
            builder = handler_input.response_builder.speak(ssml)
            if card:
                builder.set_card(SimpleCard(title=card["title"], content=card["content"]))
            return builder.set_should_end_session(True).response

    return TonightsPromptHandler()
