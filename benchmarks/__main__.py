"""`python -m benchmarks`: run the benchmarks, print a Markdown table, write the results.

    python -m benchmarks                   every benchmark; writes benchmarks/results/latest.json
    python -m benchmarks --only http       one benchmark (or several, comma-separated)
    python -m benchmarks --smoke           every benchmark at a tiny size, in seconds (make test)
    python -m benchmarks --out FILE        write the results somewhere else
                                           (--smoke and --only write to a temporary file)

Benchmarks: http, breakdown, verification, cold_start, request_handling, matcher, rehearsal,
abuse (floods of unsigned requests: fetches, files, memory), safety (the safety net's
held-out rates, in percent, not times), and request_handling_postgres when
PORCHLIGHT_BENCH_DATABASE_URL names a server.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks import (
    abuse,
    breakdown,
    cold_start,
    http_endpoint,
    matcher,
    rehearsal,
    request_handling,
    safety,
    verification,
)
from benchmarks.stats import Figure, figure, markdown

RESULTS = Path(__file__).parent / "results" / "latest.json"

BENCHMARKS: dict[str, Callable[..., dict[str, Figure]]] = {
    "http": http_endpoint.run,
    "breakdown": breakdown.run,
    "verification": verification.run,
    "cold_start": cold_start.run,
    "request_handling": request_handling.run,
    "matcher": matcher.run,
    "rehearsal": rehearsal.run,
    "abuse": abuse.run,
    "safety": safety.run,
}


def machine() -> dict[str, Any]:
    """What the figures came from."""
    import ssl

    return {"python": platform.python_version(), "platform": platform.platform(),
            "processor": _cpu_model() or platform.machine(), "cores": os.cpu_count(),
            "openssl": ssl.OPENSSL_VERSION}


def _cpu_model() -> str | None:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def speed_probe() -> float:
    """Milliseconds for a fixed piece of pure-Python work: how fast the machine is right now.

    Timed before every benchmark, so the table shows how much the machine's own speed moved
    during the run (a shared VM's does, by half or more).
    """
    started = time.perf_counter()
    total = 0
    for number in range(200_000):
        total += number % 7
    return (time.perf_counter() - started) * 1000


def run(names: list[str], smoke: bool) -> tuple[dict[str, Figure], dict[str, float]]:
    figures: dict[str, Figure] = {}
    seconds: dict[str, float] = {}
    probes: list[float] = []
    for name in names:
        probes += [speed_probe() for _ in range(3)]
        started = time.monotonic()
        figures.update(BENCHMARKS[name](smoke=smoke))
        seconds[name] = round(time.monotonic() - started, 1)
        print(f"{name}: {seconds[name]} s", file=sys.stderr)
    figures["machine_speed_probe"] = figure(probes, "ms")
    postgres_url = os.environ.get("PORCHLIGHT_BENCH_DATABASE_URL")
    if postgres_url and "request_handling" in names and not smoke:
        figures.update(request_handling.run_on_postgres(postgres_url))
    return figures, seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: check they all run")
    parser.add_argument("--only", help="comma-separated benchmark names")
    parser.add_argument("--out", type=Path, help="results file (default: results/latest.json;"
                        " a temporary file with --smoke or --only)")
    options = parser.parse_args(argv)
    names = options.only.split(",") if options.only else list(BENCHMARKS)
    unknown = [name for name in names if name not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
    from skill.logs import configure_logging

    configure_logging(logging.WARNING)
    started = time.monotonic()
    figures, seconds = run(names, options.smoke)
    partial = options.smoke or options.only
    out = options.out or (Path(tempfile.gettempdir()) / "porchlight-bench-partial.json"
                          if partial else RESULTS)
    report = {"machine": machine(), "smoke": options.smoke, "seconds": seconds,
              "figures": figures}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(markdown(figures))
    print(f"\n{len(figures)} figures in {time.monotonic() - started:.0f} s, written to {out}",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
