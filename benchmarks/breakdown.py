"""Per-request cost in process, by stage, so the next optimisation is obvious.

Real signed TonightsPromptIntent requests go through ``app.wsgi_app`` (the route in front
of Flask, ``skill.web.AlexaRoute``) with a WSGI environ like gunicorn's. Each stage is
timed with perf_counter (one thread, nothing to wait for: document-only saves do not
fsync) by thin wrappers around the objects the app uses: envelope parsing (the
serializer), each verifier (warm: the chain was validated by earlier requests), the
household read and write (the store), skill dispatch (invoke minus the store), response
serialisation, and the rest of the view (the endpoint's own checks, the log line, written
to /dev/null, and the WSGI route). The SDK's stock parsing of the same bodies is timed
too, for the ratio.
Stage times are as the request meets them, with caches cooled by the rest of the request:
a stage timed alone in a loop (benchmarks/verification.py) runs two to three times faster.
"""

from __future__ import annotations

import io
import logging
import os
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from benchmarks.stats import Figure, figure, ratio
from benchmarks.traffic import Signed, Traffic

STAGES = ("envelope_parsing", "verification", "dispatch", "state_read", "state_write",
          "serialisation", "view_and_logging")


class StageClock:
    """Time per stage for the current request, in microseconds."""

    def __init__(self) -> None:
        self.current: dict[str, float] = defaultdict(float)

    def wrap(self, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        """``function``, adding its time to stage ``name`` (about 0.3 µs of overhead)."""
        current = self.current

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter_ns()
            try:
                return function(*args, **kwargs)
            finally:
                current[name] += (time.perf_counter_ns() - started) / 1000

        return timed


def instrument(app: Any, clock: StageClock) -> None:
    """Wrap the app's serializer, verifiers, store and skill with the stage clock."""
    endpoint = app.extensions["porchlight.endpoint"].ready()
    skill = endpoint.skill
    store = app.extensions["porchlight.store"]
    serializer = skill.serializer
    serializer.deserialize = clock.wrap("envelope_parsing", serializer.deserialize)
    serializer.serialize = clock.wrap("serialisation", serializer.serialize)
    for verifier in endpoint.handler._verifiers:
        verifier.verify = clock.wrap("verification", verifier.verify)
    store.load = clock.wrap("state_read", store.load)
    store.save = clock.wrap("state_write", store.save)
    skill.invoke = clock.wrap("invoke", skill.invoke)


def environ(headers: dict[str, str], body: bytes) -> dict[str, Any]:
    """The WSGI environ gunicorn builds for this request (gunicorn ends the input stream
    itself, so it says ``wsgi.input_terminated``: the body is read without a wrapper)."""
    env: dict[str, Any] = {
        "REQUEST_METHOD": "POST", "PATH_INFO": "/alexa", "SCRIPT_NAME": "", "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1", "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr, "wsgi.version": (1, 0), "wsgi.multithread": False,
        "wsgi.multiprocess": True, "wsgi.run_once": False, "wsgi.input_terminated": True,
        "CONTENT_LENGTH": str(len(body)),
        "CONTENT_TYPE": headers.get("Content-Type", "application/json"),
    }
    for name, value in headers.items():
        if name != "Content-Type":
            env["HTTP_" + name.upper().replace("-", "_")] = value
    return env


def serve(app: Any, request: Signed) -> None:
    statuses: list[str] = []
    chunks = app.wsgi_app(environ(*request), lambda status, headers, *_: statuses.append(status))
    b"".join(chunks)
    if not statuses or not statuses[0].startswith("200"):
        raise RuntimeError(f"the endpoint answered {statuses}")


def run(smoke: bool = False) -> dict[str, Figure]:
    from skill.app import create_app

    warmup, count = (20, 50) if smoke else (300, 3000)
    with tempfile.TemporaryDirectory(prefix="porchlight-bench-") as name:
        traffic = Traffic(Path(name))
        app = create_app(traffic.settings(f"sqlite:///{name}/bench.sqlite3"))
        signed = traffic.tonights_prompts(warmup + count)
        for request in signed[:warmup]:
            serve(app, request)
        clock = StageClock()
        instrument(app, clock)
        with request_log_lines():
            samples = timed_requests(app, clock, signed[warmup:])
        stock = stock_parsing([body for _, body in signed[warmup:]])
        app.extensions["porchlight.store"].close()
    found = {f"cpu_{stage}": figure(samples[stage], "us") for stage in (*STAGES, "total")}
    found["cpu_envelope_parsing_stock_sdk"] = figure(stock, "us")
    found["cpu_envelope_parsing_ratio_ours_to_stock"] = ratio(samples["envelope_parsing"], stock)
    return found


@contextmanager
def request_log_lines() -> Iterator[None]:
    """Each request writes its log line, as in production, to /dev/null instead of stderr."""
    logger = logging.getLogger("porchlight")
    level, stderr = logger.level, sys.stderr
    with open(os.devnull, "w") as devnull:
        logger.setLevel(logging.INFO)
        sys.stderr = devnull
        try:
            yield
        finally:
            logger.setLevel(level)
            sys.stderr = stderr


def timed_requests(app: Any, clock: StageClock, signed: list[Signed]) -> dict[str, list[float]]:
    samples: dict[str, list[float]] = defaultdict(list)
    for request in signed:
        clock.current.clear()
        started = time.perf_counter_ns()
        serve(app, request)
        spent = clock.current
        spent["total"] = (time.perf_counter_ns() - started) / 1000
        spent["dispatch"] = spent["invoke"] - spent["state_read"] - spent["state_write"]
        inner = sum(spent[s] for s in STAGES if s != "view_and_logging")
        spent["view_and_logging"] = spent["total"] - inner
        for stage in (*STAGES, "total"):
            samples[stage].append(spent[stage])
    return samples


def stock_parsing(bodies: list[bytes]) -> list[float]:
    """Time the SDK's DefaultSerializer takes to read each body, as the stock stack does."""
    from ask_sdk_core.serialize import DefaultSerializer
    from ask_sdk_model import RequestEnvelope

    serializer = DefaultSerializer()
    samples = []
    for body in bodies:
        text = body.decode("utf-8")
        started = time.perf_counter_ns()
        serializer.deserialize(text, RequestEnvelope)
        samples.append((time.perf_counter_ns() - started) / 1000)
    return samples
