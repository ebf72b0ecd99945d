"""The household's state: what the skill keeps to honour its promises, and nothing said.

State has two parts. ``Household`` fields are a small document saved whole. Events
(withdrawals, pauses, resumes) are append-only records: a save never removes one, so
a "not now" written by one request cannot be overwritten by another request of the
same household that started earlier (see docs/state.md).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from functools import cached_property
from typing import Any

from skill.conversation.boundaries import Boundaries, fold_boundaries
from skill.conversation.clock import format_instant, parse_instant
from skill.conversation.events import Event, EventKind

__all__ = ["Event", "EventKind"]  # re-exported: records are part of the household's state

SCHEMA_VERSION = 1
HISTORY_DAYS_KEPT = 120


class Declined(StrEnum):
    """What a withdrawal declined: what the skill most recently offered or spoke."""

    PROMPT = "prompt"
    OFFER = "offer"
    CHECKIN = "checkin"
    REMINDER_OFFER = "reminder-offer"
    NOTHING = "nothing"


class Offer(StrEnum):
    """A question the skill asked and is waiting on, kept in the session."""

    PROMPT = "prompt"
    DEEPER = "deeper"
    HEARTH_FIRST_YES = "hearth-first-yes"
    HEARTH_SECOND_YES = "hearth-second-yes"
    CLOSENESS_SECOND_YES = "closeness-second-yes"
    CHECKIN_PERMISSION = "checkin-permission"
    STORMY_LIGHTER = "stormy-lighter"
    REMINDER = "reminder"
    REVISIT_BOUNDARIES = "revisit-boundaries"
    FORGET = "forget"
    CRISIS_NUMBER = "crisis-number"
    """After the crisis answer: "Would you like me to say the number again?"."""
    WEATHER_WORD = "weather-word"
    """The check-in asked for the weather word (Dialog.ElicitSlot)."""
    REMOVE_ALL_BOUNDARIES = "remove-all-boundaries"


CONFIRMATIONS = frozenset({Offer.FORGET, Offer.REMOVE_ALL_BOUNDARIES})
"""Questions that confirm a request rather than offer something: "no" there is no withdrawal."""


class CheckInStep(StrEnum):
    """The steps of the weekly check-in, in the order of the full variant."""

    PERMISSION = "permission"
    APPRECIATION = "appreciation"
    WEATHER = "weather"
    SHIFTED = "shifted"
    TENSE_MOMENT = "tense-moment"
    WHAT_HELPED = "what-helped"
    NEXT_WEEK = "next-week"
    CLOSE = "close"


class CheckInVariant(StrEnum):
    """Full (about five minutes), short, or stormy (lighter after a stormy week)."""

    FULL = "full"
    SHORT = "short"
    STORMY = "stormy"


@dataclass(frozen=True)
class CheckIn:
    """A check-in under way: which variant, which step was last spoken, and when."""

    variant: CheckInVariant
    step: CheckInStep
    started_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class Reminder:
    """The one weekly Alexa reminder: its token from the Reminders API, day and time."""

    day: str
    """Two-letter weekday as in RRULE: MO ... SU."""
    at: str
    """Local time, HH:MM."""
    token: str | None = None
    """The reminder's alertToken; None while it waits for permission."""


@dataclass(frozen=True)
class Spoken:
    """The last thing the skill offered or spoke on an evening, so "not now" knows its object."""

    kind: Declined
    """Prompt, offer, check-in step..."""
    ref: str | None
    """The prompt id, offer name or step name."""
    evening: date
    """The evening it was spoken on."""
    level: int | None = None
    """The prompt's depth level, when it was a prompt."""


@dataclass(frozen=True)
class DeviceZone:
    """A device's time zone from the Alexa Settings API, and when it was last asked."""

    device: str
    """A hash of the device id (see ``timezones.device_key``)."""
    zone: str | None
    """IANA name; None when Alexa has not told us one yet."""
    checked_at: datetime
    """When the Settings API was last asked (at most once a day)."""


