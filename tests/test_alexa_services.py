"""The Alexa API host allowlist: a request's token goes only to Alexa's API hosts.

A local stand-in records every call, so "never sent" is checked where it would arrive.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from skill.alexa_services import ALEXA_API_HOSTS, AlexaApiClient, HostNotAllowed
from skill.app import create_app
from skill.conversation.clock import SettableClock
from skill.conversation.state import Household
from skill.storage import HouseholdStore, household_key
from tests.conftest import Alexa, speech
from tests.envelopes import Device
from tests.fake_alexa_api import FakeAlexaApi
from tests.signing import TestAuthority

SCOPE = "alexa::alerts:reminders:skill:readwrite"


def test_production_never_sends_the_token_to_a_stand_in(
    alexa: Alexa, clock: SettableClock, alexa_api: FakeAlexaApi, store: HouseholdStore
) -> None:
    """The default app (no stand-ins): an apiEndpoint that is not Alexa's gets nothing."""
    device = Device(clock, api_endpoint=alexa_api.url, granted=(SCOPE,))
    assert alexa.send(device, device.launch())["response"]["shouldEndSession"] is False
    reminder = alexa.send(device, device.intent("SetReminderIntent", one_shot=True))
    assert "couldn't set the reminder" in speech(reminder)
    assert alexa_api.calls == []
    (zone,) = Household.from_attributes(store.load(household_key(device.user_id))).zones
    assert zone.zone is None  # the locale's zone stands in


@pytest.fixture
def dev_app(app_config: dict[str, Any], clock: SettableClock) -> Iterator[Flask]:
    application = create_app({**app_config, "dev": True, "alexa_api_hosts": "127.0.0.1"},
                             clock=clock)
    yield application
    application.extensions["porchlight.store"].close()


def test_development_mode_allows_the_configured_stand_in(
    dev_app: Flask, authority: TestAuthority, clock: SettableClock, alexa_api: FakeAlexaApi
) -> None:
    alexa = Alexa(dev_app.test_client(), authority)
    device = Device(clock, api_endpoint=alexa_api.url)
    alexa.send(device, device.launch())
    assert alexa_api.paths("GET") == [f"/v2/devices/{device.device_id}/settings/System.timeZone"]


def test_stand_in_hosts_outside_development_mode_are_refused_at_start(
    app_config: dict[str, Any]
) -> None:
    with pytest.raises(ValueError, match="development mode"):
        create_app({**app_config, "alexa_api_hosts": "127.0.0.1"})


def test_the_environment_cannot_open_production_to_a_stand_in(
    app_config: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PORCHLIGHT_ALEXA_API_HOSTS", "evil.example")
    with pytest.raises(ValueError, match="alexa_api_hosts"):
        create_app(app_config)


@pytest.mark.parametrize("url", sorted(f"https://{host}/v2/x" for host in ALEXA_API_HOSTS))
def test_alexas_hosts_over_https_are_allowed(url: str) -> None:
    AlexaApiClient().check_url(url)


@pytest.mark.parametrize("url", [
    "http://api.amazonalexa.com/v2/x",  # not HTTPS
    "https://api.amazonalexa.com.evil.example/v2/x",
    "https://evil.example/v2/x",
    "https://user:pw@api.amazonalexa.com/v2/x",
    "https://127.0.0.1/v2/x",
    "ftp://api.amazonalexa.com/v2/x",
    "api.amazonalexa.com/v2/x",
])
def test_everything_else_is_refused(url: str) -> None:
    with pytest.raises(HostNotAllowed):
        AlexaApiClient().check_url(url)


def test_a_stand_in_is_allowed_only_where_given() -> None:
    AlexaApiClient({"127.0.0.1"}).check_url("http://127.0.0.1:8123/v2/x")
    with pytest.raises(HostNotAllowed):
        AlexaApiClient({"127.0.0.1"}).check_url("ftp://127.0.0.1/v2/x")


def test_no_call_may_wait_longer_than_a_second() -> None:
    with pytest.raises(ValueError, match=r"at most 1\.0 s"):
        AlexaApiClient(timeout=5)


@pytest.fixture
def elsewhere() -> Iterator[FakeAlexaApi]:
    other = FakeAlexaApi()
    other.start()
    yield other
    other.close()


def test_a_redirect_is_never_followed_so_the_token_stays_put(
    dev_app: Flask, authority: TestAuthority, clock: SettableClock, alexa_api: FakeAlexaApi,
    elsewhere: FakeAlexaApi, store: HouseholdStore
) -> None:
    alexa_api.redirect_to = elsewhere.url
    alexa = Alexa(dev_app.test_client(), authority)
    device = Device(clock, api_endpoint=alexa_api.url)
    assert alexa.send(device, device.launch())["response"]["shouldEndSession"] is False
    assert len(alexa_api.paths("GET")) == 1
    assert elsewhere.calls == []
