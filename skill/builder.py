"""The one skill object: every handler, in one explicit order, over one store.

Order matters: the first handler whose ``can_handle`` is true answers. Consent comes
first so that "not now" wins from every state; the catch-alls come last.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any

from ask_sdk_core.skill import CustomSkill
from ask_sdk_core.skill_builder import CustomSkillBuilder
from ask_sdk_runtime.dispatch_components import GenericRequestMapper

from skill.alexa_services import AlexaApiClient, parse_hosts
from skill.config import Settings
from skill.conversation.clock import Clock, system_clock
from skill.envelope import TolerantSerializer
from skill.handlers import (
    boundaries,
    builtins,
    checkin,
    closeness,
    consent,
    data,
    prompts,
    reminders,
    safety,
)
from skill.handlers.common import Services, TurnHandler, intent_name, request_type
from skill.storage import HouseholdStore


def alexa_api_client(settings: Settings, stand_ins: Iterable[str] = ()) -> AlexaApiClient:
    """The client under the SDK's service clients: Alexa's hosts, plus local stand-ins where
    allowed (``settings.alexa_api_hosts`` in development mode; ``stand_ins`` from rehearsal
    and tests, never from the environment)."""
    configured = parse_hosts(settings.alexa_api_hosts) if settings.dev else frozenset()
    return AlexaApiClient(configured | frozenset(stand_ins))


def person_key(settings: Settings) -> bytes:
    """The secret for the keyed hash of personIds: the setting, else random per process."""
    return (settings.person_key or secrets.token_hex(32)).encode("utf-8")


def build_skill_builder(
    store: HouseholdStore, settings: Settings, clock: Clock = system_clock,
    *, stand_ins: Iterable[str] = (),
) -> CustomSkillBuilder:
    """A skill builder with every handler registered; ``.create()`` or ``.lambda_handler()``."""
    services = Services(settings=settings, clock=clock, person_key=person_key(settings))
    builder = CustomSkillBuilder(persistence_adapter=store,
                                 api_client=alexa_api_client(settings, stand_ins))
    for handler in (
        builtins.SessionEndedHandler(),
        data.SkillDisabledHandler(services),
        safety.ScreenedWordsHandler(services),
        safety.SafetyIntentHandler(services),
        safety.NumberAgainHandler(services),
        consent.NotNowHandler(services),
        consent.MisstepHandler(services),
        safety.OverwhelmedHandler(services),
        consent.PauseHandler(services),
        consent.BreatherHandler(services),
        consent.ResumeHandler(services),
        reminders.PermissionAnswerHandler(services),
        prompts.LaunchHandler(services),
        checkin.StartCheckInHandler(services),
        checkin.CheckInYesHandler(services),
        checkin.NextStepHandler(services),
        checkin.SkipStepHandler(services),
        checkin.WeatherWordHandler(services),
        checkin.RememberWeatherHandler(services),
        prompts.TonightsPromptHandler(services),
        prompts.AnotherPromptHandler(services),
        prompts.GentlerHandler(services),
        prompts.DeeperHandler(services),
        prompts.YesToOfferHandler(services),
        boundaries.SetBoundaryHandler(services),
        boundaries.RemoveBoundaryHandler(services),
        boundaries.ListBoundariesHandler(services),
        boundaries.RevisitYesHandler(services),
        closeness.ClosenessOnHandler(services),
        closeness.ClosenessYesHandler(services),
        closeness.ClosenessOffHandler(services),
        boundaries.ChangeBoundariesHandler(services),
        boundaries.RemoveAllBoundariesHandler(services),
        boundaries.RemoveAllAnswerHandler(services),
        reminders.ReminderYesHandler(services),
        reminders.SetReminderHandler(services),
        reminders.StopRemindersHandler(services),
        data.WhatDoYouRememberHandler(services),
        data.ForgetEverythingHandler(services),
        data.ForgetAnswerHandler(services),
        builtins.HelpHandler(services),
        builtins.RepeatHandler(services),
        builtins.WarmCloseHandler(services),
        builtins.GoodbyeHandler(services),
        builtins.NoThanksHandler(services),
        builtins.FallbackHandler(services),
        builtins.UnhandledRequestHandler(),
    ):
        builder.add_request_handler(handler)
    builder.add_global_response_interceptor(builtins.RememberSpeechInterceptor())
    builder.add_exception_handler(builtins.StoreUnavailableExceptionHandler())
    builder.add_exception_handler(builtins.ApologyExceptionHandler())
    return builder


Candidates = tuple[tuple[Any, bool], ...]
"""Handler chains in the skill's order, each with True when the intent name alone decides."""