@dataclass(frozen=True)
class PromptUse:
    """A prompt the skill spoke: its id, level, when, and on which evening."""

    prompt_id: str
    level: int
    at: datetime
    evening: date


@dataclass(frozen=True)
class Withdrawal:
    """A "not now": when, and what it declined. Nothing the users said."""

    at: datetime
    declined: Declined
    ref: str | None = None
    level: int | None = None
    retired: bool = False
    """A misstep ("that one hurt"): the declined prompt never comes back."""


@dataclass(frozen=True)
class Household:
    """Everything Porch Light keeps about one household."""

    level: int = 1
    """Current depth level, 1 (Porch) to 4 (Hearth)."""
    welcomed: bool = False
    """The first-run explanation has been given."""
    level_set_at: datetime | None = None
    """When the level last changed (comfortable evenings count from here)."""
    level_raised_on: date | None = None
    """The evening the level last rose (at most one step an evening)."""
    last_deeper_offer_at: datetime | None = None
    """When the skill last offered to go deeper (at most once a week)."""
    last_spoken: Spoken | None = None
    """What the skill most recently offered or spoke, and on which evening."""
    history: tuple[PromptUse, ...] = ()
    """Prompts spoken in the last HISTORY_DAYS_KEPT days, oldest first."""
    checkin: CheckIn | None = None
    """The check-in under way, if any (it expires after three hours)."""
    checkin_dates: tuple[date, ...] = ()
    """Evenings a check-in was completed."""
    remember_weather: bool = False
    """The couple asked Porch Light to remember their weather word."""
    weather: tuple[tuple[date, str], ...] = ()
    """Weather words by evening, kept only after the opt-in."""
    reminder: Reminder | None = None
    """The weekly check-in reminder, if one exists or waits for permission."""
    reminder_offered_at: datetime | None = None
    """When the skill last offered a reminder."""
    revisit_offered_at: datetime | None = None
    """When the skill last offered to read the boundaries back."""
    events: tuple[Event, ...] = ()
    """Append-only records, oldest first."""
    zones: tuple[DeviceZone, ...] = ()
    """Each device's time zone as the Settings API reported it, most recently asked last."""

    @property
    def withdrawals(self) -> tuple[Withdrawal, ...]:
        return tuple(
            Withdrawal(
                at=e.at,
                declined=Declined(e.data.get("declined", Declined.NOTHING)),
                ref=e.data.get("ref"),
                level=e.data.get("level"),
                retired=bool(e.data.get("retired", False)),
            )
            for e in self.events
            if e.kind is EventKind.WITHDRAWAL
        )

    @cached_property
    def boundaries(self) -> Boundaries:
        """The couple's boundaries, folded from their events (once per household value)."""
        return fold_boundaries(self.events)

    @property
    def off_limits(self) -> frozenset[str]:
        return self.boundaries.off_limits

    @property
    def cards(self) -> bool:
        return self.boundaries.cards

    @property
    def closeness(self) -> bool:
        """Both partners said yes to the closeness & affection prompts, and neither said no."""
        return self.boundaries.closeness

    def with_event(self, event: Event) -> Household:
        return replace(self, events=(*self.events, event))

    def to_attributes(self) -> dict[str, Any]:
        """The JSON-ready document the persistence adapter stores."""
        return {
            "schema": SCHEMA_VERSION,
            "level": self.level,
            "welcomed": self.welcomed,
            "level_set_at": _instant_or_none(self.level_set_at),
            "level_raised_on": self.level_raised_on.isoformat() if self.level_raised_on else None,
            "last_deeper_offer_at": _instant_or_none(self.last_deeper_offer_at),
            "last_spoken": _spoken_to_dict(self.last_spoken),
            "history": [
                {"id": u.prompt_id, "level": u.level, "at": format_instant(u.at),
                 "evening": u.evening.isoformat()}
                for u in self.history
            ],
            "checkin": _checkin_to_dict(self.checkin),
            "checkin_dates": [d.isoformat() for d in self.checkin_dates],
            "remember_weather": self.remember_weather,
            "weather": [[d.isoformat(), word] for d, word in self.weather],
            "reminder": asdict(self.reminder) if self.reminder else None,
            "reminder_offered_at": _instant_or_none(self.reminder_offered_at),
            "revisit_offered_at": _instant_or_none(self.revisit_offered_at),
            "events": [e.to_dict() for e in self.events],
            "zones": [{"device": z.device, "zone": z.zone,
                       "checked_at": format_instant(z.checked_at)} for z in self.zones],
        }

    @classmethod
    def from_attributes(cls, raw: dict[str, Any] | None) -> Household:
        """Rebuild from a stored document; an empty one is a new household."""
        if not raw:
            return cls()
        return cls(
            level=min(4, max(1, int(raw.get("level", 1)))),
            welcomed=bool(raw.get("welcomed", False)),
            level_set_at=_parse_or_none(raw.get("level_set_at")),
            level_raised_on=date.fromisoformat(raw["level_raised_on"])
            if raw.get("level_raised_on") else None,
            last_deeper_offer_at=_parse_or_none(raw.get("last_deeper_offer_at")),
            last_spoken=_spoken_from_dict(raw.get("last_spoken")),
            history=tuple(
                PromptUse(prompt_id=u["id"], level=int(u["level"]), at=parse_instant(u["at"]),
                          evening=date.fromisoformat(u["evening"]))
                for u in raw.get("history") or ()
            ),
            checkin=_checkin_from_dict(raw.get("checkin")),
            checkin_dates=tuple(date.fromisoformat(d) for d in raw.get("checkin_dates") or ()),
            remember_weather=bool(raw.get("remember_weather", False)),
            weather=tuple((date.fromisoformat(d), str(w)) for d, w in raw.get("weather") or ()),
            reminder=Reminder(**raw["reminder"]) if raw.get("reminder") else None,
            reminder_offered_at=_parse_or_none(raw.get("reminder_offered_at")),
            revisit_offered_at=_parse_or_none(raw.get("revisit_offered_at")),
            events=tuple(sorted((Event.from_dict(e) for e in raw.get("events") or ()),
                                key=lambda e: e.order)),
            zones=tuple(DeviceZone(device=str(z["device"]), zone=z.get("zone"),
                                   checked_at=parse_instant(z["checked_at"]))
                        for z in raw.get("zones") or ()),
        )


