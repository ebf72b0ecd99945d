"""Private, structured logs: one JSON line per request; never slot values, text or raw ids."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import sys
from contextvars import ContextVar
from typing import Any

from skill import jsonio

REQUEST_LOGGER = "porchlight.request"

# Outcomes a handler can report for the request's log line and metrics.
STORE_UNAVAILABLE = "store_unavailable"
WITHDRAWAL_NOT_SAVED = "withdrawal_not_saved"
HANDLER_ERROR = "error"
STORE_FAILURES = frozenset({STORE_UNAVAILABLE, WITHDRAWAL_NOT_SAVED})

_outcome: ContextVar[str | None] = ContextVar("porchlight_outcome", default=None)
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """A log record as one JSON object: time, level, logger, message and its ``extra`` fields.

    The time text is made once a second; orjson writes the line.
    """

    def __init__(self) -> None:
        super().__init__()
        self._time: tuple[int, str] = (-1, "")  # one attribute: threads swap it whole

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self._time_of(record),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        return jsonio.dumps(entry, str).decode()

    def _time_of(self, record: logging.LogRecord) -> str:
        second, text = self._time
        if int(record.created) != second:
            text = self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z")
            self._time = (int(record.created), text)
        return text


class UserHasher:
    """A keyed hash of Alexa user ids, so logs can group a household's requests privately."""

    def __init__(self, key: str | None) -> None:
        self._key = (key or secrets.token_hex(32)).encode("utf-8")

    def __call__(self, user_id: str | None) -> str | None:
        if not user_id:
            return None
        return hmac.new(self._key, user_id.encode("utf-8"), hashlib.sha256).hexdigest()[:16]


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is at the time (test captures included)."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


def configure_logging(level: int = logging.INFO) -> None:
    """Send porchlight.* logs to stderr as JSON lines (once per process)."""
    root = logging.getLogger("porchlight")
    if any(getattr(h, "porchlight", False) for h in root.handlers):
        return
    handler = _StderrHandler()
    handler.setFormatter(JsonFormatter())
    handler.porchlight = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    root.propagate = False


def begin_request() -> None:
    """Start a request's notes (the endpoint calls this before dispatching)."""
    _outcome.set(None)


def note_outcome(outcome: str) -> None:
    """Let the request's log line say how it went when that is not plain "ok"."""
    _outcome.set(outcome)


def noted_outcome() -> str | None:
    """What a handler noted about the current request, if anything."""
    return _outcome.get()
