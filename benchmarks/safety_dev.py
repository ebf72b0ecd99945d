"""The safety screen on its development phrasings (tests/data/safety_dev, TUNING DATA).

Screen-level rates: crisis phrasings that reach a crisis concern, distress phrasings that
reach any concern, ordinary near-misses that reach none. These are tuning figures, not a
measure of generalisation (docs/safety.md keeps the first measurement, taken before the
screen was adjusted). ``python -m benchmarks.safety_dev [-v]`` prints them and the misses.
"""

from __future__ import annotations

import sys
import timeit
from pathlib import Path
from typing import Any

import yaml

from skill.conversation.safety_screen import Concern, screen, screen_for

DEV = Path(__file__).resolve().parent.parent / "tests" / "data" / "safety_dev"


def dev_sets(locale: str) -> dict[str, dict[str, list[str]]]:
    """{"crisis": {category: [...]}, "distress": {"all": [...]}, "ordinary": {"all": [...]}}."""
    raw: dict[str, Any] = yaml.safe_load((DEV / f"{locale}.yaml").read_text("utf-8"))
    crisis = {str(k): [str(t) for t in v] for k, v in (raw.get("crisis") or {}).items()}
    return {"crisis": crisis,
            "distress": {"all": [str(t) for t in raw.get("distress") or ()]},
            "ordinary": {"all": [str(t) for t in raw.get("ordinary") or ()]}}


def hit(tier: str, concern: Concern | None) -> bool:
    """Did the screen give the answer this tier needs?"""
    if tier == "crisis":
        return concern is not None and concern.is_crisis
    if tier == "distress":
        return concern is not None
    return concern is None


def report(verbose: bool = False) -> list[str]:
    lines = []
    for path in sorted(DEV.glob("*.yaml")):
        locale = path.stem
        for tier, categories in dev_sets(locale).items():
            for category, texts in categories.items():
                misses = [t for t in texts if not hit(tier, screen(t, locale))]
                lines.append(f"{locale} {tier}/{category}: {len(texts) - len(misses)}/{len(texts)}")
                if verbose:
                    lines.extend(f"    miss: {t!r} -> {screen(t, locale)}" for t in misses)
    return lines


def cost_per_call() -> float:
    """Microseconds per screen call on a typical line (the compiled screen cached)."""
    reader = screen_for("en-US")
    line = "honestly we had a long day at work and we're pretty tired tonight"
    runs = 2000
    return timeit.timeit(lambda: reader.read(line), number=runs) / runs * 1e6


if __name__ == "__main__":
    print("\n".join(report("-v" in sys.argv)))
    print(f"cost: {cost_per_call():.1f} us per call")
