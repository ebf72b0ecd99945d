"""Households decoded once per stored form, per skill object.

Most requests read a household whose stored text has not changed since this process last
read it (asking again for tonight's prompt changes nothing). Its decoded ``Household``, a
frozen value, is kept and reused, and so is knowing whether writing it back would store
exactly the same text, which is what lets a turn skip the write without encoding it.
The store is read on every request all the same, and the kept household is used only
while the stored text is exactly the text it was decoded from: another process's write is
seen at once, and nothing here can serve a stale household.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from skill.conversation.state import Household
from skill.storage.base import EVENTS

MAX_KEPT = 256
"""Households kept decoded per skill object (so per worker); the oldest goes first. About
2 KB each (measured: a few prompts in the history), 20 KB with 60 prompts; 10 MB at most,
were every kept household to hold 120 days of nightly prompts."""


@dataclass(frozen=True)
class Decoded:
    """A stored household as the conversation reads it."""

    household: Household
    exact: bool
    """Writing ``household`` back would store exactly what was read: nothing to write."""


def decode(attributes: dict[str, Any]) -> Decoded:
    """Decode stored attributes (a store leaves out an empty event list)."""
    household = Household.from_attributes(attributes)
    return Decoded(household, household.to_attributes() == {EVENTS: [], **attributes})


class DecodedHouseholds:
    """``decode``, remembered per household key with the stored text it was read from.

    The attributes a store loads carry that text (``StoredAttributes.source``); when it is
    what was kept, the kept ``Decoded`` is the answer. One entry per household, so a
    household's old forms are never kept, and ``forget`` drops it at once when the
    household is deleted. Attributes with no stored text are decoded every time.
    Thread-safe: a look-up takes no lock, and a race decodes twice, harmlessly.
    """

    def __init__(self, max_kept: int = MAX_KEPT) -> None:
        self._max_kept = max_kept
        self._kept: dict[str, tuple[tuple[str, ...], Decoded]] = {}
        self._lock = threading.Lock()

    def read(self, key: str, attributes: dict[str, Any]) -> Decoded:
        """The household stored under ``key``, from the attributes its store loaded."""
        source = getattr(attributes, "source", None)
        if source is None:
            return decode(attributes)
        kept = self._kept.get(key)
        if kept is not None and kept[0] == source:
            return kept[1]
        found = decode(attributes)
        with self._lock:
            self._kept.pop(key, None)  # kept again as the newest
            if len(self._kept) >= self._max_kept:
                self._kept.pop(next(iter(self._kept)))
            self._kept[key] = (source, found)
        return found

    def forget(self, key: str) -> None:
        """Drop what is kept of a household (it was deleted)."""
        with self._lock:
            self._kept.pop(key, None)

    def __contains__(self, key: object) -> bool:
        return key in self._kept

    def __len__(self) -> int:
        return len(self._kept)
