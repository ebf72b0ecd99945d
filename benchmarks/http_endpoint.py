"""HTTP throughput and latency at concurrency 8, gunicorn with 2 workers, on loopback.

Three servers answer the same signed TonightsPromptIntent requests (64 households):
(a) ``floor``: bare Flask, the same request and response sizes (benchmarks.apps);
(b) ``stock``: flask-ask-sdk's SkillAdapter with a one-handler skill, verification off;
(c) ``porchlight``: Porch Light with signature, timestamp and skill-id checks on, each
    request reading and writing its household in SQLite.
All three run for the whole benchmark; each round loads each of them in turn (the order
rotates), with requests signed afresh per round so their timestamps stay valid. Figures
are over rounds: requests per second, wrk's latency percentiles (the median over rounds
of each round's p50, p90 and p99), CPU per request, and paired per-round ratios.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.apps import RESPONSE_FILE
from benchmarks.load import LoadResult, have_wrk, run_load
from benchmarks.servers import Server
from benchmarks.stats import Figure, figure, ratio
from benchmarks.traffic import Traffic

CASES = ("floor", "stock", "porchlight")
APPS = {"floor": "benchmarks.apps:floor_app()", "stock": "benchmarks.apps:stock_app()",
        "porchlight": "skill.app:create_app()"}
REQUESTS_PER_ROUND = 256


def run(smoke: bool = False) -> dict[str, Figure]:
    rounds, seconds, warmup = (1, 1, 0) if smoke else (5, 5, 2)
    with tempfile.TemporaryDirectory(prefix="porchlight-bench-") as name:
        folder = Path(name)
        traffic = Traffic(folder)
        servers = start_servers(traffic, folder)
        try:
            sizes = response_sizes(servers, traffic)
            for case in CASES if warmup else ():  # workers validate the chain, warm SQLite
                run_load(servers[case], traffic.tonights_prompts(REQUESTS_PER_ROUND), folder,
                         warmup)
            results = measure(servers, traffic, folder, rounds, seconds)
        finally:
            for server in servers.values():
                server.stop()
    return figures(results, sizes, "wrk" if have_wrk() else "python threads")


def start_servers(traffic: Traffic, folder: Path) -> dict[str, Server]:
    """Porch Light first (its answer sets the others' response size), then the other two."""
    settings = traffic.settings(f"sqlite:///{folder / 'bench.sqlite3'}")
    env = {f"PORCHLIGHT_{key.upper()}": value for key, value in settings.items()}
    porchlight = Server("porchlight", APPS["porchlight"], env, folder / "porchlight.log")
    servers = {"porchlight": porchlight}
    try:
        porchlight.wait_ready()
        (folder / "response.json").write_bytes(steady_answer(porchlight, traffic))
        for case in ("floor", "stock"):
            servers[case] = Server(case, APPS[case],
                                   {RESPONSE_FILE: str(folder / "response.json")},
                                   folder / f"{case}.log")
        for server in servers.values():
            server.wait_ready()
    except BaseException:
        for server in servers.values():
            server.stop()
        raise
    return servers


def steady_answer(server: Server, traffic: Traffic) -> bytes:
    """Porch Light's answer once every household has heard its first-run notice."""
    body = b""
    for headers, request in traffic.tonights_prompts(len(traffic.devices) + 1):
        status, body = server.request("POST", "/alexa", request, headers)
        if status != 200:
            raise RuntimeError(f"Porch Light answered {status}: {body[:200]!r}")
    return body


def response_sizes(servers: dict[str, Server], traffic: Traffic) -> dict[str, int]:
    """Bytes each server answers to the same signed request (all must answer 200)."""
    headers, body = traffic.tonights_prompts(1)[0]
    sizes = {}
    for case, server in servers.items():
        status, answer = server.request("POST", "/alexa", body, headers)
        if status != 200:
            raise RuntimeError(f"the {case} server answered {status}: {answer[:200]!r}")
        sizes[case] = len(answer)
    return sizes


def measure(servers: dict[str, Server], traffic: Traffic, folder: Path, rounds: int,
            seconds: int) -> dict[str, list[LoadResult]]:
    """Interleaved rounds: every case once per round, in a rotating order."""
    results: dict[str, list[LoadResult]] = {case: [] for case in CASES}
    for number in range(rounds):
        signed = traffic.tonights_prompts(REQUESTS_PER_ROUND)
        for case in CASES[number % 3:] + CASES[:number % 3]:
            result = run_load(servers[case], signed, folder, seconds)
            if result.errors:
                raise RuntimeError(f"{result.errors} failed requests to the {case} server")
            results[case].append(result)
    return results


def figures(results: dict[str, list[LoadResult]], sizes: dict[str, int], loadgen: str
            ) -> dict[str, Figure]:
    found: dict[str, Figure] = {}
    for case in CASES:
        runs = results[case]
        found[f"http_{case}_rps"] = figure([r.rps for r in runs], "req/s",
                                           response_bytes=sizes[case], load_generator=loadgen)
        found[f"http_{case}_latency"] = latency(runs)
        found[f"http_{case}_server_cpu_per_request"] = figure(
            [r.server_cpu / r.requests * 1e6 for r in runs], "us")
        found[f"http_{case}_loadgen_cpu"] = figure([r.loadgen_cpu / r.seconds for r in runs],
                                                   "cores")
        found[f"http_{case}_other_cpu"] = figure(
            [max(0.0, r.machine_busy - r.server_cpu - r.loadgen_cpu) / r.seconds for r in runs],
            "cores")
    ours = results["porchlight"]
    for other in ("floor", "stock"):
        theirs = results[other]
        found[f"http_rps_ratio_porchlight_to_{other}"] = ratio(
            [r.rps for r in ours], [r.rps for r in theirs])
        found[f"http_p99_ratio_porchlight_to_{other}"] = ratio(
            [r.p99_ms for r in ours], [r.p99_ms for r in theirs])
        found[f"http_cpu_ratio_porchlight_to_{other}"] = ratio(
            [r.server_cpu / r.requests for r in ours], [r.server_cpu / r.requests for r in theirs])
    return found


def latency(runs: Sequence[LoadResult]) -> Figure:
    """Each round's p50, p90 and p99 from wrk, as the median over rounds."""
    middle = figure([r.p50_ms for r in runs], "ms")
    result: dict[str, Any] = {**middle, "p90": figure([r.p90_ms for r in runs], "ms")["median"],
                              "p99": figure([r.p99_ms for r in runs], "ms")["median"]}
    return result
