"""The rehearsal's stand-in for Alexa's Settings and Reminders APIs, with knobs for tests."""

from __future__ import annotations

import time
from typing import Any

from local_tts.rehearsal.alexa_stand_in import AlexaStandIn, Call

__all__ = ["Call", "FakeAlexaApi"]


class FakeAlexaApi(AlexaStandIn):
    """Records every call; tests set the answers: statuses, a missing zone, a slow answer."""

    def __init__(self, timezone: str | None = "America/Chicago") -> None:
        super().__init__(timezone)
        self.reminder_status = 201
        self.delete_status = 200
        self.update_status = 200
        self.timezone_status = 200
        self.delay_seconds = 0.0

    def answer(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        if self.delay_seconds:
            time.sleep(self.delay_seconds)
        if method == "GET" and path.endswith("/settings/System.timeZone"):
            if self.timezone_status != 200 or not self.timezone:
                return 403, {"code": "FORBIDDEN"}
            return 200, self.timezone
        if method == "POST" and path == "/v1/alerts/reminders":
            if self.reminder_status == 201:
                return 201, {"alertToken": "reminder-token-1", "status": "ON"}
            return self.reminder_status, {"code": "ERROR"}
        if method == "PUT" and path.startswith("/v1/alerts/reminders/"):
            return self.update_status, {"alertToken": path.rsplit("/", 1)[1]}
        if method == "DELETE" and path.startswith("/v1/alerts/reminders/"):
            return self.delete_status, None
        return 404, {"code": "NOT_FOUND"}
