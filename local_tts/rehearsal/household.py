"""What the skill keeps about the rehearsal household, in plain words (`/state`)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from skill.conversation import checkin, consent, depth
from skill.conversation.clock import evening_of
from skill.conversation.prompts import tonights_prompt_id
from skill.conversation.reminders import spoken_when
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
    return lines + _agreements(household, now, zone)


def _agreements(household: Household, now: datetime, zone: ZoneInfo) -> list[str]:
    """Boundaries, the check-in, the reminder and opt-ins."""
    lines = []
    agreed = household.boundaries
    if agreed.off_limits:
        lines.append(f"Off-limits topics: {', '.join(sorted(agreed.off_limits))}.")
    if agreed.quiet is not None:
        kind = ("no prompts" if agreed.quiet.gentle_level is None
                else f"prompts no deeper than level {agreed.quiet.gentle_level}")
        lines.append(f"Quiet hours: from {agreed.quiet.start:%H:%M}, {kind}.")
    if agreed.no_weeknights:
        lines.append("No prompts on weeknights.")
    if agreed.ceiling:
        lines.append(f"Depth limit: level {agreed.ceiling}.")
    if agreed.closeness:
        lines.append("Closeness & affection prompts: on (each partner said yes).")
    elif agreed.closeness_voices:
        lines.append("Closeness & affection prompts: one yes so far, waiting for the other.")
    current = checkin.active(household.checkin, now)
    if current is not None:
        lines.append(f"Check-in under way ({current.variant}): at the {current.step} step.")
    if household.checkin_dates:
        lines.append(f"Check-ins completed: {len(household.checkin_dates)}, the latest on "
                     f"{household.checkin_dates[-1]:%A %d %B}.")
    reminder = household.reminder
    if reminder is not None:
        state = "set" if reminder.token else "waiting for the reminders permission"
        lines.append(f"Weekly reminder: {spoken_when(reminder)} ({state}).")
    if household.remember_weather:
        words = ", ".join(word for _, word in household.weather) or "none yet"
        lines.append(f"Weather words (kept after the opt-in): {words}.")
    return lines