def _instant_or_none(moment: datetime | None) -> str | None:
    return format_instant(moment) if moment else None


def _parse_or_none(text: str | None) -> datetime | None:
    return parse_instant(text) if text else None


def _checkin_to_dict(checkin: CheckIn | None) -> dict[str, Any] | None:
    if checkin is None:
        return None
    return {"variant": str(checkin.variant), "step": str(checkin.step),
            "started_at": format_instant(checkin.started_at),
            "updated_at": format_instant(checkin.updated_at)}


def _checkin_from_dict(raw: dict[str, Any] | None) -> CheckIn | None:
    if not raw:
        return None
    return CheckIn(variant=CheckInVariant(raw["variant"]), step=CheckInStep(raw["step"]),
                   started_at=parse_instant(raw["started_at"]),
                   updated_at=parse_instant(raw["updated_at"]))


def _spoken_to_dict(spoken: Spoken | None) -> dict[str, Any] | None:
    if spoken is None:
        return None
    return {"kind": str(spoken.kind), "ref": spoken.ref, "evening": spoken.evening.isoformat(),
            "level": spoken.level}


def _spoken_from_dict(raw: dict[str, Any] | None) -> Spoken | None:
    if not raw:
        return None
    return Spoken(kind=Declined(raw["kind"]), ref=raw.get("ref"),
                  evening=date.fromisoformat(raw["evening"]), level=raw.get("level"))
