"""The weekly check-in reminder: which day and time, and the Reminders API request for it."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from skill.conversation.clock import alexa_clock_time
from skill.conversation.state import Reminder

DEFAULT_DAY = "SU"
DEFAULT_TIME = "19:00"
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
DAY_NAMES = dict(zip(WEEKDAYS, ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
                                "Saturday", "Sunday"), strict=True))
_PARTS_OF_DAY = {"MO": "09:00", "AF": "14:00", "EV": "19:00", "NI": "21:00"}


def parse_day(slot_id: str | None) -> str | None:
    """A WEEKDAY slot id (MO ... SU), or None."""
    day = (slot_id or "").upper()
    return day if day in WEEKDAYS else None


def parse_time(value: str | None) -> str | None:
    """An AMAZON.TIME value as HH:MM for an evening reminder.

    Alexa gives "20:00", or "08:00" for a bare "eight"; a check-in reminder between one
    and nine is read as evening. Parts of the day ("EV") get a sensible hour.
    """
    text = (value or "").strip().upper()
    if text in _PARTS_OF_DAY:
        return _PARTS_OF_DAY[text]
    clock = alexa_clock_time(text)
    if clock is None:
        return None
    hour, minute = clock
    if 1 <= hour <= 9:
        hour += 12
    return f"{hour:02d}:{minute:02d}"


def choose(existing: Reminder | None, day: str | None, at: str | None) -> Reminder:
    """The reminder the couple asked for: what they said, else what they had, else Sunday 7."""
    return Reminder(
        day=day or (existing.day if existing else DEFAULT_DAY),
        at=at or (existing.at if existing else DEFAULT_TIME),
        token=existing.token if existing else None,
    )


def spoken_when(reminder: Reminder) -> str:
    """ "Sundays at 7 p.m." """
    clock = time.fromisoformat(reminder.at)
    hour = clock.hour % 12 or 12
    minutes = f":{clock.minute:02d}" if clock.minute else ""
    return f"{DAY_NAMES[reminder.day]}s at {hour}{minutes} {'a.m.' if clock.hour < 12 else 'p.m.'}"


def first_occurrence(reminder: Reminder, after: datetime, zone: ZoneInfo) -> datetime:
    """The first local time the reminder fires after ``after``."""
    local = after.astimezone(zone)
    clock = time.fromisoformat(reminder.at)
    days_ahead = (WEEKDAYS.index(reminder.day) - local.weekday()) % 7
    candidate = datetime.combine(local.date() + timedelta(days=days_ahead), clock, tzinfo=zone)
    return candidate if candidate > local else candidate + timedelta(days=7)


def reminder_request(reminder: Reminder, now: datetime, zone: ZoneInfo, locale: str,
                     text: str, *, starting: datetime | None = None) -> dict[str, Any]:
    """The Reminders API body for a weekly recurring reminder in the device's time zone."""
    start = first_occurrence(reminder, starting or now, zone)
    clock = time.fromisoformat(reminder.at)
    stamp = "%Y-%m-%dT%H:%M:%S.000"
    rule = (f"FREQ=WEEKLY;BYDAY={reminder.day};BYHOUR={clock.hour};BYMINUTE={clock.minute};"
            "BYSECOND=0;INTERVAL=1")
    return {
        "requestTime": now.astimezone(zone).strftime(stamp),
        "trigger": {
            "type": "SCHEDULED_ABSOLUTE",
            "timeZoneId": zone.key,
            "recurrence": {"startDateTime": start.strftime(stamp), "recurrenceRules": [rule]},
        },
        "alertInfo": {"spokenInfo": {"content": [{"locale": locale, "text": text}]}},
        "pushNotification": {"status": "ENABLED"},
    }
