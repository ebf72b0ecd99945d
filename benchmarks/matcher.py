"""Matching typed text against the full en-US model.

Two sets: the real phrasings of tests/data/utterances/en-US.yaml (most need the
tolerant match: extra words, typos, other wordings) and the model's own samples (found
word for word). Each sample is one `recognize` call, invocation stripping included.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import yaml

import interaction_model
from benchmarks.stats import percentiles
from interaction_model.matcher import matcher_for

DATA = Path(__file__).parent.parent / "tests" / "data" / "utterances" / "en-US.yaml"


def real_phrasings() -> list[str]:
    data = yaml.safe_load(DATA.read_text())
    lines = [str(s) for test in data["tests"] for s in test["sentences"]]
    return lines + [str(s) for s in data["launch"] + data["fallback"]]


def model_samples() -> list[str]:
    return [s.replace("{duration}", "two weeks") for texts in
            interaction_model.samples("en-US").values() for s in texts]


def timed(lines: list[str], rounds: int) -> dict[str, float]:
    matcher = matcher_for("en-US")
    for line in lines:
        matcher.recognize(line)
    samples = []
    for _ in range(rounds):
        for line in lines:
            started = time.perf_counter()
            matcher.recognize(line)
            samples.append((time.perf_counter() - started) * 1000)
    return percentiles(samples)


def run(rounds: int = 40, *, smoke: bool = False) -> dict[str, Any]:
    if smoke:
        rounds = 1
    return {"matcher_real_phrasing": timed(real_phrasings(), rounds),
            "matcher_model_sample": timed(model_samples(), rounds)}
