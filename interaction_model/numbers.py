"""Spoken numbers, durations and times as Alexa's built-in slot types report them.

Each parser takes a run of normalised words and returns the value Alexa would put
in the slot (``"21"``, ``"P2W"``, ``"19:30"``), or None when the words are not one.
"""

from __future__ import annotations

from collections.abc import Sequence

UNITS = {
    "zero": 0, "oh": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}
TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
        "eighty": 80, "ninety": 90}
SCALES = {"hundred": 100, "thousand": 1000}
NUMBER_WORDS = frozenset(UNITS) | frozenset(TENS) | frozenset(SCALES)

_DURATION_UNITS = {
    "second": ("S", 1), "minute": ("M", 1), "hour": ("H", 1), "day": ("D", 1),
    "night": ("D", 1), "week": ("W", 1), "fortnight": ("W", 2), "month": ("MO", 1),
    "year": ("Y", 1),
}
DURATION_UNIT_WORDS = frozenset(_DURATION_UNITS) | frozenset(u + "s" for u in _DURATION_UNITS)
_VAGUE_QUANTITIES = {("a", "couple", "of"): 2, ("couple", "of"): 2, ("a", "couple"): 2,
                     ("a", "few"): 3, ("few",): 3, ("a",): 1, ("an",): 1}
_TIME_OF_DAY = {"morning": "MO", "afternoon": "AF", "evening": "EV", "night": "NI"}
_DAY_PARTS = {("in", "the", "morning"): "am", ("in", "the", "afternoon"): "pm",
              ("in", "the", "evening"): "pm", ("at", "night"): "pm", ("tonight",): "pm"}
TIME_MARKERS = frozenset({"am", "pm", "oclock", "noon", "midday", "midnight", "half",
                          "quarter"}) | frozenset(_TIME_OF_DAY)
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def parse_number(words: Sequence[str]) -> int | None:
    """ "twenty one" → 21, "a hundred and five" → 105, "7" → 7; None if not a number."""
    if len(words) == 1 and words[0].isdigit():
        return int(words[0])
    total, current, last = 0, 0, ""
    for index, word in enumerate(words):
        if word == "a" and index == 0 and len(words) > 1 and words[1] in SCALES:
            current, last = 1, "unit"
        elif word == "and" and last == "scale" and index + 1 < len(words):
            continue
        elif word in UNITS and last in ("", "tens", "scale"):
            if last == "tens" and UNITS[word] >= 10:
                return None
            current, last = current + UNITS[word], "unit"
        elif word in TENS and last in ("", "scale"):
            current, last = current + TENS[word], "tens"
        elif word == "hundred" and last in ("unit", "tens") and current < 100:
            current, last = current * 100, "scale"
        elif word == "thousand" and last in ("unit", "tens", "scale") and total == 0:
            total, current, last = current * 1000, 0, "scale"
        else:
            return None
    return total + current if last else None


def _quantity(words: Sequence[str]) -> int | None:
    if tuple(words) in _VAGUE_QUANTITIES:
        return _VAGUE_QUANTITIES[tuple(words)]
    return parse_number(words)


def _duration_parts(words: Sequence[str]) -> dict[str, int] | None:
    """Split "two weeks and three days" into {"W": 2, "D": 3}."""
    if tuple(words[:3]) == ("half", "an", "hour"):
        rest = _duration_parts(words[3:]) if len(words) > 3 else {}
        return None if rest is None else {**rest, "M": rest.get("M", 0) + 30}
    parts: dict[str, int] = {}
    start = 0
    for index, word in enumerate(words):
        unit = _DURATION_UNITS.get(word) or _DURATION_UNITS.get(word.removesuffix("s"))
        if unit is None:
            continue
        amount_words = [w for w in words[start:index] if w != "and"]
        amount = _quantity(amount_words) if amount_words else None
        if amount is None or unit[0] in parts:
            return None
        parts[unit[0]] = amount * unit[1]
        start = index + 1
    tail = list(words[start:])
    if tail == ["and", "a", "half"] and parts:
        return _add_half(parts)
    return parts if parts and not tail else None


def _add_half(parts: dict[str, int]) -> dict[str, int] | None:
    halves = {"H": ("M", 30), "D": ("H", 12), "W": ("D", 3), "MO": ("D", 15)}
    last = list(parts)[-1]
    if last not in halves:
        return None
    unit, amount = halves[last]
    return {**parts, unit: parts.get(unit, 0) + amount}


def parse_duration(words: Sequence[str]) -> str | None:
    """ "a week" → "P1W", "two weeks" → "P2W", "a month" → "P1M", "an hour" → "PT1H"."""
    parts = _duration_parts(words)
    if not parts:
        return None
    if "W" in parts and "D" in parts:
        parts["D"] += parts.pop("W") * 7
    date = "".join(f"{parts[u]}{u[0]}" for u in ("Y", "MO", "W", "D") if parts.get(u))
    clock = "".join(f"{parts[u]}{u}" for u in ("H", "M", "S") if parts.get(u))
    if not date and not clock:
        return None
    return "P" + date + (f"T{clock}" if clock else "")


def _hour_minute(words: Sequence[str]) -> tuple[int, int] | None:
    if not words:
        return None
    if words[0] in ("half", "quarter") and len(words) >= 3 and words[1] in ("past", "to"):
        hour = parse_number(words[2:])
        if hour is None or not 1 <= hour <= 12:
            return None
        minutes = 30 if words[0] == "half" else 15
        return (hour, minutes) if words[1] == "past" else ((hour - 1) or 12, 60 - minutes)
    hour = parse_number(words[:1])
    if hour is None or not 0 <= hour <= 23:
        return None
    rest = list(words[1:])
    if rest == ["oclock"] or not rest:
        return hour, 0
    minute = parse_number(rest[1:] if rest[0] == "oh" else rest)
    return (hour, minute) if minute is not None and 0 <= minute <= 59 else None


def parse_time(words: Sequence[str], *, strict: bool = True) -> str | None:
    """ "seven p m" → "19:00", "half past eight in the evening" → "20:30", "noon" → "12:00".

    Strict parsing (finding a time inside a sentence) needs a time word such as "pm",
    "o'clock" or "noon"; a bare "seven" is a time only where the sample expects one.
    """
    words = list(words)
    if len(words) == 1 and words[0] in _TIME_OF_DAY:
        return _TIME_OF_DAY[words[0]]
    special: dict[tuple[str, ...], str] = {
        ("noon",): "12:00", ("midday",): "12:00", ("midnight",): "00:00"}
    if tuple(words) in special:
        return special[tuple(words)]
    meridiem = None
    if words and words[-1] in ("am", "pm"):
        meridiem = words.pop()
    for part, half in _DAY_PARTS.items():
        if meridiem is None and tuple(words[-len(part):]) == part and len(words) > len(part):
            meridiem = half
            del words[-len(part):]
    if strict and meridiem is None and not TIME_MARKERS.intersection(words):
        return None
    parsed = _hour_minute(words)
    if parsed is None:
        return None
    hour, minute = parsed
    if meridiem is not None:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if meridiem == "pm" else 0)
    return f"{hour:02d}:{minute:02d}"


def parse_day(words: Sequence[str]) -> str | None:
    """ "sundays" → "sunday"; None unless the words are one day of the week."""
    if len(words) != 1:
        return None
    day = words[0].removesuffix("s")
    return day if day in DAYS else None
