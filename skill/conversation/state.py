"""The household's state: what the skill keeps to honour its promises, and nothing said.

State has two parts. ``Household`` fields are a small document saved whole. Events
(withdrawals, pauses, resumes) are append-only records: a save never removes one, so
a "not now" written by one request cannot be overwritten by another request of the
same household that started earlier (see docs/state.md).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from skill.conversation.clock import format_instant, parse_instant

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


class EventKind(StrEnum):
    """Kinds of append-only household records."""

    WITHDRAWAL = "withdrawal"
    PAUSE = "pause"
    RESUME = "resume"


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
class PromptUse:
    """A prompt the skill spoke: its id, level, when, and on which evening."""

    prompt_id: str
    level: int
    at: datetime
    evening: date


@dataclass(frozen=True)
class Event:
    """An append-only household record. ``data`` never holds anything a person said."""

    kind: EventKind
    at: datetime
    data: dict[str, Any] = field(default_factory=dict)
    event_id: str = field(default_factory=lambda: uuid.uuid4().hex)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.event_id, "kind": str(self.kind), "at": format_instant(self.at),
                "data": dict(self.data)}

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Event:
        return cls(kind=EventKind(raw["kind"]), at=parse_instant(raw["at"]),
                   data=dict(raw.get("data") or {}), event_id=str(raw["id"]))


@dataclass(frozen=True)
class Withdrawal:
    """A "not now": when, and what it declined. Nothing the users said."""

    at: datetime
    declined: Declined
    ref: str | None = None
    level: int | None = None


@dataclass(frozen=True)
class Household:
    """Everything Porch Light keeps about one household."""

    level: int = 1
    """Current depth level, 1 (Porch) to 4 (Hearth)."""
    welcomed: bool = False
    """The first-run explanation has been given."""
    cards: bool = True
    """Send the prompt text as a card to the Alexa app."""
    closeness_opt_in: bool = False
    """Both partners opted in to closeness and affection prompts."""
    off_limits: frozenset[str] = frozenset()
    """Topics the couple put off-limits."""
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
    events: tuple[Event, ...] = ()
    """Append-only records, oldest first."""

    @property
    def withdrawals(self) -> tuple[Withdrawal, ...]:
        return tuple(
            Withdrawal(
                at=e.at,
                declined=Declined(e.data.get("declined", Declined.NOTHING)),
                ref=e.data.get("ref"),
                level=e.data.get("level"),
            )
            for e in self.events
            if e.kind is EventKind.WITHDRAWAL
        )

    def with_event(self, event: Event) -> Household:
        return replace(self, events=(*self.events, event))

    def to_attributes(self) -> dict[str, Any]:
        """The JSON-ready document the persistence adapter stores."""
        return {
            "schema": SCHEMA_VERSION,
            "level": self.level,
            "welcomed": self.welcomed,
            "cards": self.cards,
            "closeness_opt_in": self.closeness_opt_in,
            "off_limits": sorted(self.off_limits),
            "level_set_at": _instant_or_none(self.level_set_at),
            "level_raised_on": self.level_raised_on.isoformat() if self.level_raised_on else None,
            "last_deeper_offer_at": _instant_or_none(self.last_deeper_offer_at),
            "last_spoken": _spoken_to_dict(self.last_spoken),
            "history": [
                {"id": u.prompt_id, "level": u.level, "at": format_instant(u.at),
                 "evening": u.evening.isoformat()}
                for u in self.history
            ],
            "events": [e.to_dict() for e in self.events],
        }

    @classmethod
    def from_attributes(cls, raw: dict[str, Any] | None) -> Household:
        """Rebuild from a stored document; an empty one is a new household."""
        if not raw:
            return cls()
        return cls(
            level=min(4, max(1, int(raw.get("level", 1)))),
            welcomed=bool(raw.get("welcomed", False)),
            cards=bool(raw.get("cards", True)),
            closeness_opt_in=bool(raw.get("closeness_opt_in", False)),
            off_limits=frozenset(raw.get("off_limits") or ()),
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
            events=tuple(sorted((Event.from_dict(e) for e in raw.get("events") or ()),
                                key=lambda e: e.at)),
        )


def _instant_or_none(moment: datetime | None) -> str | None:
    return format_instant(moment) if moment else None


def _parse_or_none(text: str | None) -> datetime | None:
    return parse_instant(text) if text else None


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
