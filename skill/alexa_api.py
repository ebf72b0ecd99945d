"""Calls to Alexa's service APIs (Reminders, Settings) at the request's apiEndpoint.

Every call has a timeout of at most two seconds; any failure is one ``AlexaApiError``
so the conversation can carry on and say so plainly.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

log = logging.getLogger("porchlight.alexa_api")

TIMEOUT_SECONDS = 2.0
REMINDERS_PATH = "/v1/alerts/reminders"


class AlexaApiError(Exception):
    """An Alexa API call failed; ``status`` is the HTTP status, or None when unreachable."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status

    @property
    def needs_permission(self) -> bool:
        return self.status in (401, 403)


@dataclass(frozen=True)
class AlexaApi:
    """One request's view of the Alexa APIs: its endpoint and access token."""

    endpoint: str
    token: str
    timeout: float = TIMEOUT_SECONDS

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode("utf-8") if body is not None else None
        request = urllib.request.Request(
            self.endpoint.rstrip("/") + path, data=data, method=method,
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json",
                     "Accept": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as error:
            error.close()
            raise AlexaApiError(f"{method} {path.split('/')[2]} answered {error.code}",
                                error.code) from None
        except (OSError, ValueError) as error:
            raise AlexaApiError(f"{method} could not reach the Alexa API: {type(error).__name__}"
                                ) from None
        try:
            return json.loads(raw) if raw else None
        except ValueError:
            raise AlexaApiError("the Alexa API answered something that is not JSON") from None

    def device_timezone(self, device_id: str) -> str | None:
        """The device's IANA time zone from the Settings API."""
        path = f"/v2/devices/{quote(device_id, safe='')}/settings/System.timeZone"
        zone = self._call("GET", path)
        return zone if isinstance(zone, str) and zone else None

    def create_reminder(self, body: dict[str, Any]) -> str:
        """Create a reminder; returns its alertToken."""
        answer = self._call("POST", REMINDERS_PATH, body)
        token = answer.get("alertToken") if isinstance(answer, dict) else None
        if not isinstance(token, str) or not token:
            raise AlexaApiError("the Reminders API returned no alertToken")
        return token

    def update_reminder(self, token: str, body: dict[str, Any]) -> None:
        self._call("PUT", f"{REMINDERS_PATH}/{quote(token, safe='')}", body)

    def delete_reminder(self, token: str) -> None:
        """Delete a reminder; one that is already gone counts as deleted."""
        try:
            self._call("DELETE", f"{REMINDERS_PATH}/{quote(token, safe='')}")
        except AlexaApiError as error:
            if error.status != 404:
                raise