class DispatchTable(GenericRequestMapper):  # type: ignore[misc]
    """The SDK's mapper (first handler whose ``can_handle`` is true wins), with the
    per-request search cut to the handlers that can answer the request.

    Most handlers answer by intent name alone (``TurnHandler.can_handle``). The others
    have a ``can_handle`` of their own (it may look at the request type, the session or
    the household), so they are asked as before, in order, wherever they may answer: any
    request, unless they declare the only request types (``request_types``) or intent
    names (``only_intents``) it can be true for. Once, at start-up, a table is built from
    each (request type, intent name) the handlers name to that chain, in the skill's
    order; anything else is worked out when it comes. The answer is the SDK's linear
    search's (tests/test_dispatch.py).
    """

    def __init__(self, request_handler_chains: Any) -> None:
        self._table: dict[tuple[str, str | None], Candidates] | None = None
        super().__init__(request_handler_chains)
        self._table = self._build()

    def add_request_handler_chain(self, request_handler_chain: Any) -> None:
        super().add_request_handler_chain(request_handler_chain)
        self._table = None  # built again, with the new chain, before the next request

    def _build(self) -> dict[tuple[str, str | None], Candidates]:
        handlers = [chain.request_handler for chain in self.request_handler_chains]
        names: set[str | None] = {None}
        types = {"IntentRequest"}
        for handler in handlers:
            names.update(getattr(handler, "intents", None) or ())
            names.update(getattr(handler, "only_intents", None) or ())
            types.update(getattr(handler, "request_types", None) or ())
        return {(kind, name): self._candidates(kind, name) for kind in types for name in names}

    def _candidates(self, kind: str, name: str | None) -> Candidates:
        found = []
        for chain in self.request_handler_chains:
            handler = chain.request_handler
            if type(handler).can_handle is TurnHandler.can_handle:
                if name is not None and name in handler.intents:
                    found.append((chain, True))
                continue
            kinds = getattr(handler, "request_types", None)
            names = getattr(handler, "only_intents", None)
            if (kinds is None or kind in kinds) and (names is None or name in names):
                found.append((chain, False))
        return tuple(found)

    def get_request_handler_chain(self, handler_input: Any) -> Any:
        table = self._table or self._build()
        self._table = table
        key = (request_type(handler_input), intent_name(handler_input))
        candidates = table.get(key)
        if candidates is None:  # named by no handler: rare, so not kept
            candidates = self._candidates(*key)
        for chain, decided in candidates:
            if decided or chain.request_handler.can_handle(handler_input=handler_input):
                return chain
        return None


def build_skill(store: HouseholdStore, settings: Settings, clock: Clock = system_clock,
                *, stand_ins: Iterable[str] = ()) -> CustomSkill:
    """The skill every entry point serves: Flask, AWS Lambda and rehearsal.

    ``stand_ins``: hosts of local stand-ins for Alexa's APIs that may receive the
    request's access token (the rehearsal's own; tests').
    """
    skill = build_skill_builder(store, settings, clock, stand_ins=stand_ins).create()
    skill.serializer = TolerantSerializer()
    mappers = skill.request_dispatcher.request_mappers
    mappers[0] = DispatchTable(mappers[0].request_handler_chains)
    return skill


def handled_intents(skill: CustomSkill) -> frozenset[str]:
    """Every intent some handler answers by name: the interaction model must name exactly these."""
    names: set[str] = set()
    for mapping in skill.request_dispatcher.request_mappers[0].request_handler_chains:
        names.update(getattr(mapping.request_handler, "intents", ()))
    return frozenset(names)
