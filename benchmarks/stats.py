"""Figures: median, p90 and p99 of samples, with their unit; and the Markdown table."""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from typing import Any

Figure = dict[str, Any]


def _pick(ordered: Sequence[float], quantile: float) -> float:
    """Nearest-rank percentile of sorted samples."""
    return ordered[min(len(ordered) - 1, int(quantile * len(ordered)))]


def _rounded(value: float) -> float:
    return round(value, 4) if abs(value) < 100 else round(value, 1)


def figure(samples: Sequence[float], unit: str, **extra: Any) -> Figure:
    """Median, p90 and p99 of ``samples`` (at least one) in ``unit``, plus ``extra`` notes."""
    if not samples:
        raise ValueError("a figure needs at least one sample")
    ordered = sorted(samples)
    return {"unit": unit, "median": _rounded(statistics.median(ordered)),
            "p90": _rounded(_pick(ordered, 0.9)), "p99": _rounded(_pick(ordered, 0.99)),
            "samples": len(ordered), **extra}


def percentiles(samples_ms: Sequence[float]) -> Figure:
    """A figure of per-call times in milliseconds."""
    return figure(samples_ms, "ms")


def ratio(numerators: Sequence[float], denominators: Sequence[float], **extra: Any) -> Figure:
    """Ratios of paired samples (one per interleaved round), as a figure."""
    pairs = list(zip(numerators, denominators, strict=True))
    return figure([top / bottom for top, bottom in pairs if bottom], "ratio", **extra)


def markdown(figures: Mapping[str, Figure]) -> str:
    """The figures as a Markdown table, one row each."""
    lines = ["| figure | unit | median | p90 | p99 | samples |", "|---|---|---|---|---|---|"]
    for name, value in figures.items():
        lines.append(f"| {name} | {value['unit']} | {value['median']} | {value['p90']} | "
                     f"{value['p99']} | {value['samples']} |")
    return "\n".join(lines)
