"""The rehearsal page's app through Flask's test client: the token, loopback only, clear
errors for bad requests (never a 500), and answers on the one rehearsal path."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from local_tts.rehearsal.setup import Options, open_rehearsal
from local_tts.rehearsal.web.app import create_rehearsal_app
from local_tts.rehearsal.web.backend import PageRehearsal
from local_tts.rehearsal.web.serve import page_server
from tests.page_helpers import page_rehearsal, wav_seconds
from tests.rehearsal_helpers import Rehearse, prompt_in, starts_with_one_of, variants

TOKEN = "t0ken-for-tests_abcdefghijklmnopq"
HOST = {"Host": "127.0.0.1:8123"}


@pytest.fixture
def page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[PageRehearsal]:
    with page_rehearsal(Rehearse(tmp_path, monkeypatch), tmp_path / "wavs") as page:
        yield page


@pytest.fixture
def app(page: PageRehearsal) -> Flask:
    return create_rehearsal_app(page, TOKEN)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def say(client: FlaskClient, text: str) -> dict[str, Any]:
    answer = client.post(f"/{TOKEN}/api/say", json={"text": text}, headers=HOST)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    payload: dict[str, Any] = answer.get_json()
    return payload


@pytest.mark.parametrize("path", ["/", "/page.js", "/api/hello", "/audio/x.wav", "/nothing"])
@pytest.mark.parametrize("token", ["", "wrong", TOKEN[:-1], TOKEN + "x", TOKEN.upper()])
def test_every_request_needs_the_token(client: FlaskClient, path: str, token: str) -> None:
    answer = client.get(f"/{token}{path}", headers=HOST)
    assert answer.status_code == 403
    assert "address" in answer.get_json()["error"]
    assert client.post(f"/{token}/api/say", json={"text": "not now"},
                       headers=HOST).status_code == 403


@pytest.mark.parametrize("host", ["evil.example:8123", "192.168.1.20:8123", "127.0.0.2:8123",
                                  "localhost.evil.example"])
def test_only_a_loopback_host_is_served(client: FlaskClient, host: str) -> None:
    """A site rebinding its name to 127.0.0.1 still names itself in Host: refused."""
    assert client.get(f"/{TOKEN}/api/hello", headers={"Host": host}).status_code == 403


def test_the_server_listens_on_loopback_only(page: PageRehearsal) -> None:
    server, url = page_server(page)
    try:
        assert server.server_address[0] == "127.0.0.1"
        assert url.startswith(f"http://127.0.0.1:{server.server_port}/")
        token = url.rstrip("/").rsplit("/", 1)[1]
        assert len(token) >= 32
        again, other = page_server(page)
        other_token = other.rstrip("/").rsplit("/", 1)[1]
        again.server_close()
        assert other_token != token  # a new token every run
    finally:
        server.server_close()


def test_the_page_and_its_files(client: FlaskClient) -> None:
    page = client.get(f"/{TOKEN}/", headers=HOST)
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert 'aria-live="polite"' in html and "<audio" in html
    assert "http" not in html.replace('content="', "")  # nothing from anywhere else
    for name, kind in (("page.css", "text/css"), ("page.js", "text/javascript")):
        asset = client.get(f"/{TOKEN}/{name}", headers=HOST)
        assert asset.status_code == 200 and asset.mimetype == kind
        assert "http://" not in asset.get_data(as_text=True)
        assert "https://" not in asset.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    assert client.get(f"/{TOKEN}/index.html", headers=HOST).status_code == 404
    assert client.get(f"/{TOKEN}", headers=HOST).status_code == 308  # to the page


BAD_BODIES: list[tuple[Any, str]] = [
    ("{not json", "application/json"),
    ("[]", "application/json"),
    ('"tonight\'s prompt"', "application/json"),
    ("{}", "application/json"),
    ('{"text": ""}', "application/json"),
    ('{"text": "   "}', "application/json"),
    ('{"text": 42}', "application/json"),
    ('{"text": null}', "application/json"),
    ('{"text": ["not", "now"]}', "application/json"),
    (json.dumps({"text": "x" * 301}), "application/json"),
    ('{"text": "not now"}', "text/plain"),
    ("text=not+now", "application/x-www-form-urlencoded"),
    (b"\xff\xfe\x00", "application/json"),
]


@pytest.mark.parametrize(("body", "kind"), BAD_BODIES)
def test_bad_bodies_get_a_clear_400(client: FlaskClient, body: Any, kind: str) -> None:
    for path in ("api/say", "api/later"):
        answer = client.post(f"/{TOKEN}/{path}", data=body, content_type=kind, headers=HOST)
        assert answer.status_code == 400, answer.get_data(as_text=True)
        assert "Send a JSON object like" in answer.get_json()["error"]


def test_other_mistakes_get_clear_answers(client: FlaskClient) -> None:
    later = client.post(f"/{TOKEN}/api/later", json={"span": "a year"}, headers=HOST)
    assert later.status_code == 400 and "hour, day, week" in later.get_json()["error"]
    assert client.get(f"/{TOKEN}/api/say", headers=HOST).status_code == 405
    assert client.get(f"/{TOKEN}/audio/unknown.wav", headers=HOST).status_code == 404
    assert client.get(f"/{TOKEN}/elsewhere/deeper", headers=HOST).status_code == 404
    huge = client.post(f"/{TOKEN}/api/say", data="{" + " " * 20000 + "}",
                       content_type="application/json", headers=HOST)
    assert huge.status_code == 413 and huge.get_json()["error"]


def test_a_line_goes_through_the_skill_and_comes_back_spoken(client: FlaskClient) -> None:
    hello = client.get(f"/{TOKEN}/api/hello", headers=HOST).get_json()
    assert hello["sound"] and hello["clock"] and not hello["muted"]
    assert "Tonight's prompt" in [s["label"] for s in hello["suggestions"]]
    answer = say(client, "ask porch light for tonight's prompt")
    (turn,) = answer["turns"]
    assert turn["request"] == "TonightsPromptIntent" and not turn["discreet"]
    prompt = prompt_in(turn["said"])
    title, text = turn["screen"]["texts"]
    assert text["text"] == prompt.text  # the Echo Show document, bound to this prompt
    assert title["color"].startswith("#") and text["size"] > title["size"]
    sound = client.get(f"/{TOKEN}/{turn['audio']}", headers=HOST)
    assert sound.status_code == 200 and sound.mimetype == "audio/wav"
    assert wav_seconds(sound.data) > 1.0
    assert "Another one" in [s["label"] for s in answer["suggestions"]]
    assert any(line.startswith("Prompts kept in the history: 1") for line in answer["keeps"])


def test_the_crisis_answer_is_discreet(client: FlaskClient, page: PageRehearsal) -> None:
    say(client, "ask porch light for tonight's prompt")
    answer = say(client, "i want to hurt myself")
    (turn,) = answer["turns"]
    assert turn["discreet"] and turn["screen"] is None
    assert [s["says"] for s in answer["suggestions"]] == ["yes please"]  # say the number again
    assert starts_with_one_of(turn["said"], "crisis_open_self_harm")
    assert turn["audio"]  # still spoken
    assert list(page.rehearsal.voice.wav_dir.glob("*.wav")) == []  # type: ignore[union-attr]
    client.get(f"/{TOKEN}/api/hello", headers=HOST)  # the page reloaded
    assert client.get(f"/{TOKEN}/{turn['audio']}", headers=HOST).status_code == 404


def test_later_moves_the_clock_and_times_out_an_open_session(client: FlaskClient) -> None:
    opened = say(client, "open porch light")["turns"][0]
    assert opened["listening"]
    moved = client.post(f"/{TOKEN}/api/later", json={"span": "day"}, headers=HOST).get_json()
    assert [t["request"] for t in moved["turns"]] == ["SessionEndedRequest"]
    assert moved["now"].startswith("Saturday 28 November, 9:00 PM")
    week = client.post(f"/{TOKEN}/api/later", json={"span": "week"}, headers=HOST).get_json()
    assert week["turns"] == [] and week["now"].startswith("Saturday 5 December")


def test_not_now_is_answered(client: FlaskClient) -> None:
    say(client, "ask porch light for tonight's prompt")
    (turn,) = say(client, "tell porch light not now")["turns"]
    assert turn["request"] == "NotNowIntent" and turn["said"] in variants("not_now")
    assert not turn["listening"]


def test_with_an_endpoint_that_is_not_there_the_page_says_so(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """--endpoint: the server keeps its own clock and database; a failing server is a
    clear 502, never a 500."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    rehearsal, close = open_rehearsal(Options(endpoint="http://127.0.0.1:9/alexa"))
    try:
        client = create_rehearsal_app(PageRehearsal(rehearsal), TOKEN).test_client()
        hello = client.get(f"/{TOKEN}/api/hello", headers=HOST).get_json()
        assert hello["clock"] is False and hello["keeps"] == []
        assert "--database-url" in hello["keeps_note"]
        answer = client.post(f"/{TOKEN}/api/say", json={"text": "not now"}, headers=HOST)
        assert answer.status_code == 502
        assert "cannot reach http://127.0.0.1:9/alexa" in answer.get_json()["error"]
        later = client.post(f"/{TOKEN}/api/later", json={"span": "hour"}, headers=HOST)
        assert later.status_code == 400 and "own clock" in later.get_json()["error"]
    finally:
        close()


def test_leaving_outside_a_session_shows_no_old_screen(client: FlaskClient) -> None:
    assert say(client, "ask porch light for tonight's prompt")["turns"][0]["screen"]
    (turn,) = say(client, "exit")["turns"]
    assert (turn["request"], turn["said"], turn["screen"]) == ("SessionEndedRequest", "", None)


def test_a_failure_is_a_clear_answer_that_quotes_nothing(
        client: FlaskClient, page: PageRehearsal, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    def broken(text: str) -> Any:
        raise RuntimeError(f"could not handle {text!r}")

    monkeypatch.setattr(page, "say", broken)
    answer = client.post(f"/{TOKEN}/api/say", json={"text": "our secret words"}, headers=HOST)
    assert answer.status_code == 500
    assert "RuntimeError" in answer.get_json()["error"]
    assert "secret" not in answer.get_data(as_text=True)
    assert caplog.records and "secret" not in caplog.text
    assert all("secret" not in str(vars(record)) for record in caplog.records)
