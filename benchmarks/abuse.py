"""Abuse by unsigned requests (issue 12): what floods cost in certificate fetches, files,
memory and time, through the real app with a fake S3 on loopback (tests/security).

- ``abuse_fetches_<flood>``: fetches the flood caused (one sample per flood; lower is
  better, 0 or 1 is the goal): 30 stale requests naming a new URL, 30 for another skill,
  30 naming a missing chain, 600 query/fragment variants of the real URL; and the
  growth of memory (``abuse_rss_growth_floods``, MiB) over them.
- ``abuse_cache_files_after_floods``: files in the certificate folder afterwards.
- ``abuse_fetches_distinct_urls`` and ``abuse_rss_growth_distinct_urls``: N requests each
  naming a different (well-formed, missing) URL: each costs one fetch (nothing cheaper can
  tell it from Alexa's next certificate), and memory stays bounded (MiB of RSS growth).
- ``abuse_answer_while_fetch_hangs``: time to answer a request with a known chain while
  another URL's fetch hangs (ms), and ``abuse_new_url_answer_while_fetch_hangs`` for a
  request whose chain must be fetched too; ``abuse_dripping_fetch_answer``: time to answer the
  request whose upstream sends a byte every 0.1 s (bounded by the 2 s fetch deadline).
"""

from __future__ import annotations

import logging
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from flask import Flask

from benchmarks.stats import Figure, figure, percentiles
from skill.app import create_app
from skill.conversation.clock import SettableClock
from tests.envelopes import Device, dumps
from tests.security.fake_s3 import FakeS3
from tests.signing import CERT_URL, TestAuthority, pem

S3 = "https://s3.amazonaws.com"


def rss_mib() -> float:
    """This process's resident memory (Linux /proc), in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def run(smoke: bool = False) -> dict[str, Figure]:
    distinct = 50 if smoke else 2000
    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory(prefix="porchlight-abuse-") as name:
        folder = Path(name)
        authority = TestAuthority(folder, now - timedelta(days=1))
        s3 = FakeS3(folder, now)
        s3.chains["/echo.api/echo-api-cert-porchlight-test.pem"] = pem(authority.leaf,
                                                                     authority.intermediate)
        clock = SettableClock(now)
        app = app_with_fake_s3({"database_url": f"sqlite:///{folder}/abuse.sqlite3",
                                "skill_id": Device(clock).skill_id,
                                "ca_bundle": str(authority.ca_bundle),
                                "cert_cache_dir": str(folder / "certs")}, clock, s3)
        client = app.test_client()

        def send(envelope: dict[str, Any], url: str) -> int:
            body = dumps(envelope)
            return int(client.post("/alexa", data=body,
                                   headers=authority.sign(body, url=url)).status_code)

        quiet = logging.getLogger("skill.cert_cache")
        level, quiet.level = quiet.level, logging.ERROR  # one warning per failed fetch
        try:
            figures = floods(send, s3, clock, folder / "certs", distinct)
            figures.update(hangs(send, s3, clock))
        finally:
            quiet.setLevel(level)
            s3.close()
            app.extensions["porchlight.store"].close()
    return figures


def app_with_fake_s3(config: dict[str, Any], clock: SettableClock, s3: FakeS3) -> Flask:
    """The app whose certificate fetcher reaches ``s3`` (one place, so the same floods can
    be pointed at an older version of the app for its figures)."""
    return create_app(config, clock=clock, cert_fetch=s3.fetcher())


def floods(send: Callable[[dict[str, Any], str], int], s3: FakeS3, clock: SettableClock,
           certs: Path, distinct: int) -> dict[str, Figure]:
    device = Device(clock)
    stale = device.launch()
    clock.advance(timedelta(minutes=10))
    stranger = Device(clock, skill_id="amzn1.ask.skill.someone-else")
    cases: dict[str, Callable[[int], int]] = {
        "stale_timestamp_x30": lambda n: send(stale, f"{S3}/echo.api/new.pem"),
        "other_skill_x30": lambda n: send(stranger.launch(), f"{S3}/echo.api/new.pem"),
        "missing_chain_x30": lambda n: send(device.launch(), f"{S3}/echo.api/missing.pem"),
        "query_fragment_x600": lambda n: send(device.launch(),
                                              CERT_URL + ("?v=" if n % 2 else "#") + str(n)),
    }
    figures: dict[str, Figure] = {}
    memory = rss_mib()
    for name, one in cases.items():
        before = s3.fetches()
        for n in range(600 if "x600" in name else 30):
            one(n)
        figures[f"abuse_fetches_{name}"] = figure([s3.fetches() - before], "fetches")
    figures["abuse_rss_growth_floods"] = figure([rss_mib() - memory], "MiB")
    figures["abuse_cache_files_after_floods"] = figure(
        [len(list(certs.iterdir())) if certs.exists() else 0], "files")
    before, memory = s3.fetches(), rss_mib()
    for n in range(distinct):
        send(device.launch(), f"{S3}/echo.api/distinct-{n}.pem")
    figures["abuse_fetches_distinct_urls"] = figure([s3.fetches() - before], "fetches",
                                                    requests=distinct)
    figures["abuse_rss_growth_distinct_urls"] = figure([rss_mib() - memory], "MiB",
                                                       requests=distinct)
    return figures


def hangs(send: Callable[[dict[str, Any], str], int], s3: FakeS3, clock: SettableClock
          ) -> dict[str, Figure]:
    device = Device(clock)
    send(device.launch(), CERT_URL)  # the real chain is known
    s3.hangs.add("/echo.api/hangs.pem")
    hung = threading.Thread(target=send, args=(device.launch(), f"{S3}/echo.api/hangs.pem"))
    hung.start()
    time.sleep(0.2)
    answered = []
    for _ in range(20):
        started = time.perf_counter()
        send(device.launch(), CERT_URL)
        answered.append((time.perf_counter() - started) * 1000)
    s3.chains["/echo.api/second.pem"] = s3.chains["/echo.api/echo-api-cert-porchlight-test.pem"]
    started = time.perf_counter()
    send(device.launch(), f"{S3}/echo.api/second.pem")
    other_ms = (time.perf_counter() - started) * 1000
    s3.released.set()
    hung.join(timeout=30)
    s3.drips.add("/echo.api/drip.pem")
    started = time.perf_counter()
    send(device.launch(), f"{S3}/echo.api/drip.pem")
    drip_ms = (time.perf_counter() - started) * 1000
    return {"abuse_answer_while_fetch_hangs": percentiles(answered),
            "abuse_new_url_answer_while_fetch_hangs": percentiles([other_ms]),
            "abuse_dripping_fetch_answer": percentiles([drip_ms])}
