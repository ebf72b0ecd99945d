"""Two devices of one household at once: no acknowledged "not now" is ever lost."""

from __future__ import annotations

import json
import threading
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from skill.conversation.clock import SettableClock
from skill.conversation.state import Household
from skill.storage import HouseholdStore, household_key
from tests.envelopes import Device, dumps
from tests.signing import TestAuthority


@pytest.fixture
def server_url(app: Flask) -> Iterator[str]:
    """The app behind a real threaded HTTP server on loopback."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/alexa"
    server.shutdown()
    thread.join(timeout=5)


def post(url: str, authority: TestAuthority, envelope: dict[str, Any]) -> dict[str, Any]:
    body = dumps(envelope)
    request = urllib.request.Request(url, data=body, headers=authority.sign(body), method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
        payload: dict[str, Any] = json.loads(response.read())
        return payload


def test_concurrent_not_nows_and_prompts_lose_no_withdrawal(
    server_url: str, authority: TestAuthority, clock: SettableClock, store: HouseholdStore
) -> None:
    kitchen, bedroom = Device(clock), Device(clock)
    intents = ["TonightsPromptIntent", "AnotherPromptIntent", "GentlerIntent", "DeeperIntent"]

    def prompt_requests(round_number: int) -> str:
        post(server_url, authority, kitchen.intent(intents[round_number % 4], one_shot=True))
        return "prompt"

    def not_now(_round: int) -> str:
        payload = post(server_url, authority, bedroom.intent("NotNowIntent", one_shot=True))
        assert payload["response"]["shouldEndSession"] is True
        return "withdrawal"

    jobs = [prompt_requests if i % 2 else not_now for i in range(120)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(lambda pair: pair[1](pair[0]), enumerate(jobs)))

    acknowledged = outcomes.count("withdrawal")
    stored = Household.from_attributes(store.load(household_key(kitchen.user_id)))
    assert acknowledged == 60
    assert len(stored.withdrawals) == acknowledged
    assert len({e.event_id for e in stored.events}) == len(stored.events)


def test_concurrent_pauses_are_all_kept(
    server_url: str, authority: TestAuthority, clock: SettableClock, store: HouseholdStore
) -> None:
    devices = [Device(clock) for _ in range(4)]

    def pause(index: int) -> None:
        device = devices[index % 4]
        post(server_url, authority, device.intent("PauseIntent", {"duration": "P1W"},
                                                  one_shot=True))

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(pause, range(40)))
    stored = Household.from_attributes(store.load(household_key(devices[0].user_id)))
    assert sum(1 for e in stored.events if e.kind == "pause") == 40
