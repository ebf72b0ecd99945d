"""The Alexa endpoint proper: one request verified and dispatched through the ASK SDK.

Kept apart from ``skill.web`` (the HTTP edge) so that starting a server imports none of the
SDK, the handlers or the verifier: ``skill.app`` builds this on the first POST /alexa
(``skill.web.LazyEndpoint``), and ``make bench``'s cold start measures the difference.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from ask_sdk_core.exceptions import SerializationException
from ask_sdk_core.skill import CustomSkill

from skill.compat import ensure_webservice_support_importable
from skill.envelope import ParsedBody
from skill.envelope_check import InvalidEnvelope, check_envelope
from skill.logs import UserHasher
from skill.verify import VerificationException

if TYPE_CHECKING:
    from skill.cert_url import CertUrl
    from skill.config import Settings
    from skill.conversation.clock import Clock
    from skill.storage import HouseholdStore

    CertFetch = Callable[[CertUrl], bytes]

ensure_webservice_support_importable()

from ask_sdk_webservice_support.webservice_handler import WebserviceSkillHandler  # noqa: E402


class AlexaEndpoint:
    """Verifies and dispatches one Alexa request through the ASK web-service handler."""

    def __init__(self, skill: CustomSkill, verifiers: list[Any],
                 hasher: UserHasher) -> None:
        self.handler = WebserviceSkillHandler(
            skill=skill, verify_signature=False, verify_timestamp=False, verifiers=verifiers
        )
        self.skill = skill
        self.hasher = hasher

    def __call__(self, headers: Any, raw: bytes) -> tuple[dict[str, Any], int, dict[str, Any]]:
        """(JSON body, HTTP status, log fields) for one request."""
        try:
            body = ParsedBody(raw.decode("utf-8"))
            envelope = body.parsed = check_envelope(body)
        except (UnicodeDecodeError, InvalidEnvelope) as error:
            reason = str(error) if isinstance(error, InvalidEnvelope) else "body is not UTF-8"
            return {"error": "invalid request", "detail": reason}, 400, {"outcome": "invalid"}
        fields = request_log_fields(envelope, self.hasher)
        try:
            response = self.handler.verify_request_and_dispatch(headers, body)
        except VerificationException as error:
            return ({"error": "request verification failed", "detail": str(error)}, 400,
                    {**fields, "outcome": "rejected", "reason": str(error)})
        except SerializationException:
            return ({"error": "invalid request", "detail": "not a valid Alexa request envelope"},
                    400, {**fields, "outcome": "invalid"})
        return dict(response), 200, {**fields, "outcome": "ok"}


def request_log_fields(envelope: dict[str, Any], hasher: UserHasher) -> dict[str, Any]:
    """What a request's log line may say: names and ids of the request, a keyed hash of the
    user; never slot values, free text, tokens or raw user and device ids."""
    alexa_request = envelope["request"]
    return {
        "request_id": _name_or_none(alexa_request["requestId"]),
        "request_type": _name_or_none(alexa_request["type"]),
        "intent": _intent_name(alexa_request),
        "locale": _locale(alexa_request.get("locale")),
        "user": hasher(_user_id(envelope)),
    }


# Request types, intent names and request ids are identifiers: anything else is not logged.
_NAME = re.compile(r"[A-Za-z0-9_.:-]{1,100}")
_LOCALE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*")


def _name_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and _NAME.fullmatch(value) else None


def _locale(value: Any) -> str | None:
    if isinstance(value, str) and len(value) <= 20 and _LOCALE.fullmatch(value):
        return value
    return None


SENSITIVE_INTENTS = frozenset({"CrisisIntent", "AbuseIntent", "DangerIntent", "DistressIntent",
                               "NeedHelpIntent"})
"""Intents whose very name would say too much about a household; logged as "redacted"."""


def _intent_name(alexa_request: dict[str, Any]) -> str | None:
    intent = alexa_request.get("intent")
    name = _name_or_none(intent.get("name")) if isinstance(intent, dict) else None
    return "redacted" if name in SENSITIVE_INTENTS else name


def _user_id(envelope: dict[str, Any]) -> str | None:
    for holder in (envelope.get("context", {}).get("System", {}), envelope.get("session", {})):
        user = holder.get("user") if isinstance(holder, dict) else None
        if isinstance(user, dict) and isinstance(user.get("userId"), str):
            return str(user["userId"])
    return None


def build_endpoint(settings: Settings, store: HouseholdStore, clock: Clock, *,
                   stand_ins: Iterable[str] = (), cert_fetch: CertFetch | None = None
                   ) -> AlexaEndpoint:
    """The skill (``build_skill``, as every entry point builds it) behind its verifiers."""
    from skill.builder import build_skill

    skill = build_skill(store, settings, clock, stand_ins=stand_ins)
    return AlexaEndpoint(skill, request_verifiers(settings, clock, cert_fetch),
                         UserHasher(settings.log_key))


def request_verifiers(settings: Settings, clock: Clock, cert_fetch: CertFetch | None = None
                      ) -> list[Any]:
    """Timestamp, skill id (when set), then signature (unless in development mode): the
    cheap checks first, so a request that fails them never costs a certificate fetch."""
    from skill.verify import (
        SignatureVerifier,
        SigningKeyCache,
        SkillIdVerifier,
        TimestampVerifier,
        load_trust_store,
    )

    verifiers: list[Any] = [TimestampVerifier(clock)]
    if settings.skill_id:
        verifiers.append(SkillIdVerifier(settings.skill_id))
    if not settings.dev:
        keys = SigningKeyCache(load_trust_store(settings.ca_bundle), clock,
                               cache_dir=settings.cert_cache_dir, fetch=cert_fetch)
        verifiers.append(SignatureVerifier(keys))
    return verifiers
