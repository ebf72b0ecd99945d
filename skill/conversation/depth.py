"""Depth levels (PRODUCT.md section 2): when the level may rise, fall, or be offered."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from skill.conversation.clock import evening_of
from skill.conversation.consent import (
    DEEPER_OFFER_SILENCE,
    last_withdrawal,
    may_offer,
    recently_withdrew,
)
from skill.conversation.state import Declined, Household

LOWEST_LEVEL = 1
DEEPEST_LEVEL = 4
HEARTH = 4
COMFORTABLE_EVENINGS_BEFORE_OFFER = 3
DEEPER_OFFER_INTERVAL = timedelta(days=7)
LEVEL_NAMES = {1: "Porch", 2: "Open door", 3: "Living room", 4: "Hearth"}


def raised_tonight(household: Household, evening: date) -> bool:
    """The level already rose this evening (one step an evening at most)."""
    return household.level_raised_on == evening


def raise_level(household: Household, now: datetime, evening: date) -> Household:
    """One level deeper, remembered as tonight's one step."""
    level = min(DEEPEST_LEVEL, household.level + 1)
    return replace(household, level=level, level_set_at=now, level_raised_on=evening)


def lower_level(household: Household, now: datetime) -> Household:
    """One level gentler, at once."""
    level = max(LOWEST_LEVEL, household.level - 1)
    return replace(household, level=level, level_set_at=now)


def comfortable_evenings(household: Household, zone: ZoneInfo) -> int:
    """Evenings with a prompt at the current level since it was set and since the last "not now"."""
    since = household.level_set_at
    withdrawal = last_withdrawal(household)
    if withdrawal is not None and (since is None or withdrawal.at > since):
        since = withdrawal.at
    return len({
        evening_of(use.at, zone)
        for use in household.history
        if use.level == household.level and (since is None or use.at > since)
    })


def should_offer_deeper(household: Household, now: datetime, zone: ZoneInfo) -> bool:
    """Offer one step deeper: several easy evenings, none declined lately, not offered this week."""
    if household.level >= DEEPEST_LEVEL or not may_offer(household, now, zone):
        return False
    if recently_withdrew(household, now, DEEPER_OFFER_SILENCE):
        return False
    last_offer = household.last_deeper_offer_at
    if last_offer is not None and now - last_offer < DEEPER_OFFER_INTERVAL:
        return False
    if raised_tonight(household, evening_of(now, zone)):
        return False
    return comfortable_evenings(household, zone) >= COMFORTABLE_EVENINGS_BEFORE_OFFER


def prompt_ceiling(household: Household) -> int:
    """The deepest level the next prompt may have.

    Never above the couple's level; after a declined prompt, no deeper than it (and
    one lighter after a deep one: "next time I'll start lighter"); never two Hearth
    prompts in a row.
    """
    ceiling = household.level
    withdrawal = last_withdrawal(household)
    last_use = household.history[-1] if household.history else None
    declined_last = withdrawal is not None and (last_use is None or withdrawal.at >= last_use.at)
    if declined_last and withdrawal and withdrawal.declined is Declined.PROMPT and withdrawal.level:
        declined_level = withdrawal.level
        ceiling = min(ceiling, declined_level - 1 if declined_level >= 3 else declined_level)
    if last_use is not None and last_use.level >= HEARTH:
        ceiling = min(ceiling, HEARTH - 1)
    return max(LOWEST_LEVEL, ceiling)
