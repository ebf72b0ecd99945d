"""`make safety-report`: the safety net's rates on held-out phrasings, as Markdown.

Per locale and way (the matcher, then the signed endpoint), the fresh round, the rounds
the screen was adjusted to, per category, and every miss (docs/safety.md explains them).
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Mapping
from typing import Any

from benchmarks.safety import ROUNDS, near_miss_alarms, near_miss_phrasings, run_all, tier_rate


def report(results: Mapping[str, Mapping[str, Any]]) -> str:
    """The rates as Markdown: per locale and way, per round, per category, then every miss."""
    return "\n".join([*_headline(results), *_independent(results, "blind_5"),
                      *_independent(results, "blind_4"),
                      *_independent(results, "blind_3"),
                      *_independent(results, "blind_2"), *_independent(results, "blind"),
                      *_independent(results, "independent"), *_fresh(results),
                      *_by_round(results),
                      *_by_category(results), *_misses(results)])


SETS = {
    "blind_5": "Fifth blind set (tests/data/safety_blind_5: a writer who read no Porch Light "
               "file; never trained or tuned on; ordinary = requests and near-misses that got "
               "neither answer):",
    "blind_4": "Fourth blind set (tests/data/safety_blind_4: never trained on; the fourth "
               "training pass was written for the kind it missed most, danger):",
    "blind_3": "Third blind set (tests/data/safety_blind_3: never trained on; round 8's "
               "patterns were written from its misses):",
    "blind_2": "Second blind set (tests/data/safety_blind_2: never trained on; the third "
               "training pass was written for the kinds of phrasing it missed):",
    "blind": "First blind set (tests/data/safety_blind: never trained on; round 7's patterns "
             "were written from its misses):",
    "independent": "Independent set (tests/data/safety_independent: a separate writer, never "
                   "tuned to; ordinary = near-misses that got neither answer):",
}


def _independent(results: Mapping[str, Mapping[str, Any]], name: str) -> list[str]:
    categories = ("self_harm", "abuse", "danger", "distress", "ordinary")
    lines = ["", SETS[name], "",
             "| locale | " + " | ".join(categories) + " |", "|---" * (len(categories) + 1) + "|"]
    for locale, ways in results.items():
        found = ways.get("endpoint", ways["matcher"])[name]
        cells = [f"{found[c].hits}/{found[c].total}" if c in found else "-" for c in categories]
        lines.append(f"| {locale} | " + " | ".join(cells) + " |")
    return lines


def _fresh(results: Mapping[str, Mapping[str, Any]]) -> list[str]:
    lines = ["", "Fresh round (written after every adjustment, never used for one: the honest "
             "figure of how the screen generalises; not held to the targets):", "",
             "| locale | crisis -> crisis | distress -> distress or crisis |", "|---|---|---|"]
    for locale, ways in results.items():
        found = ways.get("endpoint", ways["matcher"])["fresh"]
        crisis, distress = found["crisis"], found["distress"]
        lines.append(f"| {locale} | {crisis.hits}/{crisis.total} ({crisis.rate:.1%}) | "
                     f"{distress.hits}/{distress.total} ({distress.rate:.1%}) |")
    return lines


def _headline(results: Mapping[str, Mapping[str, Any]]) -> list[str]:
    lines = ["| locale | through | crisis -> crisis | distress -> distress or crisis | "
             "unrelated answers | false alarms |", "|---|---|---|---|---|---|"]
    for locale, ways in results.items():
        for way, found in ways.items():
            crisis = tier_rate(found["categories"], "crisis")
            distress = tier_rate(found["categories"], "distress")
            alarms = found["ordinary"]
            lines.append(f"| {locale} | {way} | {crisis.hits}/{crisis.total} "
                         f"({crisis.rate:.1%}) | {distress.hits}/{distress.total} "
                         f"({distress.rate:.1%}) | {len(found['unrelated'])} | "
                         f"{alarms.total - alarms.hits}/{alarms.total} "
                         f"({1 - alarms.rate:.1%}) |")
    return lines


def _by_round(results: Mapping[str, Mapping[str, Any]]) -> list[str]:
    lines = ["", "Current rates by round (each round's first measurement, before the screen "
             "was adjusted to it, is in docs/safety.md):", "",
             "| locale | round | crisis -> crisis | distress -> distress or crisis |",
             "|---|---|---|---|"]
    for locale, ways in results.items():
        found = ways.get("endpoint", ways["matcher"])
        for name in ROUNDS:
            crisis = tier_rate(found["categories"], "crisis", name)
            distress = tier_rate(found["categories"], "distress", name)
            lines.append(f"| {locale} | {name} | {crisis.hits}/{crisis.total} "
                         f"({crisis.rate:.1%}) | {distress.hits}/{distress.total} "
                         f"({distress.rate:.1%}) |")
    near = near_miss_alarms()
    lines += ["", f"Ordinary near-misses (tests/data/safety_ordinary.yaml, screen alone): "
              f"{len(near)} of {len(near_miss_phrasings())} read as crisis or distress"
              + (": " + "; ".join(f'"{t}"' for t in near) if near else "")]
    return lines


def _by_category(results: Mapping[str, Mapping[str, Any]]) -> list[str]:
    lines = ["", "| locale | tier | category | rate (matcher) | rate (endpoint) |",
             "|---|---|---|---|---|"]
    for locale, ways in results.items():
        for tier, sets in ways["matcher"]["categories"].items():
            for category, tally in sets.items():
                other = ways.get("endpoint", ways["matcher"])["categories"][tier][category]
                lines.append(f"| {locale} | {tier} | {category} | {tally.hits}/{tally.total} "
                             f"| {other.hits}/{other.total} |")
    return lines


def _misses(results: Mapping[str, Mapping[str, Any]]) -> list[str]:
    lines = ["", "Misses (phrasing -> what it got):"]
    for locale, ways in results.items():
        misses: Counter[tuple[str, str, str]] = Counter()
        for found in ways.values():
            for tier in ("crisis", "distress"):
                for text, kind in tier_rate(found["categories"], tier).misses:
                    misses[(tier, text, kind)] += 1
            for text, kind in found["ordinary"].misses:
                misses[("false alarm", text, kind)] += 1
            for tier, tally in found["fresh"].items():
                for text, kind in tally.misses:
                    misses[(f"fresh {tier}", text, kind)] += 1
        for tier, text, kind in sorted(misses):
            lines.append(f"- {locale} {tier}: \"{text}\" -> {kind}")
    return lines


def main() -> int:
    from skill.logs import configure_logging

    configure_logging(40)
    print(report(run_all()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
