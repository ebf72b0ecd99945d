"""Private, structured logs: one JSON line per request; never slot values, text or raw ids."""

from __future__ import annotations

import hmac
import logging
import secrets
import sys
import time
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
    """A log record as one JSON object: time, level, logger, message and its ``extra`` fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": time_text(record.created),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        return jsonio.dumps(entry, str).decode()


_time: tuple[int, str] = (-1, "")  # one name: threads swap the pair whole


def time_text(created: float) -> str:
    """A log line's local time to the second (made once a second: every request needs it)."""
    global _time
    second, text = _time
    if int(created) != second:
        text = time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(created))
        _time = (int(created), text)
    return text


REQUEST_MESSAGE = "alexa request"
_request_logger = logging.getLogger(REQUEST_LOGGER)


def log_request(fields: dict[str, Any]) -> None:
    """Write the request's one log line: ``_request_logger.info(REQUEST_MESSAGE, extra=fields)``.

    Every request writes it, so while logging is as ``configure_logging`` set it up the same
    line goes straight to the JSON handler's stream, without the LogRecord, the caller
    lookup and the handler walk (about a tenth of a request's own work). Any other set-up
    (another handler or filter, a level, propagation) gets the logging module's own path.
    """
    if not _request_logger.isEnabledFor(logging.INFO):
        return
    handler = _sole_handler()
    if handler is None:
        _request_logger.info(REQUEST_MESSAGE, extra=fields)
        return
    entry = {"time": time_text(time.time()), "level": "info", "logger": REQUEST_LOGGER,
             "message": REQUEST_MESSAGE, **fields}
    line = jsonio.dumps(entry, str).decode() + "\n"
    with handler.lock:  # type: ignore[union-attr]
        stream = handler.stream
        stream.write(line)
        stream.flush()


def _sole_handler() -> _StderrHandler | None:
    """The JSON handler, when it is the only place the request line would go."""
    logger, parent = _request_logger, _request_logger.parent
    if (logger.handlers or logger.filters or not logger.propagate or parent is None
            or parent.name != "porchlight" or parent.propagate or parent.filters
            or len(parent.handlers) != 1):
        return None
    handler = parent.handlers[0]
    if (not isinstance(handler, _StderrHandler) or handler.filters
            or handler.level > logging.INFO or type(handler.formatter) is not JsonFormatter):
        return None
    return handler


class UserHasher:
    """A keyed hash of Alexa user ids, so logs can group a household's requests privately."""

    def __init__(self, key: str | None) -> None:
        self._key = (key or secrets.token_hex(32)).encode("utf-8")

    def __call__(self, user_id: str | None) -> str | None:
        if not user_id:
            return None
        return hmac.digest(self._key, user_id.encode("utf-8"), "sha256").hex()[:16]


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
