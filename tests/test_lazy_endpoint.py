"""Starting a server builds no skill: ``create_app()`` imports no ASK SDK, handler or
verifier and reads no trusted roots; the first POST /alexa builds them, once
(``skill.web.LazyEndpoint``), and start-up still refuses a configuration it cannot serve."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from skill.app import create_app
from skill.web import LazyEndpoint
from tests.conftest import Alexa
from tests.envelopes import Device

DEFERRED = ("ask_sdk_core", "ask_sdk_model", "ask_sdk_webservice_support", "cryptography",
            "skill.builder", "skill.handlers", "skill.verify", "skill.content",
            "skill.alexa_endpoint", "numpy")
PROBE = """
import json, sys
from skill.app import create_app
create_app({"database_url": sys.argv[1], "skill_id": "amzn1.ask.skill.probe"})
print(json.dumps(sorted(sys.modules)))
"""
STORE_BASE = {"ask_sdk_core", "ask_sdk_core.attributes_manager", "ask_sdk_core.exceptions"}
"""The store implements the SDK's persistence adapter: that small base comes with it."""


def test_start_up_imports_no_sdk_handler_or_verifier(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", PROBE, f"sqlite:///{tmp_path}/probe.sqlite3"],
                          capture_output=True, text=True, timeout=60, check=True)
    loaded = set(json.loads(done.stdout.splitlines()[-1]))
    early = sorted(m for m in loaded - STORE_BASE
                   if any(m == d or m.startswith(d + ".") for d in DEFERRED))
    assert early == []


def test_the_first_request_builds_the_endpoint_and_later_ones_reuse_it(
        app: Flask, alexa: Alexa, device: Device) -> None:
    lazy: LazyEndpoint = app.extensions["porchlight.endpoint"]
    assert lazy._built is None
    assert alexa.post(device.launch()).status_code == 200
    built = lazy._built
    assert built is not None
    assert alexa.post(device.intent("TonightsPromptIntent")).status_code == 200
    assert lazy._built is built and lazy.ready() is built


def test_threads_asking_at_once_share_one_build() -> None:
    builds: list[object] = []
    gate = threading.Barrier(8)

    def build() -> Any:
        builds.append(object())
        return builds[-1]

    lazy = LazyEndpoint(build)
    seen: list[object] = []

    def ask() -> None:
        gate.wait()
        seen.append(lazy.ready())

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(builds) == 1 and seen == builds * 8


def test_a_build_that_fails_is_tried_again_by_the_next_request() -> None:
    attempts: list[int] = []

    def build() -> Any:
        attempts.append(1)
        if len(attempts) == 1:
            raise OSError("database not reachable yet")
        return "endpoint"

    lazy = LazyEndpoint(build)
    with pytest.raises(OSError):
        lazy.ready()
    assert lazy.ready() == "endpoint" and len(attempts) == 2


def test_a_failed_build_answers_the_calm_apology_not_a_500(
        app: Flask, alexa: Alexa, device: Device, monkeypatch: pytest.MonkeyPatch) -> None:
    lazy: LazyEndpoint = app.extensions["porchlight.endpoint"]

    def broken() -> Any:
        raise RuntimeError("cannot build")

    monkeypatch.setattr(lazy, "_build", broken)
    response = alexa.post(device.launch())
    assert response.status_code == 200
    assert response.get_json()["response"]["shouldEndSession"] is True


def test_unreadable_trusted_roots_stop_the_start_not_the_first_request(
        app_config: dict[str, Any], tmp_path: Path) -> None:
    missing = tmp_path / "no-such-roots.pem"
    with pytest.raises(ValueError, match="cannot read trusted roots"):
        create_app({**app_config, "ca_bundle": str(missing)})
