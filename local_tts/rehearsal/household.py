"""What the skill keeps about the rehearsal household, in plain words (`/state`)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from skill.conversation import consent, depth
from skill.conversation.clock import evening_of
from skill.conversation.prompts import tonights_prompt_id
from skill.conversation.state import Household


def when(moment: datetime, zone: ZoneInfo) -> str:
    """ "Friday 28 November, 9:05 PM" in the household's zone."""
    local = moment.astimezone(zone)
    return f"{local:%A} {local.day} {local:%B}, {local:%I:%M %p}".replace(" 0", " ")


def describe(household: Household, now: datetime, zone: ZoneInfo) -> list[str]:
    """One line per thing the skill keeps; nothing anyone said is among them."""
    lines = [
        f"Depth: level {household.level} of 4 ({depth.LEVEL_NAMES[household.level]}).",
        f"First-run welcome: {'given' if household.welcomed else 'not yet'}.",
        f"Prompt cards in the Alexa app: {'on' if household.cards else 'off'}.",
    ]
    evening = evening_of(now, zone)
    tonight = tonights_prompt_id(household, evening)
    lines.append(f"Prompts kept in the history: {len(household.history)}"
                 + (f"; tonight's is {tonight}." if tonight else "; none yet tonight."))
    withdrawals = household.withdrawals
    if withdrawals:
        last = withdrawals[-1]
        what = f"{last.declined} {last.ref}" if last.ref else str(last.declined)
        lines.append(f'"Not now" recorded {len(withdrawals)} time(s); the latest on '
                     f"{when(last.at, zone)}, declining: {what}.")
    else:
        lines.append('"Not now" recorded: never.')
    if consent.is_quiet_evening(household, now, zone):
        lines.append("Tonight is a quiet evening: no offers until 5 AM.")
    paused = consent.paused_until(household, now)
    lines.append(f"Paused until {when(paused, zone)}." if paused else "Not paused.")
    if household.last_deeper_offer_at:
        lines.append(f"Last offer to go deeper: {when(household.last_deeper_offer_at, zone)}.")
    if household.off_limits:
        lines.append(f"Off-limits topics: {', '.join(sorted(household.off_limits))}.")
    return lines
