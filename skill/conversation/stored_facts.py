"""What Porch Light keeps about a household: one list behind the privacy policy and the readout.

PRODUCT.md section 8 names what may be stored. Each fact here names the household fields and
record kinds it covers (a test fails when the household gains a field or a record kind no
fact covers), the spoken lines "what do you remember about us?" reads it back with (a test
fails when the readout speaks a line no fact names), and the key of its plain-words
description on the privacy page (``skill/content/privacy.yaml``). So the page, the readout
and the stored state cannot drift apart without a test saying which to update.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from skill.conversation.state import HISTORY_DAYS_KEPT, EventKind, Household


@dataclass(frozen=True)
class StoredFact:
    """One kind of thing kept about a household."""

    key: str
    """Names its description on the privacy page (``facts.<key>`` in privacy.yaml)."""
    fields: tuple[str, ...] = ()
    """The ``Household`` fields that hold it."""
    records: tuple[str, ...] = ()
    """The kinds of append-only household record (``EventKind`` values) that hold it."""
    readout: tuple[str, ...] = ()
    """The spoken lines that read it back when asked "what do you remember about us?"."""


STORED_FACTS: tuple[StoredFact, ...] = (
    StoredFact("household"),
    StoredFact("level", fields=("level", "level_set_at", "level_raised_on",
                                "last_deeper_offer_at"),
               readout=("remember_level",)),
    StoredFact("history", fields=("history", "last_spoken"), readout=("remember_history",)),
    StoredFact("withdrawals", records=("withdrawal",), readout=("remember_withdrawals",)),
    StoredFact("pauses", records=("pause", "resume"), readout=("remember_paused",)),
    StoredFact("boundaries", fields=("revisit_offered_at",),
               records=("boundary-set", "boundary-removed"),
               readout=("boundary_topics", "boundary_quiet_none", "boundary_quiet_gentle",
                        "boundary_weeknights", "boundary_ceiling", "boundary_no_cards")),
    StoredFact("opt_ins", fields=("welcomed",),
               records=("closeness-yes", "closeness-off"),
               readout=("boundary_closeness", "remember_people")),
    StoredFact("checkins", fields=("checkin", "checkin_dates"), readout=("remember_checkins",)),
    StoredFact("reminder", fields=("reminder", "reminder_offered_at"),
               readout=("remember_reminder",)),
    StoredFact("weather", fields=("remember_weather", "weather"),
               readout=("remember_weather_words",)),
    StoredFact("time_zone", fields=("zones",), readout=("remember_zone",)),
)
"""Everything kept, in the order the privacy page lists it. A fact whose fields and record
kinds the household does not have (yet) is not stated: see ``current_facts``."""

POLICY_VALUES = {"history_days": str(HISTORY_DAYS_KEPT)}
"""Numbers the privacy page states, taken from the code that enforces them."""


def current_facts() -> tuple[StoredFact, ...]:
    """The facts this version of the skill really keeps: the page states these and no more."""
    household_fields = {field.name for field in fields(Household)}
    record_kinds = {str(kind) for kind in EventKind}
    return tuple(fact for fact in STORED_FACTS
                 if (not fact.fields and not fact.records)
                 or household_fields.intersection(fact.fields)
                 or record_kinds.intersection(fact.records))


def readout_lines() -> frozenset[str]:
    """Every spoken line that reads a stored fact back."""
    return frozenset(line for fact in STORED_FACTS for line in fact.readout)
