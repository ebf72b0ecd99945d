"""Who and where a request comes from: the device's time zone and the recognised speaker.

The zone comes from the Alexa Settings API, remembered per household and device (see
``skill.conversation.timezones``); a recognised speaker is kept only as a keyed hash.
"""

from __future__ import annotations

import hmac
import logging
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from skill.alexa_services import AlexaApiError
from skill.conversation import timezones
from skill.conversation.clock import resolve_timezone
from skill.conversation.state import DeviceZone
from skill.storage import StoreError

if TYPE_CHECKING:
    from skill.handlers.common import Turn

log = logging.getLogger("porchlight.skill")


def device_zone(turn: Turn) -> ZoneInfo:
    """The zone remembered for this device, asked anew when due (unless the turn may not
    wait on the Settings API), else the locale's usual zone."""
    fallback = resolve_timezone(turn.services.settings.default_timezone, turn.locale)
    device_id = turn.device_id
    if device_id is None:
        return fallback
    device = timezones.device_key(device_id)
    known = timezones.known_zone(turn.household, device)
    if turn.may_ask_zone and timezones.needs_asking(known, turn.now):
        known = ask_zone(turn, device, device_id)
    return timezones.valid_zone(known.zone if known else None) or fallback


def ask_zone(turn: Turn, device: str, device_id: str) -> DeviceZone | None:
    """Ask the Settings API (one second at most) and remember the answer, best effort."""
    services, zone = turn.api, None
    if services is not None:
        try:
            zone = services.device_time_zone(device_id)
        except AlexaApiError as error:
            log.warning("time zone lookup failed", extra={"status": error.status})
    household = timezones.remember_zone(turn.household, device, zone, turn.now)
    turn.__dict__["household"] = household  # the turn's own copy, before saving it
    try:
        turn.save(household)
    except StoreError:  # the handler's own save will say so, if it needs one
        log.warning("time zone not remembered", extra={"request_id": turn.request_id})
    return timezones.known_zone(household, device)


def person_hash(key: bytes, person_id: str | None) -> str | None:
    """A keyed hash of a personId (HMAC-SHA-256, 32 hex digits), or None for nobody."""
    if person_id is None:
        return None
    return hmac.digest(key, person_id.encode("utf-8"), "sha256").hex()[:32]
