"""Time, evenings and weeks: the product's units.

An *evening* runs from 5 a.m. local time to 5 a.m. the next day, so a "not now" at
11 p.m. and a request at 1 a.m. belong to the same evening.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

Clock = Callable[[], datetime]
"""Returns the current time, timezone-aware (UTC). Tests pass their own."""

EVENING_ROLLOVER = timedelta(hours=5)
_ALEXA_TIME = re.compile(r"^(\d{2}):(\d{2})$")

LOCALE_TIMEZONES = {
    "en-US": "America/New_York",
    "en-CA": "America/Toronto",
    "en-GB": "Europe/London",
    "en-IE": "Europe/Dublin",
    "en-AU": "Australia/Sydney",
    "en-IN": "Asia/Kolkata",
}


def system_clock() -> datetime:
    """The real current time in UTC."""
    return datetime.now(UTC)


class SettableClock:
    """A clock that stays where it is put; for tests and rehearsal."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("the clock needs a timezone-aware time")
        self.current = start.astimezone(UTC)

    def __call__(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta) -> None:
        """Move the clock forward by ``delta``."""
        self.current += delta


def resolve_timezone(name: str | None, locale: str | None) -> ZoneInfo:
    """The named zone, else the locale's usual zone, else UTC."""
    for candidate in (name, LOCALE_TIMEZONES.get(locale or "")):
        if candidate:
            try:
                return ZoneInfo(candidate)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


def evening_of(moment: datetime, zone: ZoneInfo) -> date:
    """The evening ``moment`` belongs to: the local date, rolling over at 5 a.m."""
    return (moment.astimezone(zone) - EVENING_ROLLOVER).date()


def parse_instant(text: str) -> datetime:
    """Parse an ISO-8601 instant written by ``format_instant``."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def format_instant(moment: datetime, *, precise: bool = False) -> str:
    """ISO-8601 in UTC, to the second (to the microsecond when ``precise``)."""
    if precise:
        return moment.astimezone(UTC).isoformat(timespec="microseconds")
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def alexa_clock_time(value: str) -> tuple[int, int] | None:
    """An AMAZON.TIME clock value ("22:00") as (hour, minute), or None when it is not one."""
    match = _ALEXA_TIME.match(value)
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    return (hour, minute) if hour <= 23 and minute <= 59 else None
