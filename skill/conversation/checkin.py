"""The weekly check-in (PRODUCT.md section 5) as a small state machine. No advice, ever.

Between steps the session ends and the couple talk; "next" resumes at the next step.
A check-in left alone for three hours has closed.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

from skill.conversation.state import CheckIn, CheckInStep, CheckInVariant, Household

EXPIRES_AFTER = timedelta(hours=3)
DATES_KEPT = 60
STORMY_WORDS = frozenset({"stormy"})

STEPS: dict[CheckInVariant, tuple[CheckInStep, ...]] = {
    CheckInVariant.FULL: (
        CheckInStep.PERMISSION, CheckInStep.APPRECIATION, CheckInStep.WEATHER,
        CheckInStep.SHIFTED, CheckInStep.TENSE_MOMENT, CheckInStep.WHAT_HELPED,
        CheckInStep.NEXT_WEEK, CheckInStep.CLOSE,
    ),
    CheckInVariant.SHORT: (
        CheckInStep.PERMISSION, CheckInStep.WEATHER, CheckInStep.WHAT_HELPED,
        CheckInStep.NEXT_WEEK, CheckInStep.CLOSE,
    ),
    CheckInVariant.STORMY: (
        CheckInStep.PERMISSION, CheckInStep.WEATHER, CheckInStep.WHAT_HELPED,
        CheckInStep.NEXT_WEEK, CheckInStep.CLOSE,
    ),
}


def start(now: datetime, variant: CheckInVariant = CheckInVariant.FULL) -> CheckIn:
    """A new check-in, waiting on the couple's permission."""
    return CheckIn(variant=variant, step=CheckInStep.PERMISSION, started_at=now, updated_at=now)


def active(checkin: CheckIn | None, now: datetime) -> CheckIn | None:
    """The check-in if it is still open (spoken to within three hours)."""
    if checkin is None or now - checkin.updated_at > EXPIRES_AFTER:
        return None
    return checkin


def following_step(checkin: CheckIn) -> CheckInStep:
    """The step after the current one in this variant (the close stays the close)."""
    steps = STEPS[checkin.variant]
    index = steps.index(checkin.step) if checkin.step in steps else 0
    return steps[min(index + 1, len(steps) - 1)]


def advance(checkin: CheckIn, now: datetime) -> CheckIn:
    """Move to the next step."""
    return replace(checkin, step=following_step(checkin), updated_at=now)


def lighten(checkin: CheckIn, now: datetime) -> CheckIn:
    """After a stormy week: the lighter remainder, straight to what helped."""
    return replace(checkin, variant=CheckInVariant.STORMY, step=CheckInStep.WHAT_HELPED,
                   updated_at=now)


def is_stormy(word: str | None) -> bool:
    return (word or "").lower() in STORMY_WORDS


def finish(household: Household, evening: date) -> Household:
    """The check-in is complete: remember the evening (dates only) and close it."""
    dates = (*household.checkin_dates, evening)[-DATES_KEPT:]
    return replace(household, checkin=None, checkin_dates=dates)


def remember_weather(household: Household, word: str | None, evening: date) -> Household:
    """Keep the weather word only when the couple opted in; otherwise nothing."""
    if not household.remember_weather or not word:
        return household
    kept = tuple(entry for entry in household.weather if entry[0] != evening)
    return replace(household, weather=(*kept, (evening, word))[-DATES_KEPT:])
