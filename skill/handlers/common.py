"""What every handler needs: the turn's time, household, words and response."""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response
from ask_sdk_model.ui import SimpleCard

from skill.alexa_services import AlexaServices
from skill.config import Settings
from skill.content import Content, content_for
from skill.content.limits import WORD_LIMITS, TurnKind, spoken_words
from skill.content.ssml import escape_text, to_plain_text
from skill.conversation.clock import Clock, evening_of
from skill.conversation.prompts import Prompt, hint_due, record_prompt
from skill.conversation.state import Household, Offer
from skill.handlers.device import device_zone, person_hash
from skill.handlers.screen import prompt_screen
from skill.handlers.stored import DecodedHouseholds
from skill.storage import household_key_of

log = logging.getLogger("porchlight.skill")

OFFER_ATTRIBUTE = "offer"


@dataclass(frozen=True)
class Services:
    """What handlers are built with: settings, a clock, the secret that keys the hash kept
    of a recognised person, and the households this skill has decoded (content is per
    locale)."""

    settings: Settings
    clock: Clock
    person_key: bytes = b""
    households: DecodedHouseholds = field(default_factory=DecodedHouseholds, compare=False)


class Turn:
    """One request as the conversation sees it. Loads the household lazily, saves on demand.

    ``may_ask_zone`` False (a "not now") never waits on the Settings API: the zone is the
    one remembered for the device, else the locale's.
    """

    def __init__(self, handler_input: HandlerInput, services: Services, *,
                 may_ask_zone: bool = True) -> None:
        self.handler_input = handler_input
        self.services = services
        self.may_ask_zone = may_ask_zone
        self.request = handler_input.request_envelope.request
        self.locale: str = getattr(self.request, "locale", None) or "en-US"
        self.content: Content = content_for(self.locale)
        self.now: datetime = services.clock()
        self.request_id: str = str(getattr(self.request, "request_id", "") or "")
        self._as_stored: Household | None = None
        """The household exactly as the store holds it, when known: saving it writes nothing."""

    @cached_property
    def zone(self) -> ZoneInfo:
        """The device's own time zone: remembered, asked for at most daily, else the locale's."""
        return device_zone(self)

    @cached_property
    def evening(self) -> date:
        """The evening this turn belongs to, in the device's zone (5 a.m. rollover)."""
        return evening_of(self.now, self.zone)

    @cached_property
    def person_id(self) -> str | None:
        """The personId of the speaker Alexa recognised, or None. Never stored or logged."""
        person = getattr(self.system, "person", None)
        value = getattr(person, "person_id", None)
        return str(value) if value else None

    @cached_property
    def person(self) -> str | None:
        """What is kept of a recognised speaker: a keyed hash of the personId, or None."""
        return person_hash(self.services.person_key, self.person_id)

    @cached_property
    def household(self) -> Household:
        attributes = self.handler_input.attributes_manager.persistent_attributes
        decoded = self.services.households.read(self.key, attributes)
        self._as_stored = decoded.household if decoded.exact else None
        return decoded.household

    @cached_property
    def key(self) -> str:
        """The household's storage key (a hash, never the user id)."""
        return household_key_of(self.handler_input.request_envelope)

    def save(self, household: Household) -> None:
        """Write the household now, durably, before the response is sent.

        Handlers never change the remembered time zones; the turn may have learned one
        after the handler took its copy of the household, so the turn's are kept.
        A household equal to the one the store holds, stored exactly as it would be
        written (asking again for tonight's prompt), is not written again: nothing durable
        would change.
        """
        loaded = self.__dict__.get("household")
        if loaded is not None and loaded.zones != household.zones:
            household = replace(household, zones=loaded.zones)
        if household != self._as_stored:
            manager = self.handler_input.attributes_manager
            manager.persistent_attributes = household.to_attributes()
            manager.save_persistent_attributes()
            self._as_stored = household
        self.__dict__["household"] = household

    def forget_household(self) -> None:
        """Delete everything stored about the household, and what this process kept of it."""
        self.handler_input.attributes_manager.delete_persistent_attributes()
        self.services.households.forget(self.key)
        self._as_stored = None

    @property
    def system(self) -> Any:
        """The envelope's context.System (device, user, API endpoint)."""
        return getattr(self.handler_input.request_envelope.context, "system", None)

    @property
    def api(self) -> AlexaServices | None:
        """This request's Alexa APIs (the SDK's service clients), when the envelope carries
        an endpoint and a token."""
        factory = self.handler_input.service_client_factory
        endpoint = getattr(self.system, "api_endpoint", None)
        token = getattr(self.system, "api_access_token", None)
        return AlexaServices(factory) if factory is not None and endpoint and token else None

    @property
    def device_id(self) -> str | None:
        device = getattr(self.system, "device", None)
        return str(device.device_id) if device is not None and device.device_id else None

    def has_permission(self, scope: str) -> bool:
        """The user granted this permission scope to the skill."""
        permissions = getattr(getattr(self.system, "user", None), "permissions", None)
        scopes = getattr(permissions, "scopes", None) or {}
        status = getattr(scopes.get(scope), "status", None)
        return str(getattr(status, "value", status)) == "GRANTED"

    @property
    def supports_apl(self) -> bool:
        device = getattr(self.system, "device", None)
        interfaces = getattr(device, "supported_interfaces", None)
        return getattr(interfaces, "alexa_presentation_apl", None) is not None

    @property
    def in_session(self) -> bool:
        return self.handler_input.request_envelope.session is not None

    @property
    def offer(self) -> Offer | None:
        """The question the skill is waiting on in this session, if any."""
        return pending_offer(self.handler_input)

    def session_value(self, name: str) -> str | None:
        """A session attribute the skill set earlier in this session, if any."""
        if not self.in_session:
            return None
        value = self.handler_input.attributes_manager.session_attributes.get(name)
        return str(value) if value else None

    def set_session_value(self, name: str, value: str | None) -> None:
        """Keep ``value`` for the rest of this session (None forgets it)."""
        if self.in_session:
            attributes = self.handler_input.attributes_manager.session_attributes
            if value is None:
                attributes.pop(name, None)
            else:
                attributes[name] = value

    def set_offer(self, offer: Offer | None) -> None:
        if self.in_session:
            attributes = self.handler_input.attributes_manager.session_attributes
            if offer is None:
                attributes.pop(OFFER_ATTRIBUTE, None)
            else:
                attributes[OFFER_ATTRIBUTE] = str(offer)

    def spoken_date(self, moment: datetime, *, weekday: bool = True) -> str:
        """A date as people in this locale say it: "Friday, December 5" or "Friday 5 December"."""
        local = moment.astimezone(self.zone)
        day_first = self.locale not in ("en-US", "en-CA")
        text = f"{local.day} {local:%B}" if day_first else f"{local:%B} {local.day}"
        if weekday:
            text = f"{local:%A} {text}" if day_first else f"{local:%A}, {text}"
        return text

    def line(self, key: str, **values: str) -> str:
        """A spoken line, the variant rotated per request."""
        return self.content.line(key, self.request_id, **values)

    def end(self, speech: str) -> Response:
        """Say ``speech`` and close the session (the microphone does not stay open)."""
        self.set_offer(None)
        builder = self.handler_input.response_builder
        return builder.speak(speech).set_should_end_session(True).response

    def ask(self, speech: str, reprompt: str | None = None) -> Response:
        """Say ``speech`` and listen; no reprompt means wait quietly without asking again."""
        builder = self.handler_input.response_builder.speak(speech)
        if reprompt:
            builder.ask(reprompt)
        return builder.set_should_end_session(False).response

    def deliver_prompt(self, household: Household, prompt: Prompt, intro_key: str,
                       *, remember: bool = True) -> Response:
        """Speak a prompt slowly, send its card, and end the session.

        A household that never opened the skill hears the first-run notice first, once.
        How to go on ("another one, gentler, or not now") is said the first few times and
        then only now and again (``hint_due``), never when the prompt is repeated.
        """
        notice = "" if household.welcomed else self.line("first_run_notice")
        hint = self.line("prompt_hint") if remember and hint_due(household) else ""
        if remember or notice:
            if remember:
                household = record_prompt(household, prompt, self.now, self.evening)
            household = replace(household, welcomed=True)
            self.save(household)
        speech = prompt_turn(prompt_ssml(prompt), notice=notice, intro=self.line(intro_key),
                             hint=hint)
        title = to_plain_text(self.line("card_title"))
        if household.cards:
            self.handler_input.response_builder.set_card(SimpleCard(title=title,
                                                                    content=prompt.text))
        if self.supports_apl:
            self.handler_input.response_builder.add_directive(prompt_screen(title, prompt.text))
        return self.end(speech)


