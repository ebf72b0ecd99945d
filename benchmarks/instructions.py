"""Instructions per signed request, counted by callgrind: a figure the machine's speed does
not move, for comparing two versions of the request path on a noisy VM.

    python -m benchmarks.instructions            # 600 requests (about a minute)
    python -m benchmarks.instructions --count 200

Two runs under ``valgrind --tool=callgrind`` (side by side, hash seed fixed) serve the same
signed tonight's-prompt requests through ``app.wsgi_app`` as ``benchmarks.breakdown`` does:
200 warm-up requests, then ``--count`` more in one run and none in the other. The
difference of their totals, over ``--count``, is one request's instructions; two runs of the
same code agree to about 0.01%. Not part of ``make bench``: valgrind makes it slow.
"""

from __future__ import annotations

import argparse
import os
import pickle
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

WARM_UP = 200
TOTALS = re.compile(rb"^(?:summary|totals): (\d+)", re.MULTILINE)


def serve(folder: Path, count: int) -> None:
    """Inside valgrind: serve the pickled warm-up requests, then ``count`` more."""
    from benchmarks.breakdown import request_log_lines, serve
    from skill.app import create_app

    settings, signed = pickle.loads((folder / "traffic.pickle").read_bytes())
    app = create_app({**settings, "database_url": f"sqlite:///{folder}/run-{count}.sqlite3"})
    with request_log_lines():
        for request in signed[:WARM_UP + count]:
            serve(app, request)
    app.extensions["porchlight.store"].close()


def measure(count: int) -> int:
    """Instructions one request costs, from two callgrind runs."""
    from benchmarks.traffic import Traffic

    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed: apt-get install valgrind")
    with tempfile.TemporaryDirectory(prefix="porchlight-instructions-") as name:
        folder = Path(name)
        traffic = Traffic(folder)  # signed now: both runs start well within the 150 s window
        signed = traffic.tonights_prompts(WARM_UP + count)
        (folder / "traffic.pickle").write_bytes(pickle.dumps((traffic.settings(""), signed)))
        runs = {n: _callgrind(folder, n) for n in (0, count)}
        totals = {n: _total(run, folder / f"callgrind.{n}") for n, run in runs.items()}
    return (totals[count] - totals[0]) // count


def _callgrind(folder: Path, count: int) -> subprocess.Popen[bytes]:
    command = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={folder}/callgrind.{count}",
               sys.executable, "-m", "benchmarks.instructions", "--serve", str(folder),
               "--count", str(count)]
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)


def _total(run: subprocess.Popen[bytes], out: Path) -> int:
    _, errors = run.communicate()
    if run.returncode != 0 or not out.exists():
        raise SystemExit(f"callgrind failed: {errors.decode(errors='replace')[-2000:]}")
    found = TOTALS.search(out.read_bytes())
    if found is None:
        raise SystemExit(f"no instruction total in {out}")
    return int(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--count", type=int, default=600, help="requests counted")
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.serve is not None:
        serve(options.serve, options.count)
        return
    print(f"instructions per request: {measure(options.count):,}")


if __name__ == "__main__":
    main()
