"""The device's own time zone (PRODUCT.md section 6), remembered per household and device.

Evenings, quiet hours, weeknights and pauses follow the zone Alexa reports for the
device. Asking costs a call to the Settings API, so the answer is kept: asked again at
most once a day, or when the request comes from a device not asked before. Until an
answer exists, the locale's usual zone stands in.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from skill.conversation.state import DeviceZone, Household

ASK_AGAIN_AFTER = timedelta(days=1)
DEVICES_KEPT = 8
"""A household rarely has more Echos; the least recently asked is dropped beyond this."""


def device_key(device_id: str) -> str:
    """What is kept of a device id: a short hash (enough to tell a household's devices apart)."""
    return hashlib.sha256(device_id.encode("utf-8")).hexdigest()[:24]


def known_zone(household: Household, device: str) -> DeviceZone | None:
    """What was last learned about this device's zone, if it was ever asked."""
    return next((z for z in household.zones if z.device == device), None)


def needs_asking(known: DeviceZone | None, now: datetime) -> bool:
    """Never asked for this device, or last asked a day ago or more."""
    return known is None or now - known.checked_at >= ASK_AGAIN_AFTER


def valid_zone(name: str | None) -> ZoneInfo | None:
    """The IANA zone ``name`` names, or None (Alexa might one day answer something else)."""
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def remember_zone(household: Household, device: str, zone: str | None,
                  now: datetime) -> Household:
    """The household after asking the Settings API about ``device`` at ``now``.

    ``zone`` None means no answer: the zone known before (if any) is kept, and the
    device is not asked again for a day, so a failing API costs one slow turn a day.
    """
    known = known_zone(household, device)
    kept = zone if valid_zone(zone) else (known.zone if known else None)
    others = [z for z in household.zones if z.device != device][-(DEVICES_KEPT - 1):]
    return replace(household, zones=(*others, DeviceZone(device, kept, now)))
