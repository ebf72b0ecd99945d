"""Real server processes for tests: gunicorn on loopback, in its own process group."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.envelopes import SKILL_ID, dumps
from tests.signing import TestAuthority

ROOT = Path(__file__).resolve().parent.parent
START_SECONDS = 30
REQUEST_SECONDS = 10


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_environment(database_url: str, authority: TestAuthority, **extra: str
                       ) -> dict[str, str]:
    """What a server process needs to trust the test authority and share one database."""
    return {
        "PORCHLIGHT_DATABASE_URL": database_url,
        "PORCHLIGHT_CA_BUNDLE": str(authority.ca_bundle),
        "PORCHLIGHT_CERT_CACHE_DIR": str(authority.cert_cache_dir),
        "PORCHLIGHT_SKILL_ID": SKILL_ID,
        "PORCHLIGHT_LOG_KEY": "test-log-key",
        **extra,
    }


@dataclass
class Server:
    """A gunicorn master and its workers; ``url`` is http://127.0.0.1:PORT."""

    process: subprocess.Popen[bytes]
    url: str
    log: Path

    def stop(self, signal_number: int = signal.SIGTERM) -> None:
        """Signal the whole process group (master and workers) and wait for the master."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal_number)
        self.process.wait(timeout=15)

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=REQUEST_SECONDS) as response:
                return response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            with error:
                return error.code, error.read().decode("utf-8")


def start_gunicorn(name: str, folder: Path, environment: dict[str, str], workers: int = 2,
                   *, bind_host: str = "127.0.0.1", wait: bool = True) -> Server:
    """Start ``gunicorn 'skill.app:create_app()'`` and (``wait``) until /healthz answers 200
    on loopback. ``bind_host`` 0.0.0.0 listens on every address."""
    port = free_port()
    log = folder / f"{name}.log"
    command = [sys.executable, "-m", "gunicorn", "--workers", str(workers),
               "--bind", f"{bind_host}:{port}", "--graceful-timeout", "5", "--timeout", "30",
               "skill.app:create_app()"]
    with log.open("wb") as sink:
        process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **environment},
                                   stdout=sink, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    server = Server(process, f"http://127.0.0.1:{port}", log)
    if not wait:
        return server
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if server.get("/healthz")[0] == 200:
                return server
        except OSError:
            pass
        time.sleep(0.1)
    server.stop(signal.SIGKILL)
    raise AssertionError(f"gunicorn {name} did not start:\n{log.read_text()[-3000:]}")


def post(url: str, authority: TestAuthority, envelope: dict[str, Any]) -> dict[str, Any]:
    """POST a signed envelope to ``url``/alexa; the JSON of a 200 answer (else an error)."""
    body = dumps(envelope)
    request = urllib.request.Request(f"{url}/alexa", data=body, headers=authority.sign(body),
                                     method="POST")
    with urllib.request.urlopen(request, timeout=REQUEST_SECONDS) as response:
        if response.status != 200:
            raise AssertionError(f"HTTP {response.status}")
        payload: dict[str, Any] = json.loads(response.read())
        return payload
