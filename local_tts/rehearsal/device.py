"""Request envelopes shaped like the ones an Echo sends, from one rehearsal device.

The device keeps its session open while the skill's responses keep it open, carries the
session attributes forward, and starts a new session when the skill ends one or the
user invokes the skill again, as Alexa does.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from interaction_model.matcher import SlotValue
from skill.conversation.clock import Clock

REHEARSAL_SKILL_ID = "amzn1.ask.skill.00000000-0000-4000-8000-rehearsal0001"
REHEARSAL_API_ENDPOINT = "https://127.0.0.1:9"
"""Where no stand-in is given, nothing listens: calls to Alexa's APIs fail at once."""


def _stamp(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def _slot(name: str, value: SlotValue | None, authority: str) -> dict[str, Any]:
    """A slot as Alexa sends it; ``authority`` is set for custom types, which resolve."""
    slot: dict[str, Any] = {"name": name, "confirmationStatus": "NONE"}
    if value is None:
        return slot
    slot.update(value=value.value, source="USER")
    simple: dict[str, Any] = {"type": "Simple", "value": value.value}
    if authority:
        code = "ER_SUCCESS_MATCH" if value.resolved_id else "ER_SUCCESS_NO_MATCH"
        found: dict[str, Any] = {"authority": authority, "status": {"code": code}}
        if value.resolved_id:
            found["values"] = [{"value": {"name": value.resolved_name, "id": value.resolved_id}}]
        slot["resolutions"] = simple["resolutions"] = {"resolutionsPerAuthority": [found]}
    slot["slotValue"] = simple
    return slot


def _elicited_slot(directives: Sequence[Any]) -> tuple[str, str] | None:
    """The (intent, slot) a Dialog.ElicitSlot directive asks for, if the response has one."""
    for directive in directives:
        if isinstance(directive, Mapping) and directive.get("type") == "Dialog.ElicitSlot":
            intent = directive.get("updatedIntent") or {}
            return str(intent.get("name", "")), str(directive.get("slotToElicit", ""))
    return None


class RehearsalDevice:
    """One Echo in the rehearsal household."""

    def __init__(self, clock: Clock, *, user_id: str, device_id: str, locale: str,
                 skill_id: str = REHEARSAL_SKILL_ID, api_endpoint: str = REHEARSAL_API_ENDPOINT,
                 person_id: str | None = None) -> None:
        self.clock = clock
        self.api_endpoint = api_endpoint
        """The rehearsal's stand-in for Alexa's APIs (Settings: the device's time zone)."""
        self.person_id = person_id
        """The recognised speaker's personId, or None when Alexa recognises nobody."""
        self.user_id = user_id
        self.device_id = device_id
        self.locale = locale
        self.skill_id = skill_id
        self.session: dict[str, Any] | None = None
        self.eliciting: tuple[str, str] | None = None
        """(intent, slot) the skill asked for with Dialog.ElicitSlot, while the session waits."""
        self.interfaces: dict[str, Any] = {}
        """supportedInterfaces: none, as an Echo Dot; the web page adds APL (an Echo Show)."""

    @property
    def in_session(self) -> bool:
        return self.session is not None

    def launch(self) -> dict[str, Any]:
        """ "Alexa, open Porch Light": always a new session."""
        self.session = self.eliciting = None
        return self._envelope({"type": "LaunchRequest", "shouldLinkResultBeReturned": False})

    def intent(self, name: str, slots: Mapping[str, SlotValue],
               declared: Sequence[tuple[str, str]], custom_types: frozenset[str]
               ) -> dict[str, Any]:
        """An IntentRequest in the open session (or a new one), every declared slot sent."""
        def authority(slot_type: str) -> str:
            if slot_type not in custom_types:
                return ""
            return f"amzn1.er-authority.echo-sdk.{self.skill_id}.{slot_type}"

        state = "IN_PROGRESS" if self.eliciting and self.eliciting[0] == name else \
            "COMPLETED" if slots else "STARTED"
        request = {"type": "IntentRequest",
                   "dialogState": state,
                   "intent": {"name": name, "confirmationStatus": "NONE",
                              "slots": {slot: _slot(slot, slots.get(slot), authority(kind))
                                        for slot, kind in declared}}}
        return self._envelope(request)

    def session_ended(self, reason: str = "USER_INITIATED") -> dict[str, Any]:
        """The session closes without the skill ending it (the user left, or silence)."""
        envelope = self._envelope({"type": "SessionEndedRequest", "reason": reason})
        self.session = self.eliciting = None
        return envelope

    def follow(self, response: Mapping[str, Any]) -> None:
        """Keep the session while the response keeps it open, with its attributes."""
        body = response.get("response") or {}
        self.eliciting = None
        if body.get("shouldEndSession", True) is not False or self.session is None:
            self.session = None
        else:
            self.eliciting = _elicited_slot(body.get("directives") or ())
            self.session = {**self.session,
                            "attributes": dict(response.get("sessionAttributes") or {})}

    def _envelope(self, request: dict[str, Any]) -> dict[str, Any]:
        request = {"requestId": f"amzn1.echo-api.request.{uuid.uuid4()}",
                   "timestamp": _stamp(self.clock()), "locale": self.locale, **request}
        if self.session is None:
            self.session = {"new": True, "sessionId": f"amzn1.echo-api.session.{uuid.uuid4()}",
                            "application": {"applicationId": self.skill_id},
                            "user": {"userId": self.user_id}, "attributes": {}}
        else:
            self.session = {**self.session, "new": False}
        return {"version": "1.0", "session": dict(self.session), "context": self._context(),
                "request": request}

    def _context(self) -> dict[str, Any]:
        system: dict[str, Any] = {
            "application": {"applicationId": self.skill_id},
            "user": {"userId": self.user_id},
            "device": {"deviceId": self.device_id, "supportedInterfaces": dict(self.interfaces)},
            "apiEndpoint": self.api_endpoint,
            "apiAccessToken": "rehearsal." + uuid.uuid5(uuid.NAMESPACE_URL, self.user_id).hex,
        }
        if self.person_id:
            system["person"] = {"personId": self.person_id}
        return {"System": system}
