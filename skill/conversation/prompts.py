"""Tonight's prompt (PRODUCT.md section 4): which prompt, and what is remembered of it."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from skill.conversation.consent import held_back_prompt_ids
from skill.conversation.state import HISTORY_DAYS_KEPT, Declined, Household, PromptUse, Spoken

RECENTLY_USED = timedelta(days=60)
CLOSENESS = "closeness-affection"
HINT_FIRST_PROMPTS = 3
HINT_EVERY = 10


@dataclass(frozen=True)
class Prompt:
    """One conversation prompt from the library."""

    id: str
    """Stable id; never renamed or reused."""
    level: int
    """Depth level 1-4."""
    category: str
    """Content category key (CONTENT.md)."""
    topics: frozenset[str]
    """Every boundary topic the prompt touches."""
    text: str
    """What Alexa says: plain text."""
    nudge: str | None = None
    """An optional listening nudge for the listener."""


def tonights_prompt_id(household: Household, evening: date) -> str | None:
    """The prompt already given this evening, unless the couple declined it."""
    if not household.history or household.history[-1].evening != evening:
        return None
    prompt_id = household.history[-1].prompt_id
    declined = any(
        w.declined is Declined.PROMPT and w.ref == prompt_id and w.at >= household.history[-1].at
        for w in household.withdrawals
    )
    return None if declined else prompt_id


def hint_due(household: Household) -> bool:
    """Say how to go on after the next prompt: for the first few, then one in ten.

    Decided from the prompt history the household already has (no new data): couples
    learn "another one" and "not now" quickly, and a hint every night sounds like a form.
    """
    heard = len(household.history)
    return heard < HINT_FIRST_PROMPTS or heard % HINT_EVERY == 0


def select_prompt(
    library: Sequence[Prompt],
    household: Household,
    now: datetime,
    *,
    ceiling: int,
    seed: str,
    exclude: frozenset[str] = frozenset(),
) -> Prompt | None:
    """Choose a prompt at the deepest allowed level that fits every rule.

    Never above ``ceiling``, never an off-limits topic, never one declined in the
    last 30 days or in ``exclude``, and closeness prompts only after the opt-in.
    Prompts used in the last 60 days are skipped while any other fits. The choice
    is random but repeatable for the same ``seed``.
    """
    held_back = held_back_prompt_ids(household, now) | exclude
    off_limits = household.off_limits
    allowed = [
        p for p in library
        if p.level <= ceiling
        and p.id not in held_back
        and not (p.topics & off_limits)
        and (household.closeness or p.category != CLOSENESS)
    ]
    last_used = {use.prompt_id: use.at for use in household.history}
    fresh = [p for p in allowed if p.id not in last_used or now - last_used[p.id] >= RECENTLY_USED]
    least_recent = sorted(allowed, key=lambda p: last_used.get(p.id, now))
    pool = fresh or least_recent[: max(1, len(allowed) // 4)]
    if not pool:
        return None
    deepest = max(p.level for p in pool)
    candidates = sorted((p for p in pool if p.level == deepest), key=lambda p: p.id)
    rng = random.Random(hashlib.sha256(seed.encode("utf-8")).digest())
    return rng.choice(candidates)


def record_prompt(household: Household, prompt: Prompt, now: datetime, evening: date) -> Household:
    """Remember that ``prompt`` was spoken tonight (ids and dates only)."""
    cutoff = now - timedelta(days=HISTORY_DAYS_KEPT)
    history = tuple(u for u in household.history if u.at >= cutoff)
    use = PromptUse(prompt_id=prompt.id, level=prompt.level, at=now, evening=evening)
    spoken = Spoken(kind=Declined.PROMPT, ref=prompt.id, evening=evening, level=prompt.level)
    return replace(household, history=(*history, use), last_spoken=spoken)
