"""The request's log line, written straight to the JSON handler: exactly its fields, the same
line the logging module would write, and any other logging set-up still respected."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from skill import logs
from tests.conftest import Alexa, log_entries
from tests.envelopes import Device

LINE_FIELDS = {"time", "level", "logger", "message", "request_id", "request_type", "intent",
               "locale", "user", "outcome", "status", "latency_ms"}
FIELDS = {"request_id": "amzn1.echo-api.request.1", "request_type": "IntentRequest",
          "intent": "PauseIntent", "locale": "en-US", "user": "0123456789abcdef",
          "outcome": "ok", "status": 200, "latency_ms": 1.5}


@contextmanager
def production_logging() -> Iterator[None]:
    """Logging as in production: pytest hangs its capture handlers on every logger that does
    not propagate when a test starts, so they come off inside the test (and go back)."""
    logs.configure_logging()
    root = logging.getLogger("porchlight")
    others = [h for h in root.handlers if not getattr(h, "porchlight", False)]
    for handler in others:
        root.removeHandler(handler)
    try:
        yield
    finally:
        for handler in others:
            root.addHandler(handler)


def test_a_request_line_has_exactly_its_fields_and_nothing_said(
    alexa: Alexa, device: Device, capsys: pytest.CaptureFixture[str]
) -> None:
    with production_logging():
        assert logs._sole_handler() is not None  # the direct write, as in production
        alexa.send(device, device.intent("PauseIntent", {"duration": "P2W"}, one_shot=True))
    logged = capsys.readouterr().err
    [line] = log_entries(logged, logs.REQUEST_LOGGER)
    assert set(line) == LINE_FIELDS
    assert (line["level"], line["message"], line["intent"], line["outcome"]) == (
        "info", "alexa request", "PauseIntent", "ok")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}", line["time"])
    assert re.fullmatch(r"[0-9a-f]{16}", line["user"])
    assert device.user_id not in logged and "P2W" not in logged


def written(capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    [line] = log_entries(capsys.readouterr().err, logs.REQUEST_LOGGER)
    return line


def test_the_direct_line_is_the_logging_modules_line(
    capsys: pytest.CaptureFixture[str]
) -> None:
    with production_logging():
        assert logs._sole_handler() is not None
        logs.log_request(dict(FIELDS))
        direct = written(capsys)
        logging.getLogger(logs.REQUEST_LOGGER).info(logs.REQUEST_MESSAGE, extra=dict(FIELDS))
        through_logging = written(capsys)
    assert list(direct) == list(through_logging)
    assert {**direct, "time": ""} == {**through_logging, "time": ""}


def test_a_raised_level_silences_the_line(capsys: pytest.CaptureFixture[str]) -> None:
    logger = logging.getLogger(logs.REQUEST_LOGGER)
    logger.setLevel(logging.WARNING)
    try:
        with production_logging():
            logs.log_request(dict(FIELDS))
    finally:
        logger.setLevel(logging.NOTSET)
    assert log_entries(capsys.readouterr().err, logs.REQUEST_LOGGER) == []


class Keep(logging.Filter):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def filter(self, record: logging.LogRecord) -> bool:
        self.records.append(record)
        return True


def test_another_set_up_gets_the_logging_modules_path(
    capsys: pytest.CaptureFixture[str]
) -> None:
    logger, keep = logging.getLogger(logs.REQUEST_LOGGER), Keep()
    logger.addFilter(keep)
    try:
        with production_logging():
            assert logs._sole_handler() is None
            logs.log_request(dict(FIELDS))
    finally:
        logger.removeFilter(keep)
    [record] = keep.records
    assert record.getMessage() == logs.REQUEST_MESSAGE
    assert record.__dict__["intent"] == "PauseIntent"
    assert written(capsys)["intent"] == "PauseIntent"
