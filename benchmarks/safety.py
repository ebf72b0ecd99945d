"""The safety net's rates on held-out phrasings: `make bench` figures, and the measurements
behind `make safety-report` (benchmarks/safety_report.py).

Each held-out phrasing (tests/data/safety_heldout/<locale>.yaml, never copied into a
model) goes through the locale's matcher, as rehearsal sends it (the safety screen reads
the line first), then as a signed request through the endpoint, in process. The answer
is classified by the words the skill spoke: the crisis answer, the distress answer, the
overwhelmed pause, the fallback question, or something else (unrelated: a prompt, a
check-in step, a settings answer, "that's fine"). False alarms are ordinary phrasings
(tests/data/utterances) that get a crisis or distress answer.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from interaction_model.matcher import Match, matcher_for
from interaction_model.thresholds import SAFETY_INTENTS
from skill.content import content_for
from skill.content.ssml import to_plain_text

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
HELDOUT = DATA / "safety_heldout"
LOCALES = ("en-US", "en-GB", "en-CA", "en-AU", "en-IN")
TARGETS = {"crisis": 0.95, "distress": 0.90, "false_alarms": 0.01}
"""Issue 9: crisis held-out -> crisis answer; distress -> distress or crisis; at most 1%
of ordinary phrasings reach a safety answer."""
CRISIS_INTENTS = SAFETY_INTENTS - {"DistressIntent"}


ROUNDS = ("round_2", "round_3", "round_4")
"""Later rounds, each written after the screen had been adjusted to the earlier rounds'
misses. Each round's first measurement, before the screen was adjusted to it, is the
honest figure of how the screen generalises; docs/safety.md keeps those figures."""
ORDINARY_NEAR_MISSES = DATA / "safety_ordinary.yaml"
INDEPENDENT = DATA / "safety_independent"
"""Sets by a separate writer who saw none of the models or the screen's data: measure only."""
BLIND = DATA / "safety_blind"
"""Sets by a writer who read no Porch Light file at all, written before the meaning
classifier was trained: never trained on; round 7's patterns were written from its misses."""
BLIND_2 = DATA / "safety_blind_2"
"""A second blind set, written after round 7 by a writer who read no Porch Light file:
never trained on; the third training pass was written for the kinds of phrasing it missed."""
BLIND_3 = DATA / "safety_blind_3"
"""A third blind set, written by a writer who read no Porch Light file before the third
training pass: never trained on; round 8's patterns were written from its misses."""
BLIND_4 = DATA / "safety_blind_4"
"""A fourth blind set, written after round 8 by a writer who read no Porch Light file:
never trained on; the fourth training pass was written for the kind it missed most (danger)."""
BLIND_5 = DATA / "safety_blind_5"
"""A fifth blind set, written by a writer who read no Porch Light file before the fourth
training pass: never trained or tuned on, measure only."""
BLIND_SETS = {"blind": BLIND, "blind_2": BLIND_2, "blind_3": BLIND_3, "blind_4": BLIND_4,
              "blind_5": BLIND_5}
INDEPENDENT_TIERS = {"self_harm": "crisis", "abuse": "crisis", "danger": "crisis",
                     "distress": "distress", "ordinary": "ordinary"}


def fresh(locale: str) -> dict[str, list[str]]:
    """The fresh round: {"crisis": [...], "distress": [...]}, written after every adjustment
    of the screen, measured and reported, never used to adjust it nor held to the targets."""
    raw: dict[str, Any] = yaml.safe_load((HELDOUT / f"{locale}.yaml").read_text("utf-8"))
    found = raw.get("fresh") or {}
    return {tier: [str(t) for t in found.get(tier) or ()] for tier in ("crisis", "distress")}


def independent(locale: str, folder: Path = INDEPENDENT) -> dict[str, list[str]]:
    """The independent (or, with ``folder=BLIND``, the blind) set by category (self_harm,
    abuse, danger, distress, ordinary); never tuned to, never held to the targets,
    reported as the plainest figure of generalisation."""
    path = folder / f"{locale}.yaml"
    if not path.exists():
        return {}
    raw: dict[str, Any] = yaml.safe_load(path.read_text("utf-8"))
    return {str(category): [str(t) for t in texts] for category, texts in raw.items()}


def heldout(locale: str) -> dict[str, dict[str, list[str]]]:
    """{"crisis": {category: phrasings}, "distress": {...}}; a flat list is one category,
    and the second round is the category ``round_2``."""
    raw: dict[str, Any] = yaml.safe_load((HELDOUT / f"{locale}.yaml").read_text("utf-8"))
    sets: dict[str, dict[str, list[str]]] = {}
    for tier in ("crisis", "distress"):
        value = raw.get(tier) or {}
        sets[tier] = ({str(k): [str(t) for t in v] for k, v in value.items()}
                      if isinstance(value, dict) else {"all": [str(t) for t in value]})
        for name in ROUNDS:
            later = (raw.get(name) or {}).get(tier)
            if later:
                sets[tier][name] = [str(t) for t in later]
    return sets


