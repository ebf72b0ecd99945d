"""The couple's boundaries (PRODUCT.md section 6): off-limits topics, quiet hours, weeknights,
a depth ceiling, cards, and the closeness & affection prompts (on only after a yes from each
partner). Kept as append-only events and folded into one value, so a boundary
set on one device is never lost to a save from another. Setting a boundary can only make things
more careful; loosening one is an explicit removal.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from skill.conversation.clock import EVENING_ROLLOVER, alexa_clock_time, evening_of
from skill.conversation.events import Event, EventKind

TOPICS = (
    "family", "money", "work", "health", "body", "intimacy", "past-relationships", "conflict",
    "parenting", "faith", "friends", "future", "in-laws", "loss",
)
WEEKNIGHT_EVENINGS = frozenset({6, 0, 1, 2, 3})  # Sunday to Thursday: a workday follows
REVISIT_AFTER = timedelta(weeks=4)
DEEPEST = 4
_EVENING_PARTS = {"EV": "19:00", "NI": "21:00"}


_CLOSENESS_KINDS = frozenset({EventKind.CLOSENESS_YES, EventKind.CLOSENESS_OFF,
                              EventKind.WITHDRAWAL})


class Rule(StrEnum):
    """Boundaries that are a switch rather than a value."""

    WEEKNIGHTS = "weeknights"
    CARDS = "cards"
    QUIET_HOURS = "quiet-hours"
    DEPTH_LIMIT = "depth-limit"


class Tonight(StrEnum):
    """What the boundaries allow right now."""

    OPEN = "open"
    GENTLE = "gentle"
    QUIET = "quiet"


@dataclass(frozen=True)
class QuietHours:
    """From ``start`` until the evening ends (5 a.m.): gentler prompts, or none at all."""

    start: time
    """Local time the quiet begins."""
    gentle_level: int | None
    """Deepest level allowed then; None means no prompts at all."""


@dataclass(frozen=True)
class Boundaries:
    """Everything the couple agreed, as one value."""

    off_limits: frozenset[str] = frozenset()
    """Topics no prompt may touch."""
    quiet: QuietHours | None = None
    """Quiet hours, if any."""
    no_weeknights: bool = False
    """No prompts on evenings before a workday (Sunday to Thursday)."""
    ceiling: int | None = None
    """The deepest level any prompt may have."""
    cards: bool = True
    """Send prompt cards to the Alexa app."""
    closeness: bool = False
    """The closeness & affection prompts are on: each partner said yes, and nobody said no."""
    closeness_voices: frozenset[str] = frozenset()
    """Who said yes to them so far (keyed hashes, or one mark per unrecognised yes)."""
    changed_at: datetime | None = None
    """When a boundary last changed."""

    @property
    def is_empty(self) -> bool:
        return (not self.off_limits and self.quiet is None and not self.no_weeknights
                and self.ceiling is None and self.cards and not self.closeness)

    def said_yes(self, person: str | None) -> bool:
        """This recognised person already said yes to the closeness prompts."""
        return person is not None and person in self.closeness_voices


def boundary_set(at: datetime, **data: Any) -> Event:
    """An event that makes one boundary more careful."""
    return Event(kind=EventKind.BOUNDARY_SET, at=at, data=data)


def boundary_removed(at: datetime, **data: Any) -> Event:
    """An event that removes one boundary."""
    return Event(kind=EventKind.BOUNDARY_REMOVED, at=at, data=data)


def closeness_yes(at: datetime, person: str | None) -> Event:
    """One partner's yes to the closeness prompts; ``person`` is a keyed hash, or None when
    Alexa did not recognise who spoke."""
    return Event(kind=EventKind.CLOSENESS_YES, at=at, data={"person": person} if person else {})


def closeness_off(at: datetime) -> Event:
    """Either partner's "no more of those": off at once."""
    return Event(kind=EventKind.CLOSENESS_OFF, at=at)


def evening_time(value: str | None) -> str | None:
    """An AMAZON.TIME value as the start of quiet hours (HH:MM), or None.

    Alexa resolves a bare "ten" to 10:00, but nobody asks for quiet from ten in the
    morning: in quiet hours an hour from one to eleven means the evening ("after ten" is
    22:00, "ten thirty" 22:30), twelve means midnight, and "midnight" stays 00:00.
    Parts of the day: evening 19:00, night 21:00; morning or afternoon are not evenings.
    """
    text = (value or "").strip().upper()
    if text in _EVENING_PARTS:
        return _EVENING_PARTS[text]
    clock = alexa_clock_time(text)
    if clock is None:
        return None
    hour, minute = clock
    if 1 <= hour <= 11:
        hour += 12
    elif hour == 12:
        hour = 0
    return f"{hour:02d}:{minute:02d}"


