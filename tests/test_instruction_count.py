"""``python -m benchmarks.instructions``: the part that runs inside valgrind serves real
signed requests, and the totals are read from callgrind's own output format."""

from __future__ import annotations

import pickle
import subprocess
import sys
from pathlib import Path

from benchmarks import instructions
from benchmarks.traffic import Traffic


def test_the_measured_run_serves_every_request(tmp_path: Path) -> None:
    traffic = Traffic(tmp_path)
    signed = traffic.tonights_prompts(instructions.WARM_UP + 3)
    (tmp_path / "traffic.pickle").write_bytes(pickle.dumps((traffic.settings(""), signed)))
    instructions.serve(tmp_path, 3)  # serve() raises on any answer but 200
    assert (tmp_path / "run-3.sqlite3").exists()


def test_the_total_is_read_from_callgrind_output(tmp_path: Path) -> None:
    out = tmp_path / "callgrind.out"
    out.write_bytes(b"# callgrind format\nevents: Ir\nsummary: 1234567\ntotals: 1234567\n")
    done = subprocess.Popen([sys.executable, "-c", "pass"], stderr=subprocess.PIPE)
    assert instructions._total(done, out) == 1234567