def prompt_turn(prompt_speech: str, *, notice: str = "", intro: str = "", hint: str = "") -> str:
    """The whole turn that delivers a prompt, within the prompt turn's word limit.

    The notice and the prompt are always said; the hint and then the intro give way
    when a long prompt would otherwise make the turn too long to follow by ear.
    """
    limit = WORD_LIMITS[TurnKind.PROMPT]
    # Words add up over parts joined by spaces, and each part is a line or a prompt the
    # skill says again and again: counted once each (``to_plain_text`` remembers them).
    words = {part: spoken_words(part) for part in (notice, intro, prompt_speech, hint)}
    kept: tuple[str, ...] = ()
    for parts in ((notice, intro, prompt_speech, hint), (notice, intro, prompt_speech),
                  (notice, prompt_speech)):
        kept = tuple(part for part in parts if part)
        if sum(words[part] for part in kept) <= limit:
            break
    return " ".join(kept)


def prompt_ssml(prompt: Prompt) -> str:
    """A prompt as warm, slightly slower speech, with its listening nudge after a beat."""
    speech = f'<prosody rate="92%">{escape_text(prompt.text)}</prosody>'
    if prompt.nudge:
        speech += f'<break time="700ms"/>{escape_text(prompt.nudge)}'
    return speech


class TurnHandler(AbstractRequestHandler, ABC):  # type: ignore[misc]
    """A request handler that works on a ``Turn``; subclasses say when and how.

    By default a handler answers the intents named in ``intents``.
    """

    intents: tuple[str, ...] = ()
    asks_zone: bool = True
    """False where nothing may wait on the Settings API (a "not now")."""
    request_types: frozenset[str] | None = None
    """With a ``can_handle`` of the handler's own: the only request types it can be true
    for (None: any). The skill's dispatch table asks it on no other request."""
    only_intents: frozenset[str] | None = None
    """Likewise, the only intent names it can be true for (None: any, or no intent)."""

    def __init__(self, services: Services) -> None:
        self.services = services

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return intent_name(handler_input) in self.intents

    def handle(self, handler_input: HandlerInput) -> Response:
        return self.respond(Turn(handler_input, self.services, may_ask_zone=self.asks_zone))

    @abstractmethod
    def respond(self, turn: Turn) -> Response:
        """The response to this turn."""


