"""In-process handling of a signed request: verification, dispatch, SQLite read and write.

Each sample is one call of the endpoint's handler with a freshly signed envelope for
tonight's prompt (the request reads and writes the household), exactly what the Flask
view does minus the HTTP server.
"""

from __future__ import annotations

import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.stats import percentiles
from skill.app import create_app
from skill.conversation.clock import SettableClock
from tests.envelopes import Device, dumps
from tests.signing import TestAuthority


def run(samples: int = 2000, database_url: str | None = None, *, smoke: bool = False
        ) -> dict[str, Any]:
    """Time the endpoint on a fresh SQLite file, or on ``database_url`` (already upgraded)."""
    if smoke:
        samples = 50
    with tempfile.TemporaryDirectory() as folder:
        now = datetime.now(UTC)
        clock = SettableClock(now)
        authority = TestAuthority(Path(folder), now)
        app = create_app(
            {"database_url": database_url or f"sqlite:///{folder}/bench.sqlite3",
             "ca_bundle": str(authority.ca_bundle),
             "cert_cache_dir": str(authority.cert_cache_dir),
             "allow_any_skill": True},  # the same checks as the figures before issue 12
            clock=clock,
        )
        endpoint = app.extensions["porchlight.endpoint"]
        devices = [Device(clock, user_id=f"amzn1.ask.account.BENCH{i:04d}") for i in range(50)]
        signed = []
        for i in range(samples + 100):
            body = dumps(devices[i % len(devices)].intent("TonightsPromptIntent", one_shot=True))
            signed.append((authority.sign(body), body))
        timings = []
        for index, (headers, body) in enumerate(signed):
            started = time.perf_counter()
            _, status, _ = endpoint(headers, body)
            elapsed = (time.perf_counter() - started) * 1000
            assert status == 200
            if index >= 100:  # the first requests warm the certificate cache and SQLite
                timings.append(elapsed)
        app.extensions["porchlight.store"].close()
    name = "signed_request_in_process" + ("_postgres" if database_url else "")
    return {name: percentiles(timings)}


def run_on_postgres(server_url: str, samples: int = 2000) -> dict[str, Any]:
    """The same, on a fresh schema of the PostgreSQL server at ``server_url``."""
    from skill.storage import open_store
    from tests.postgres import fresh_schema, url_with_schema

    with fresh_schema(server_url) as schema:
        url = url_with_schema(server_url, schema)
        open_store(url, auto_upgrade=True).close()
        return run(samples, url)
