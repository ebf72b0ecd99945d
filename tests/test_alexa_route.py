"""POST /alexa is answered in front of Flask (``skill.web.AlexaRoute``), with the very
answer the Flask view gives; every other path and method still goes to Flask."""

from __future__ import annotations

import io
import json
from typing import Any

from flask import Flask

from skill.conversation.clock import SettableClock
from skill.web import AlexaRoute
from tests.conftest import Alexa
from tests.envelopes import Device, dumps


def test_the_route_answers_before_flask_sees_the_request(app: Flask, alexa: Alexa,
                                                         device: Device) -> None:
    seen: list[str] = []
    app.before_request(lambda: seen.append("flask") and None)
    assert isinstance(app.wsgi_app, AlexaRoute)
    response = alexa.post(device.launch())
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Content-Length"] == str(len(response.get_data()))
    assert "outputSpeech" in response.get_json()["response"]
    assert seen == []
    assert alexa.client.get("/healthz").status_code == 200 and seen == ["flask"]


def answers(client: Any, alexa: Alexa, device: Device) -> list[tuple[int, str, Any]]:
    """Each answer's status, content type and JSON, for a household new to the skill."""
    envelope = device.launch()
    body = dumps(envelope)
    cases = [
        client.post("/alexa", data=body, headers=alexa.authority.sign(body)),
        client.post("/alexa", data=b"{not json", headers=alexa.authority.sign(body)),
        client.post("/alexa", data=body),  # no signature
        client.post("/alexa", data=b"x" * (200 * 1024), headers=alexa.authority.sign(body)),
        client.get("/alexa"),
        client.post("/alexa/", data=body, headers=alexa.authority.sign(body)),
    ]
    return [(r.status_code, r.mimetype, _comparable(r.get_json(silent=True))) for r in cases]


def _comparable(payload: Any) -> Any:
    if isinstance(payload, dict) and "sessionAttributes" in payload:
        payload = {**payload, "sessionAttributes": sorted(payload["sessionAttributes"])}
    return payload


def test_the_route_and_the_flask_view_give_the_same_answers(
    app: Flask, alexa: Alexa, clock: SettableClock
) -> None:
    first, second = (Device(clock, user_id=f"amzn1.ask.account.ROUTE{n}") for n in (1, 2))
    through_route = answers(app.test_client(), alexa, first)
    route = app.wsgi_app
    assert isinstance(route, AlexaRoute)
    app.wsgi_app = route.flask_app  # type: ignore[method-assign]
    through_flask = answers(app.test_client(), alexa, second)
    assert through_route == through_flask
    assert [status for status, _, _ in through_route] == [200, 400, 400, 413, 405, 404]


def test_a_body_cut_short_is_a_clear_400(app: Flask) -> None:
    """A client that promises more bytes than it sends gets 400, never an apology."""
    body = b'{"version": "1.0"}'
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/alexa", "SCRIPT_NAME": "",
               "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "wsgi.url_scheme": "http",
               "SERVER_PROTOCOL": "HTTP/1.1", "CONTENT_LENGTH": str(len(body) + 50),
               "CONTENT_TYPE": "application/json", "wsgi.input": io.BytesIO(body)}
    statuses: list[str] = []
    answer = b"".join(app.wsgi_app(environ, lambda status, headers: statuses.append(status)))
    assert statuses == ["400 BAD REQUEST"]
    assert json.loads(answer) == {"error": "bad request"}
