"""The Flask application factory: ``gunicorn 'skill.app:create_app()'``. No work at import."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from flask import Flask

from skill.config import Settings, load_settings
from skill.conversation.clock import Clock, system_clock

if TYPE_CHECKING:
    from skill.storage import HouseholdStore

log = logging.getLogger("porchlight.app")

DEV_WARNING = (
    "WARNING: development mode: Alexa request signatures are NOT checked. "
    "Serving loopback only; never expose this server."
)


def create_app(
    config: Mapping[str, Any] | None = None, *, clock: Clock = system_clock,
    store: HouseholdStore | None = None, alexa_stand_ins: Iterable[str] = (),
) -> Flask:
    """Build the app from settings (defaults, then PORCHLIGHT_* variables, then ``config``).

    ``store`` replaces the one the database URL names (tests, embedding).
    ``alexa_stand_ins``: hosts of local stand-ins for Alexa's APIs the skill may send a
    request's access token to (tests); in production only Alexa's own hosts get it.
    """
    from skill import web
    from skill.builder import build_skill
    from skill.logs import UserHasher, configure_logging
    from skill.public_pages import blueprint as public_pages
    from skill.storage import store_from_settings

    settings = load_settings(config)
    configure_logging()
    store = store or store_from_settings(settings)
    skill = build_skill(store, settings, clock, stand_ins=alexa_stand_ins)
    verifiers = request_verifiers(settings, clock)

    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.register_blueprint(public_pages)  # /privacy and /icons, for the store listing
    app.extensions["porchlight.settings"] = settings
    app.extensions["porchlight.store"] = store
    app.extensions["porchlight.skill"] = skill
    app.extensions["porchlight.endpoint"] = web.AlexaEndpoint(
        skill, verifiers, UserHasher(settings.log_key)
    )
    web.register(app, metrics=settings.metrics)
    return app


def request_verifiers(settings: Settings, clock: Clock) -> list[Any]:
    """Signature (unless in development mode), timestamp and, when set, skill id checks."""
    from skill.verify import (
        SignatureVerifier,
        SigningKeyCache,
        SkillIdVerifier,
        TimestampVerifier,
        load_trust_store,
    )

    verifiers: list[Any] = []
    if settings.dev:
        print(DEV_WARNING, file=sys.stderr)
        log.warning("signature checking is off (development mode)")
    else:
        keys = SigningKeyCache(
            load_trust_store(settings.ca_bundle), clock, cache_dir=settings.cert_cache_dir
        )
        verifiers.append(SignatureVerifier(keys))
    verifiers.append(TimestampVerifier(clock))
    if settings.skill_id:
        verifiers.append(SkillIdVerifier(settings.skill_id))
    return verifiers
