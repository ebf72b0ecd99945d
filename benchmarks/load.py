"""Load generation on loopback: wrk (C, light on CPU) at a fixed concurrency for a fixed time.

Every run is bounded in time and sends to 127.0.0.1 only. wrk's own CPU time is measured
(it is a child process: ``RUSAGE_CHILDREN``), and so is the server's and the whole
machine's, so a run says how much of the two cores went to the load generator and how
much to anything else. Without wrk (a smoke run on a machine that cannot install it) a
small threaded Python client stands in and says so.
"""

from __future__ import annotations

import json
import resource
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.servers import Server, machine_busy_seconds
from benchmarks.stats import figure
from benchmarks.traffic import Signed

CONNECTIONS = 8

WRK_SCRIPT = r"""
-- Rotates through prebuilt signed requests; prints one JSON line of results at the end.
local requests = {}
local counter = 0

function init(args)
  for index, r in ipairs(dofile(args[1])) do
    requests[index] = wrk.format("POST", "/alexa", r.headers, r.body)
  end
end

function request()
  counter = counter + 1
  return requests[(counter % #requests) + 1]
end

function done(summary, latency, _)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d, ' ..
    '"status": %d, "timeout": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99)))
end
"""


@dataclass(frozen=True)
class LoadResult:
    """One timed run against one server."""

    requests: int
    seconds: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    errors: int
    server_cpu: float
    """CPU seconds the server used during the run."""
    loadgen_cpu: float
    """CPU seconds the load generator used."""
    machine_busy: float
    """CPU seconds the whole machine was busy (both cores)."""

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


def have_wrk() -> bool:
    return shutil.which("wrk") is not None


def _lua_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def write_requests(signed: list[Signed], folder: Path) -> Path:
    """The signed requests as a Lua file wrk's script loads."""
    rows = []
    for headers, body in signed:
        fields = ", ".join(f"[{_lua_string(k)}] = {_lua_string(v)}" for k, v in headers.items())
        rows.append(f"{{headers = {{{fields}}}, body = {_lua_string(body.decode())}}}")
    path = folder / "requests.lua"
    path.write_text("return {\n" + ",\n".join(rows) + "\n}\n")
    (folder / "rotate.lua").write_text(WRK_SCRIPT)
    return path


def run_load(server: Server, signed: list[Signed], folder: Path, seconds: int) -> LoadResult:
    """Load ``server`` with ``signed`` at concurrency 8 for ``seconds``."""
    server_before, busy_before = server.cpu_seconds(), machine_busy_seconds()
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    if have_wrk():
        outcome = _wrk(server.port, write_requests(signed, folder), folder, seconds)
        children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        loadgen = (children_after.ru_utime - children_before.ru_utime
                   + children_after.ru_stime - children_before.ru_stime)
    else:
        started = time.process_time()
        outcome = _python_load(server, signed, seconds)
        loadgen = time.process_time() - started
    return LoadResult(
        requests=int(outcome["requests"]), seconds=outcome["duration_us"] / 1e6,
        p50_ms=outcome["p50_us"] / 1000, p90_ms=outcome["p90_us"] / 1000,
        p99_ms=outcome["p99_us"] / 1000,
        errors=int(sum(outcome[k] for k in ("connect", "read", "write", "status", "timeout"))),
        server_cpu=server.cpu_seconds() - server_before, loadgen_cpu=loadgen,
        machine_busy=machine_busy_seconds() - busy_before,
    )


def _wrk(port: int, requests_file: Path, folder: Path, seconds: int) -> dict[str, float]:
    command = ["wrk", "--threads", "1", "--connections", str(CONNECTIONS),
               "--duration", f"{seconds}s", "--timeout", "5s", "--script",
               str(folder / "rotate.lua"), f"http://127.0.0.1:{port}/alexa", "--",
               str(requests_file)]
    finished = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 30,
                              check=True)
    line = [text for text in finished.stdout.splitlines() if text.startswith("{")][-1]
    result: dict[str, float] = json.loads(line)
    return result


def _python_load(server: Server, signed: list[Signed], seconds: int) -> dict[str, float]:
    """A stand-in for wrk: 8 threads, one request per connection, for ``seconds``."""
    latencies: list[float] = []
    errors = [0]
    deadline = time.perf_counter() + seconds
    lock = threading.Lock()

    def client(offset: int) -> None:
        index = offset
        while time.perf_counter() < deadline:
            headers, body = signed[index % len(signed)]
            index += CONNECTIONS
            started = time.perf_counter()
            status, _ = server.request("POST", "/alexa", body, headers)
            with lock:
                latencies.append(time.perf_counter() - started)
                errors[0] += status != 200

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    shape = figure([t * 1e6 for t in latencies] or [0.0], "us")
    return {"requests": len(latencies), "duration_us": elapsed * 1e6, "connect": 0, "read": 0,
            "write": 0, "status": errors[0], "timeout": 0, "p50_us": shape["median"],
            "p90_us": shape["p90"], "p99_us": shape["p99"]}