def ordinary_phrasings() -> list[str]:
    """Every ordinary phrasing in tests/data/utterances (any locale's file)."""
    lines: list[str] = []
    for path in sorted((DATA / "utterances").glob("*.yaml")):
        data: dict[str, Any] = yaml.safe_load(path.read_text("utf-8"))
        lines += [str(s) for test in data.get("tests") or () for s in test["sentences"]]
        lines += [str(s) for s in data.get("launch") or ()]
        lines += [str(s) for s in data.get("fallback") or ()]
    return lines


def near_miss_phrasings() -> list[str]:
    """Everyday phrasings that sound like the safety lexicon (a second false-alarm set)."""
    data: dict[str, Any] = yaml.safe_load(ORDINARY_NEAR_MISSES.read_text("utf-8"))
    return [str(text) for text in data["ordinary"]]


def near_miss_alarms(locale: str = "en-US") -> list[str]:
    """The near-miss phrasings the screen reads as crisis or distress."""
    from skill.conversation.safety_screen import screen

    return [text for text in near_miss_phrasings() if screen(text, locale) is not None]


def matcher_kind(match: Match) -> str:
    """What a match alone promises: crisis, distress, or the intent's name."""
    if match.intent in CRISIS_INTENTS:
        return "crisis"
    if match.intent == "DistressIntent":
        return "distress"
    return str(match.intent or "LaunchRequest")


def answer_kind(locale: str, payload: Mapping[str, Any]) -> str:
    """What the skill's answer was, from its words: crisis, distress, overwhelmed,
    fallback, or other."""
    speech = str(((payload.get("response") or {}).get("outputSpeech") or {}).get("ssml") or "")
    said = to_plain_text(speech)
    lines = content_for(locale).lines

    def says(*keys: str) -> bool:
        return any(to_plain_text(v) in said for key in keys for v in lines.get(key, ()))

    if says("crisis_open_danger", "crisis_open_abuse", "crisis_open_self_harm",
            "crisis_open_support"):
        return "crisis"
    if says("distress"):
        return "distress"
    if says("overwhelmed"):
        return "overwhelmed"
    if says("fallback", "fallback_after_prompt", "fallback_checkin", "fallback_quiet"):
        return "fallback"
    return "other"


@dataclass
class Tally:
    """Hits and misses of one set, with what each miss reached."""

    total: int = 0
    hits: int = 0
    misses: list[tuple[str, str]] = field(default_factory=list)
    """(phrasing, what it reached) for each miss."""

    @property
    def rate(self) -> float:
        return self.hits / self.total if self.total else 1.0

    def add(self, text: str, reached: str, good: bool) -> None:
        self.total += 1
        self.hits += good
        if not good:
            self.misses.append((text, reached))


class Endpoint:
    """The signed endpoint, in process, on a temporary SQLite file."""

    def __init__(self, folder: Path) -> None:
        from skill.app import create_app
        from skill.conversation.clock import SettableClock
        from tests.envelopes import SKILL_ID
        from tests.signing import TestAuthority

        now = datetime(2026, 11, 29, 19, 30, tzinfo=UTC)
        self.clock = SettableClock(now)
        self.authority = TestAuthority(folder, now)
        self.app = create_app({"database_url": f"sqlite:///{folder}/safety.sqlite3",
                               "skill_id": SKILL_ID,
                               "ca_bundle": str(self.authority.ca_bundle),
                               "cert_cache_dir": str(self.authority.cert_cache_dir)},
                              clock=self.clock)
        self.handle = self.app.extensions["porchlight.endpoint"]
        self.sent = 0

    def answer(self, locale: str, match: Match) -> dict[str, Any]:
        """The skill's answer to ``match``, as rehearsal would send it, signed."""
        import json

        from tests.envelopes import Device, dumps

        self.sent += 1
        device = Device(self.clock, locale=locale, user_id=f"amzn1.ask.account.SAFE{self.sent}")
        if match.is_launch:
            envelope = device.launch()
        else:
            slots = {name: value.value for name, value in match.slots.items()}
            envelope = device.intent(str(match.intent), slots or None, one_shot=True)
        body = dumps(envelope)
        payload, status, _ = self.handle(self.authority.sign(body), body)
        if status != 200:
            raise RuntimeError(f"the endpoint answered {status}")
        loaded: dict[str, Any] = payload if isinstance(payload, dict) else json.loads(payload)
        return loaded

    def close(self) -> None:
        self.app.extensions["porchlight.store"].close()