def _stricter_quiet(old: QuietHours | None, new: QuietHours) -> QuietHours:
    if old is None:
        return new
    start = min(old.start, new.start, key=_minutes_into_evening)
    levels = [q.gentle_level for q in (old, new)]
    gentle = None if None in levels else min(level for level in levels if level is not None)
    return QuietHours(start=start, gentle_level=gentle)


def _apply_set(current: Boundaries, data: dict[str, Any]) -> Boundaries:
    if "topic" in data:
        return replace(current, off_limits=current.off_limits | {str(data["topic"])})
    if "quiet_start" in data:
        # evening_time again: households stored "10:00" for "after ten" before it read hours
        # as the evening; the same words now mean the same evening.
        start = evening_time(str(data["quiet_start"])) or str(data["quiet_start"])
        quiet = QuietHours(time.fromisoformat(start), data.get("gentle_level"))
        return replace(current, quiet=_stricter_quiet(current.quiet, quiet))
    if "ceiling" in data:
        ceiling = int(data["ceiling"])
        return replace(current, ceiling=min(ceiling, current.ceiling or DEEPEST))
    rule = data.get("rule")
    if rule == Rule.WEEKNIGHTS:
        return replace(current, no_weeknights=True)
    if rule == Rule.CARDS:
        return replace(current, cards=False)
    return current


def _apply_removal(current: Boundaries, data: dict[str, Any]) -> Boundaries:
    if "topic" in data:
        return replace(current, off_limits=current.off_limits - {str(data["topic"])})
    rule = data.get("rule")
    if rule == Rule.WEEKNIGHTS:
        return replace(current, no_weeknights=False)
    if rule == Rule.CARDS:
        return replace(current, cards=True)
    if rule == Rule.QUIET_HOURS:
        return replace(current, quiet=None)
    if rule == Rule.DEPTH_LIMIT:
        return replace(current, ceiling=None)
    return current


def _apply_closeness(current: Boundaries, event: Event) -> Boundaries:
    """A yes adds a voice (two different ones turn the prompts on); a no turns them off; a
    "not now" drops a yes still waiting for the other partner."""
    if event.kind is EventKind.WITHDRAWAL:
        return replace(current, closeness_voices=frozenset())
    if event.kind is EventKind.CLOSENESS_OFF:
        return replace(current, closeness=False, closeness_voices=frozenset(),
                       changed_at=event.at)
    if current.closeness:
        return current
    voice = str(event.data.get("person") or f"unrecognised:{event.event_id}")
    voices = current.closeness_voices | {voice}
    if len(voices) >= 2:
        return replace(current, closeness=True, closeness_voices=frozenset(),
                       changed_at=event.at)
    return replace(current, closeness_voices=voices)


def fold_boundaries(events: Iterable[Event]) -> Boundaries:
    """The boundaries in force after these events, oldest first."""
    current = Boundaries()
    for event in events:
        if event.kind is EventKind.BOUNDARY_SET:
            current = replace(_apply_set(current, event.data), changed_at=event.at)
        elif event.kind is EventKind.BOUNDARY_REMOVED:
            current = replace(_apply_removal(current, event.data), changed_at=event.at)
        elif event.kind in _CLOSENESS_KINDS:
            current = _apply_closeness(current, event)
    return current


def _minutes_into_evening(moment: time) -> int:
    """Minutes since the evening began at 5 a.m., so 1 a.m. sorts after 10 p.m."""
    shifted = datetime.combine(datetime(2000, 1, 1), moment) - EVENING_ROLLOVER
    return shifted.hour * 60 + shifted.minute


def tonight(boundaries: Boundaries, now: datetime, zone: ZoneInfo) -> Tonight:
    """Whether prompts may come now, only gentle ones, or none."""
    if boundaries.no_weeknights and evening_of(now, zone).weekday() in WEEKNIGHT_EVENINGS:
        return Tonight.QUIET
    quiet = boundaries.quiet
    local = now.astimezone(zone).time()
    if quiet is not None and _minutes_into_evening(local) >= _minutes_into_evening(quiet.start):
        return Tonight.QUIET if quiet.gentle_level is None else Tonight.GENTLE
    return Tonight.OPEN


def level_cap(boundaries: Boundaries, now: datetime, zone: ZoneInfo) -> int:
    """The deepest level the boundaries allow now."""
    cap = boundaries.ceiling or DEEPEST
    if tonight(boundaries, now, zone) is Tonight.GENTLE and boundaries.quiet is not None:
        cap = min(cap, boundaries.quiet.gentle_level or 1)
    return cap


def should_offer_revisit(boundaries: Boundaries, last_offer: datetime | None,
                         now: datetime) -> bool:
    """Every four weeks the skill may offer, once, to read the boundaries back."""
    if boundaries.is_empty or boundaries.changed_at is None:
        return False
    since = max(boundaries.changed_at, last_offer) if last_offer else boundaries.changed_at
    return now - since >= REVISIT_AFTER
