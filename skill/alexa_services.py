"""Alexa's service APIs (Settings, Reminders) through the ASK SDK's own typed service clients.

The SDK models the requests and answers; ``AlexaApiClient`` is the one piece of HTTP
underneath, and it keeps two promises the SDK's default client does not:

- the request's ``apiAccessToken`` goes only to Alexa's API hosts, over HTTPS (extra hosts
  for local stand-ins are allowed in development mode and rehearsal only), and never
  follows a redirect;
- every call gives up after at most one second, so a slow API never holds up an answer.

Any failure is one ``AlexaApiError``, so the conversation can carry on and say so plainly.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from ask_sdk_core.exceptions import AskSdkException
from ask_sdk_model.services import ServiceException
from ask_sdk_model.services.api_client import ApiClient
from ask_sdk_model.services.api_client_request import ApiClientRequest
from ask_sdk_model.services.api_client_response import ApiClientResponse
from ask_sdk_model.services.reminder_management import (
    AlertInfo,
    PushNotification,
    PushNotificationStatus,
    Recurrence,
    ReminderRequest,
    SpokenInfo,
    SpokenText,
    Trigger,
    TriggerType,
)
from ask_sdk_model.services.service_client_factory import ServiceClientFactory

log = logging.getLogger("porchlight.alexa_api")

ALEXA_API_HOSTS = frozenset({"api.amazonalexa.com", "api.eu.amazonalexa.com",
                             "api.fe.amazonalexa.com"})
"""The hosts Alexa names as a request's apiEndpoint: the only ones that see its token."""
TIMEOUT_SECONDS = 1.0
MAX_ANSWER_BYTES = 64 * 1024


_FAILURES = (ServiceException, AskSdkException, ValueError, OSError)
"""What a service client raises: an error answer, an answer its model cannot read (the SDK's
SerializationException), or no answer at all."""


class AlexaApiError(Exception):
    """An Alexa API call failed; ``status`` is the HTTP status, or None when not answered."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status

    @property
    def needs_permission(self) -> bool:
        return self.status in (401, 403)


class HostNotAllowed(ValueError):
    """The apiEndpoint is not an Alexa API host: the token is not sent there."""


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect would carry the Authorization header to wherever it points: refuse it."""

    def redirect_request(self, *_args: Any, **_kwargs: Any) -> None:
        return None


def parse_hosts(text: str | None) -> frozenset[str]:
    """ "127.0.0.1, localhost" as a set of lower-case host names (ports are not part of it)."""
    return frozenset(part.strip().lower() for part in (text or "").split(",") if part.strip())


class AlexaApiClient(ApiClient):  # type: ignore[misc]
    """The ``ApiClient`` under the SDK's service clients: allowlisted hosts, one-second limit."""

    def __init__(self, stand_ins: Iterable[str] = (), timeout: float = TIMEOUT_SECONDS) -> None:
        if not 0 < timeout <= TIMEOUT_SECONDS:
            raise ValueError(f"an Alexa API call may wait at most {TIMEOUT_SECONDS} s")
        self.stand_ins = frozenset(host.lower() for host in stand_ins)
        """Hosts of local stand-ins (rehearsal, development); plain HTTP allowed for them."""
        self.timeout = timeout
        self._opener = urllib.request.build_opener(_NoRedirects)

    def check_url(self, url: str) -> None:
        """Raise ``HostNotAllowed`` unless ``url`` is an Alexa API host over HTTPS (or a
        stand-in this client was given)."""
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if host in self.stand_ins and parts.scheme in ("http", "https"):
            return
        if parts.scheme != "https" or host not in ALEXA_API_HOSTS or parts.username:
            raise HostNotAllowed("the apiEndpoint is not an Alexa API host over HTTPS")

    def invoke(self, request: ApiClientRequest) -> ApiClientResponse:
        """Send one request; any HTTP status comes back as an answer, for the SDK to read."""
        self.check_url(str(request.url))
        body = request.body
        data = body.encode("utf-8") if isinstance(body, str) else (
            None if body is None else _json_bytes(body))
        outgoing = urllib.request.Request(str(request.url), data=data,
                                          method=str(request.method),
                                          headers=dict(request.headers or ()))
        try:
            with self._opener.open(outgoing, timeout=self.timeout) as answer:
                return _answer(answer.status, answer.headers.items(), answer.read(
                    MAX_ANSWER_BYTES))
        except urllib.error.HTTPError as error:
            with error:
                return _answer(error.code, error.headers.items(), error.read(MAX_ANSWER_BYTES))


def _json_bytes(body: Any) -> bytes:
    return json.dumps(body, separators=(",", ":")).encode("utf-8")


def _answer(status: int, headers: Iterable[tuple[str, str]], raw: bytes) -> ApiClientResponse:
    return ApiClientResponse(headers=list(headers), body=raw.decode("utf-8", "replace"),
                             status_code=status)


def _failure(action: str, error: Exception) -> AlexaApiError:
    """One error type for the conversation; the status where the API answered."""
    status = getattr(error, "status_code", None)
    if not isinstance(status, int) or (status == 500 and "Call to service failed" in str(error)):
        status = None  # the SDK's code for "no answer at all"
    return AlexaApiError(f"{action} failed ({status or type(error).__name__})", status)


@dataclass(frozen=True)
class AlexaServices:
    """One request's Alexa APIs, through the SDK's service clients."""

    factory: ServiceClientFactory

    def device_time_zone(self, device_id: str) -> str | None:
        """The device's IANA time zone from the Settings API; None when it has none."""
        try:
            zone = self.factory.get_ups_service().get_system_time_zone(device_id)
        except _FAILURES as error:
            raise _failure("time zone lookup", error) from None
        return zone if isinstance(zone, str) and zone else None

    def create_reminder(self, body: ReminderRequest) -> str:
        """Create a reminder; returns its alertToken."""
        try:
            answer = self.factory.get_reminder_management_service().create_reminder(body)
        except _FAILURES as error:
            raise _failure("creating the reminder", error) from None
        token = getattr(answer, "alert_token", None)
        if not isinstance(token, str) or not token:
            raise AlexaApiError("the Reminders API returned no alertToken")
        return token

    def update_reminder(self, token: str, body: ReminderRequest) -> None:
        try:
            self.factory.get_reminder_management_service().update_reminder(token, body)
        except _FAILURES as error:
            raise _failure("changing the reminder", error) from None

    def delete_reminder(self, token: str) -> None:
        """Delete a reminder; one that is already gone counts as deleted."""
        try:
            self.factory.get_reminder_management_service().delete_reminder(token)
        except _FAILURES as error:
            failure = _failure("deleting the reminder", error)
            if failure.status != 404:
                raise failure from None


def reminder_model(body: dict[str, Any]) -> ReminderRequest:
    """The SDK's ReminderRequest for the body ``skill.conversation.reminders`` composes."""
    trigger, recurrence = body["trigger"], body["trigger"]["recurrence"]
    content = body["alertInfo"]["spokenInfo"]["content"]
    return ReminderRequest(
        request_time=datetime.fromisoformat(body["requestTime"]),
        trigger=Trigger(
            object_type=TriggerType(trigger["type"]), time_zone_id=trigger["timeZoneId"],
            recurrence=Recurrence(
                start_date_time=datetime.fromisoformat(recurrence["startDateTime"]),
                recurrence_rules=list(recurrence["recurrenceRules"]))),
        alert_info=AlertInfo(spoken_info=SpokenInfo(content=[
            SpokenText(locale=item["locale"], text=item["text"]) for item in content])),
        push_notification=PushNotification(
            status=PushNotificationStatus(body["pushNotification"]["status"])),
    )
