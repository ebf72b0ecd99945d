"""Append-only household records: withdrawals, pauses, boundaries and opt-ins.

Kept apart from ``state`` so that the rules folding them (boundaries, consent) depend
on the records alone, and ``state`` depends on those rules, never the other way round.
"""

from __future__ import annotations

import itertools
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from skill.conversation.clock import format_instant, parse_instant


class EventKind(StrEnum):
    """Kinds of append-only household records."""

    WITHDRAWAL = "withdrawal"
    PAUSE = "pause"
    RESUME = "resume"
    BOUNDARY_SET = "boundary-set"
    BOUNDARY_REMOVED = "boundary-removed"
    CLOSENESS_YES = "closeness-yes"
    """One partner's yes to the closeness & affection prompts (``person``: a keyed hash)."""
    CLOSENESS_OFF = "closeness-off"
    """Either partner turned the closeness & affection prompts off."""


_event_sequence = itertools.count()


def new_event_id() -> str:
    """Unique, and in creation order within a process (ties at one instant keep their order)."""
    return f"{time.time_ns():020d}-{next(_event_sequence):010d}-{uuid.uuid4().hex[:12]}"


@dataclass(frozen=True)
class Event:
    """An append-only household record. ``data`` never holds anything a person said."""

    kind: EventKind
    at: datetime
    data: dict[str, Any] = field(default_factory=dict)
    event_id: str = field(default_factory=new_event_id)

    @property
    def order(self) -> tuple[datetime, str]:
        """Events apply in time order; ids break ties between events of one instant."""
        return self.at, self.event_id

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.event_id, "kind": str(self.kind),
                "at": format_instant(self.at, precise=True), "data": dict(self.data)}

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Event:
        return cls(kind=EventKind(raw["kind"]), at=parse_instant(raw["at"]),
                   data=dict(raw.get("data") or {}), event_id=str(raw["id"]))