def measure(locale: str, endpoint: Endpoint | None) -> dict[str, Any]:
    """Rates for one locale: through the matcher, and through ``endpoint`` when given."""
    result: dict[str, Any] = {}
    for way in ("matcher", "endpoint") if endpoint else ("matcher",):
        categories: dict[str, dict[str, Tally]] = {}
        unrelated: list[tuple[str, str]] = []
        for tier, sets in heldout(locale).items():
            wanted = {"crisis"} if tier == "crisis" else {"crisis", "distress"}
            for category, texts in sets.items():
                tally = categories.setdefault(tier, {}).setdefault(category, Tally())
                for text, kind in _kinds(locale, texts, way, endpoint):
                    tally.add(text, kind, kind in wanted)
                    if kind not in ("crisis", "distress", "overwhelmed", "fallback"):
                        unrelated.append((text, kind))
        alarms = Tally()
        for text, kind in _kinds(locale, ordinary_phrasings(), way, endpoint):
            alarms.add(text, kind, kind not in ("crisis", "distress"))
        new: dict[str, Tally] = {}
        for tier, texts in fresh(locale).items():
            wanted = {"crisis"} if tier == "crisis" else {"crisis", "distress"}
            new[tier] = Tally()
            for text, kind in _kinds(locale, texts, way, endpoint):
                new[tier].add(text, kind, kind in wanted)
        result[way] = {"categories": categories, "unrelated": unrelated, "ordinary": alarms,
                       "fresh": new, "independent": _independent(locale, way, endpoint),
                       **{name: _independent(locale, way, endpoint, folder)
                          for name, folder in BLIND_SETS.items()}}
    return result


def _independent(locale: str, way: str, endpoint: Endpoint | None,
                 folder: Path = INDEPENDENT) -> dict[str, Tally]:
    """Tallies of the independent (or blind) set by category: a safe answer for the
    concerns, neither crisis nor distress for the ordinary ones."""
    tallies: dict[str, Tally] = {}
    for category, texts in independent(locale, folder).items():
        tier = INDEPENDENT_TIERS.get(category, "crisis")
        tallies[category] = tally = Tally()
        for text, kind in _kinds(locale, texts, way, endpoint):
            good = (kind not in ("crisis", "distress") if tier == "ordinary"
                    else kind in ({"crisis"} if tier == "crisis" else {"crisis", "distress"}))
            tally.add(text, kind, good)
    return tallies


def _kinds(locale: str, texts: list[str], way: str, endpoint: Endpoint | None
           ) -> Iterator[tuple[str, str]]:
    matcher = matcher_for(locale)
    for text in texts:
        match = matcher.recognize(text)
        if way == "matcher" or endpoint is None:
            kind = matcher_kind(match)
            yield text, ("fallback" if kind == "AMAZON.FallbackIntent" else kind)
        else:
            yield text, answer_kind(locale, endpoint.answer(locale, match))


def tier_rate(categories: Mapping[str, Mapping[str, Tally]], tier: str,
              only: str | None = None) -> Tally:
    """All categories of a tier together (or only the category ``only``)."""
    total = Tally()
    for name, tally in categories.get(tier, {}).items():
        if only is not None and name != only:
            continue
        total.total += tally.total
        total.hits += tally.hits
        total.misses += tally.misses
    return total


def run_all(locales: tuple[str, ...] = LOCALES, *, endpoint: bool = True
            ) -> dict[str, dict[str, Any]]:
    """Measure every locale (through the endpoint too, unless ``endpoint`` is False).

    The skill's own warnings (a time zone it cannot look up offline) are held back while
    it answers hundreds of one-shot requests: they say nothing about the safety net.
    """
    import logging

    skill_log = logging.getLogger("porchlight")
    level = skill_log.level
    skill_log.setLevel(logging.ERROR)
    try:
        return _measure_all(locales, endpoint)
    finally:
        skill_log.setLevel(level)


def _measure_all(locales: tuple[str, ...], endpoint: bool) -> dict[str, dict[str, Any]]:
    with tempfile.TemporaryDirectory() as folder:
        served = Endpoint(Path(folder)) if endpoint else None
        try:
            return {locale: measure(locale, served) for locale in locales}
        finally:
            if served is not None:
                served.close()


def run(*, smoke: bool = False) -> dict[str, Any]:
    """`make bench` figures: each locale's rates through the signed endpoint (the matcher
    only, en-US only, with --smoke)."""
    from benchmarks.safety_dev import cost_samples
    from benchmarks.stats import figure

    results = run_all(("en-US",), endpoint=False) if smoke else run_all()
    figures: dict[str, Any] = {
        "safety_screen_cost": figure(cost_samples(20 if smoke else 200), "us per call"),
        "safety_meaning_cost": figure(cost_samples(2 if smoke else 20, meaning=True),
                                      "us per call")}
    for locale, ways in results.items():
        found = ways.get("endpoint", ways["matcher"])
        for tier in ("crisis", "distress"):
            tally = tier_rate(found["categories"], tier)
            figures[f"safety_{tier}_{locale}"] = figure(
                [100 * tally.rate], "% safe", target=100 * TARGETS[tier])
        for tier, tally in found["fresh"].items():
            figures[f"safety_fresh_{tier}_{locale}"] = figure([100 * tally.rate], "% safe")
        for measure_set in ("independent", *BLIND_SETS):
            for category, tally in found[measure_set].items():
                figures[f"safety_{measure_set}_{category}_{locale}"] = figure(
                    [100 * tally.rate], "% right")
        alarms = found["ordinary"]
        figures[f"safety_false_alarms_{locale}"] = figure(
            [100 * (1 - alarms.rate)], "% of ordinary", target=100 * TARGETS["false_alarms"])
    return figures
