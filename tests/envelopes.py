"""Request envelopes shaped like the ones real Alexa devices send."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

import interaction_model

SKILL_ID = "amzn1.ask.skill.00000000-0000-4000-8000-porchlight01"
NOWHERE = "https://127.0.0.1:9"
"""The default apiEndpoint: nothing listens there, so no test ever reaches Amazon (and the
skill refuses it anyway outside tests that name the loopback stand-in)."""
USER_ID = "amzn1.ask.account.AEXAMPLEHOUSEHOLDONE0000000000000000000000000000000000000000"


def _stamp(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


class Device:
    """One Echo in a household: keeps its session open between turns, like Alexa does."""

    def __init__(self, at: Any, *, user_id: str = USER_ID, locale: str = "en-US",
                 skill_id: str = SKILL_ID, screen: bool = False,
                 api_endpoint: str = NOWHERE,
                 granted: tuple[str, ...] = (), person_id: str | None = None) -> None:
        self.clock = at
        self.user_id = user_id
        self.locale = locale
        self.skill_id = skill_id
        self.screen = screen
        self.api_endpoint = api_endpoint
        self.granted = granted
        self.person_id = person_id
        """Who Alexa recognises as speaking (context.System.person), or None."""
        self.device_id = "amzn1.ask.device.A" + uuid.uuid4().hex.upper()
        self.session: dict[str, Any] | None = None

    def _context(self) -> dict[str, Any]:
        interfaces: dict[str, Any] = {"AudioPlayer": {}}
        if self.screen:
            interfaces["Alexa.Presentation.APL"] = {"runtime": {"maxVersion": "2023.3"}}
        context: dict[str, Any] = {
            "System": {
                "application": {"applicationId": self.skill_id},
                "user": self._user(),
                "device": {"deviceId": self.device_id, "supportedInterfaces": interfaces},
                "apiEndpoint": self.api_endpoint,
                "apiAccessToken": "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.token.signature",
            },
        }
        if self.person_id:
            context["System"]["person"] = {"personId": self.person_id}
        if self.screen:
            context["Viewport"] = {"experiences": [{"canRotate": False, "canResize": False}],
                                   "mode": "HUB", "shape": "RECTANGLE", "pixelWidth": 1280,
                                   "pixelHeight": 800, "dpi": 160}
        return context

    def _user(self) -> dict[str, Any]:
        user: dict[str, Any] = {"userId": self.user_id}
        if self.granted:
            user["permissions"] = {
                "consentToken": "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.consent.signature",
                "scopes": {scope: {"status": "GRANTED"} for scope in self.granted},
            }
        return user

    def skill_event(self, event_type: str) -> dict[str, Any]:
        """An AlexaSkillEvent: out of session, so no session and no session attributes."""
        envelope = self.envelope({"type": event_type, "eventCreationTime": _stamp(self.clock()),
                                  "eventPublishingTime": _stamp(self.clock()),
                                  "body": {"userInformation": {"consent": "NONE"}}})
        del envelope["session"]
        self.session = None
        return envelope

    def permission_answer(self, status: str) -> dict[str, Any]:
        """Alexa's Connections.Response after a voice permission request."""
        return self.envelope({
            "type": "Connections.Response", "name": "AskFor",
            "status": {"code": "200", "message": "OK"},
            "payload": {"permissionScope": "alexa::alerts:reminders:skill:readwrite",
                        "status": status},
            "token": "porchlight-reminder",
        }, new_session=True)

    def envelope(self, request: dict[str, Any], *, new_session: bool | None = None
                 ) -> dict[str, Any]:
        """Wrap ``request`` with context and, for session requests, the session."""
        now = self.clock()
        request = {"requestId": "amzn1.echo-api.request." + str(uuid.uuid4()),
                   "timestamp": _stamp(now), "locale": self.locale, **request}
        envelope: dict[str, Any] = {"version": "1.0", "context": self._context(),
                                    "request": request}
        if new_session is None:
            new_session = self.session is None
        if new_session or self.session is None:
            self.session = {"new": True, "sessionId": "amzn1.echo-api.session." + str(uuid.uuid4()),
                            "application": {"applicationId": self.skill_id},
                            "user": {"userId": self.user_id}, "attributes": {}}
        else:
            self.session = {**self.session, "new": False}
        envelope["session"] = dict(self.session)
        return envelope

    def launch(self) -> dict[str, Any]:
        self.session = None
        return self.envelope({"type": "LaunchRequest", "shouldLinkResultBeReturned": False})

    def intent(self, name: str, slots: dict[str, str] | None = None, *,
               one_shot: bool = False) -> dict[str, Any]:
        """An IntentRequest; ``one_shot`` starts a new session ("Alexa, tell Porch Light ...")."""
        if one_shot:
            self.session = None
        request = {
            "type": "IntentRequest",
            "dialogState": "COMPLETED" if slots else "STARTED",
            "intent": {
                "name": name,
                "confirmationStatus": "NONE",
                "slots": {k: self._slot(name, k, v) for k, v in (slots or {}).items()},
            },
        }
        return self.envelope(request)

    def _slot(self, intent: str, name: str, value: str) -> dict[str, Any]:
        """A filled slot; custom types carry entity resolution, as Alexa sends it."""
        slot: dict[str, Any] = {"name": name, "value": value, "confirmationStatus": "NONE",
                                "source": "USER"}
        slot_type = slot_types(self.locale).get((intent, name))
        if slot_type is None or slot_type.startswith("AMAZON."):
            return slot
        match = resolve(self.locale, slot_type, value)
        authority: dict[str, Any] = {
            "authority": f"amzn1.er-authority.echo-sdk.{self.skill_id}.{slot_type}",
            "status": {"code": "ER_SUCCESS_MATCH" if match else "ER_SUCCESS_NO_MATCH"},
        }
        if match:
            authority["values"] = [{"value": {"name": match[1], "id": match[0]}}]
        slot["resolutions"] = {"resolutionsPerAuthority": [authority]}
        return slot

    def session_ended(self, reason: str = "USER_INITIATED") -> dict[str, Any]:
        return self.envelope({"type": "SessionEndedRequest", "reason": reason})

    def follow(self, response_json: dict[str, Any]) -> None:
        """Carry session attributes forward, or forget the session when it ended."""
        if response_json.get("response", {}).get("shouldEndSession", True) is not False:
            self.session = None
        elif self.session is not None:
            self.session["attributes"] = response_json.get("sessionAttributes") or {}


def slot_types(locale: str) -> dict[tuple[str, str], str]:
    """(intent, slot) -> slot type, from the locale's interaction model."""
    model = interaction_model.language_model(locale)
    return {(intent["name"], slot["name"]): slot["type"]
            for intent in model["intents"] for slot in intent.get("slots") or ()}


def resolve(locale: str, slot_type: str, spoken: str) -> tuple[str, str] | None:
    """(id, canonical name) of the custom value ``spoken`` names, or None."""
    model = interaction_model.language_model(locale)
    wanted = spoken.strip().lower()
    for custom in model.get("types") or ():
        if custom["name"] != slot_type:
            continue
        for value in custom["values"]:
            name = value["name"]
            if wanted == name["value"].lower() or wanted in (
                    s.lower() for s in name.get("synonyms") or ()):
                return str(value.get("id") or name["value"]), str(name["value"])
    return None


def dumps(envelope: dict[str, Any]) -> bytes:
    """Serialise like Alexa: compact JSON, UTF-8."""
    return json.dumps(envelope, separators=(",", ":")).encode("utf-8")
