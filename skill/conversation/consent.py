"""Consent rules: "not now", quiet evenings and pauses (PRODUCT.md section 3).

Every function is pure: it takes the household and the time and returns a decision
or a new household. Handlers do the saving.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from skill.conversation.clock import EVENING_ROLLOVER, evening_of, format_instant, parse_instant
from skill.conversation.state import (
    Declined,
    Event,
    EventKind,
    Household,
    Offer,
    Withdrawal,
)

DECLINED_PROMPT_HOLD = timedelta(days=30)
DEEPER_OFFER_SILENCE = timedelta(days=7)
REMINDER_OFFER_HOLD = timedelta(days=30)
SHORTEST_PAUSE = timedelta(days=1)
DEFAULT_PAUSE = timedelta(days=7)
LONGEST_PAUSE = timedelta(days=92)

_CHECKIN_OFFERS = frozenset({Offer.CHECKIN_PERMISSION, Offer.STORMY_LIGHTER, Offer.WEATHER_WORD})
_DURATION = re.compile(
    r"^P(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?$"
)


def declined_object(
    household: Household, session_offer: Offer | None, evening: date
) -> tuple[Declined, str | None, int | None]:
    """What a "not now" declines: the open offer, else what was last spoken this evening."""
    if session_offer in _CHECKIN_OFFERS:
        return Declined.CHECKIN, str(session_offer), None
    if session_offer is Offer.REMINDER:
        return Declined.REMINDER_OFFER, str(session_offer), None
    if session_offer is not None:
        return Declined.OFFER, str(session_offer), None
    spoken = household.last_spoken
    if spoken is not None and spoken.evening == evening:
        return spoken.kind, spoken.ref, spoken.level
    return Declined.NOTHING, None, None


def record_withdrawal(
    household: Household, now: datetime, evening: date, session_offer: Offer | None,
    *, retire: bool = False,
) -> tuple[Household, Withdrawal]:
    """The household with one more withdrawal, and that withdrawal.

    ``retire`` marks a misstep ("that one hurt"): a declined prompt is never offered again.
    """
    declined, ref, level = declined_object(household, session_offer, evening)
    withdrawal = Withdrawal(at=now, declined=declined, ref=ref, level=level, retired=retire)
    data = {"declined": str(declined), "ref": ref, "level": level}
    if retire:
        data["retired"] = True
    event = Event(kind=EventKind.WITHDRAWAL, at=now, data=data)
    return household.with_event(event), withdrawal


def last_withdrawal(household: Household) -> Withdrawal | None:
    withdrawals = household.withdrawals
    return withdrawals[-1] if withdrawals else None


def is_quiet_evening(household: Household, now: datetime, zone: ZoneInfo) -> bool:
    """True when the couple said "not now" this evening: no offers until 5 a.m."""
    tonight = evening_of(now, zone)
    return any(evening_of(w.at, zone) == tonight for w in household.withdrawals)


def recently_withdrew(household: Household, now: datetime, span: timedelta) -> bool:
    return any(now - w.at < span for w in household.withdrawals)


def held_back_prompt_ids(household: Household, now: datetime) -> frozenset[str]:
    """Prompts declined in the last 30 days, and prompts retired after a misstep."""
    return frozenset(
        w.ref
        for w in household.withdrawals
        if w.declined is Declined.PROMPT and w.ref
        and (w.retired or now - w.at < DECLINED_PROMPT_HOLD)
    )


def reminder_offer_held_back(household: Household, now: datetime) -> bool:
    """A reminder offer was declined in the last 30 days."""
    return any(
        w.declined is Declined.REMINDER_OFFER and now - w.at < REMINDER_OFFER_HOLD
        for w in household.withdrawals
    )


def paused_until(household: Household, now: datetime) -> datetime | None:
    """The end of the pause in force now, or None."""
    until: datetime | None = None
    for event in household.events:
        if event.kind is EventKind.PAUSE:
            until = parse_instant(event.data["until"])
        elif event.kind is EventKind.RESUME:
            until = None
    return until if until is not None and until > now else None


def may_offer(household: Household, now: datetime, zone: ZoneInfo) -> bool:
    """Offers are allowed: no "not now" this evening and no pause in force."""
    return not is_quiet_evening(household, now, zone) and paused_until(household, now) is None


def parse_duration(text: str | None) -> timedelta | None:
    """An ISO-8601 duration from AMAZON.DURATION ("P1W", "P2W", "P1M"), or None."""
    match = _DURATION.match((text or "").strip().upper())
    if not match or not any(match.groupdict().values()):
        return None
    parts = {name: int(value or 0) for name, value in match.groupdict().items()}
    return timedelta(
        days=parts["years"] * 365 + parts["months"] * 30 + parts["weeks"] * 7 + parts["days"],
        hours=parts["hours"],
        minutes=parts["minutes"],
        seconds=parts["seconds"],
    )


def clamp_pause(span: timedelta) -> timedelta:
    """Pauses last at least a day and at most about three months."""
    return min(max(span, SHORTEST_PAUSE), LONGEST_PAUSE)


def pause(household: Household, now: datetime, span: timedelta,
          zone: ZoneInfo | None = None) -> tuple[Household, datetime]:
    """Pause all offers and reminders for ``span`` (clamped); returns the end.

    Days are the couple's days: a week's pause set at 9 p.m. ends at 9 p.m. by their
    clock a week later, even when daylight saving time changed in between.
    """
    local = now.astimezone(zone) if zone is not None else now
    until = (local + clamp_pause(span)).astimezone(UTC)
    event = Event(kind=EventKind.PAUSE, at=now, data={"until": format_instant(until)})
    return household.with_event(event), until


def end_of_evening(now: datetime, zone: ZoneInfo) -> datetime:
    """When this evening ends: 5 a.m. local time after it."""
    rollover = time(hour=EVENING_ROLLOVER.seconds // 3600)
    return datetime.combine(evening_of(now, zone) + timedelta(days=1), rollover, tzinfo=zone)


def pause_tonight(household: Household, now: datetime, zone: ZoneInfo
                  ) -> tuple[Household, datetime]:
    """ "We need a breather": no offers for the rest of the evening; returns its end."""
    until = end_of_evening(now, zone)
    event = Event(kind=EventKind.PAUSE, at=now, data={"until": format_instant(until)})
    return household.with_event(event), until


def resume(household: Household, now: datetime) -> Household:
    """End a pause early ("we're back")."""
    return household.with_event(Event(kind=EventKind.RESUME, at=now))


def forget_offer_context(household: Household) -> Household:
    """After a withdrawal nothing is waiting to be declined again, and no check-in goes on."""
    return replace(household, last_spoken=None, checkin=None)
