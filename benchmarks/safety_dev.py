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


def dev_sets(path: Path) -> dict[str, dict[str, list[str]]]:
    """{"crisis": {category: [...]}, "distress": {"all": [...]}, "ordinary": {"all": [...]}}
    of one development file (its locale is its name: tests/data/safety_dev/[round/]en-US.yaml)."""
    raw: dict[str, Any] = yaml.safe_load(path.read_text("utf-8"))
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
    """One line per file, tier and category (with -v, the misses and what they reached)."""
    lines = []
    for path in sorted(DEV.rglob("*.yaml")):
        locale, name = path.stem, str(path.relative_to(DEV).parent).replace(".", "round_a")
        for tier, categories in dev_sets(path).items():
            for category, texts in categories.items():
                misses = [t for t in texts if not hit(tier, screen(t, locale))]
                lines.append(f"{name} {locale} {tier}/{category}: "
                             f"{len(texts) - len(misses)}/{len(texts)}")
                if verbose:
                    lines.extend(f"    miss: {t!r} -> {screen(t, locale)}" for t in misses)
    return lines


LINES = ("honestly we had a long day at work and we're pretty tired tonight",
         "ask porch light for tonight's prompt", "um i'm not okay", "he shoved me again",
         "we're dying to hear the next one", "i keep thinking about not waking up tomorrow")
"""Typical lines: ordinary requests, a hesitation, and concerns of each kind."""


def cost_samples(rounds: int = 200, *, meaning: bool = False) -> list[float]:
    """Microseconds per screen call, one sample per line and round (the screen compiled
    and cached, as it is after the first request): the patterns alone, or, with
    ``meaning``, the patterns and the meaning model (the sentence model loaded first)."""
    screen = screen_for("en-US")
    read = screen.read if meaning else screen.read_words
    read(LINES[0])

    def once(line: str) -> float:
        return timeit.timeit(lambda: read(line), number=5) / 5 * 1e6

    return [once(line) for _ in range(rounds) for line in LINES]


def cost_per_call() -> float:
    """The median cost of one screen call, in microseconds."""
    samples = sorted(cost_samples(50))
    return samples[len(samples) // 2]


if __name__ == "__main__":
    print("\n".join(report("-v" in sys.argv)))
    print(f"cost: {cost_per_call():.1f} us per call (median)")
