"""`python -m benchmarks`: run every benchmark, print a table, write results/latest.json."""

from __future__ import annotations

import json
import logging
import os
import platform
import sys
from pathlib import Path
from typing import Any

from benchmarks import matcher, rehearsal, request_handling
from skill.logs import configure_logging

RESULTS = Path(__file__).parent / "results" / "latest.json"


def main() -> int:
    configure_logging(logging.WARNING)
    figures: dict[str, Any] = {}
    figures.update(request_handling.run())
    figures.update(matcher.run())
    figures.update(rehearsal.run())
    if postgres_url := os.environ.get("PORCHLIGHT_BENCH_DATABASE_URL"):
        figures.update(request_handling.run_on_postgres(postgres_url))
    report = {"machine": {"python": platform.python_version(), "platform": platform.platform(),
                          "processor": platform.processor() or platform.machine()},
              "figures": figures}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print("| figure | median ms | p90 ms | p99 ms |")
    print("|---|---|---|---|")
    for name, values in figures.items():
        print(f"| {name} | {values['median_ms']} | {values['p90_ms']} | {values['p99_ms']} |")
    print(f"\nwritten to {RESULTS}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