def pending_offer(handler_input: HandlerInput) -> Offer | None:
    """The question the skill asked in this session and is waiting on, if any."""
    if handler_input.request_envelope.session is None:
        return None
    raw = handler_input.attributes_manager.session_attributes.get(OFFER_ATTRIBUTE)
    try:
        return Offer(raw) if raw else None
    except ValueError:
        return None


def request_type(handler_input: HandlerInput) -> str:
    return str(getattr(handler_input.request_envelope.request, "object_type", "") or "")


def intent_name(handler_input: HandlerInput) -> str | None:
    request = handler_input.request_envelope.request
    intent = getattr(request, "intent", None)
    return str(intent.name) if intent is not None and intent.name else None


def slot_id(handler_input: HandlerInput, name: str) -> str | None:
    """A custom slot's resolved id, only when Alexa matched one of the type's values."""
    intent = getattr(handler_input.request_envelope.request, "intent", None)
    return _resolved_id((getattr(intent, "slots", None) or {}).get(name))


def _resolved_id(slot: Any) -> str | None:
    authorities = getattr(getattr(slot, "resolutions", None), "resolutions_per_authority", None)
    for authority in authorities or ():
        code = getattr(getattr(authority, "status", None), "code", None)
        if str(getattr(code, "value", code)) != "ER_SUCCESS_MATCH":
            continue
        for wrapper in authority.values or ():
            value = getattr(wrapper, "value", None)
            if value is not None and value.id:
                return str(value.id)
    return None


def slot_value(handler_input: HandlerInput, name: str) -> str | None:
    intent = getattr(handler_input.request_envelope.request, "intent", None)
    slots: dict[str, Any] = getattr(intent, "slots", None) or {}
    slot = slots.get(name)
    value = getattr(slot, "value", None)
    return str(value) if value else None


def slot_values(handler_input: HandlerInput) -> list[str]:
    """Every filled slot's words as Alexa heard them (for the safety screen only)."""
    intent = getattr(handler_input.request_envelope.request, "intent", None)
    slots: dict[str, Any] = getattr(intent, "slots", None) or {}
    values = (getattr(slot, "value", None) for slot in slots.values())
    return [str(value) for value in values if value]


def free_slot_words(handler_input: HandlerInput) -> list[str]:
    """Filled slots' words that matched none of the type's values and are not a built-in
    type's normalised form ("P2W", "20:00"): what people said in their own words, which
    the safety screen reads for meaning too."""
    intent = getattr(handler_input.request_envelope.request, "intent", None)
    slots: dict[str, Any] = getattr(intent, "slots", None) or {}
    found = []
    for slot in slots.values():
        value = getattr(slot, "value", None)
        if value and any(c.islower() for c in str(value)) and _resolved_id(slot) is None:
            found.append(str(value))
    return found
