"""The Flask application factory: ``gunicorn 'skill.app:create_app()'``. No work at import."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from flask import Flask

from skill.config import Settings, load_settings
from skill.conversation.clock import Clock, system_clock

if TYPE_CHECKING:
    from skill.alexa_endpoint import AlexaEndpoint
    from skill.cert_url import CertUrl
    from skill.storage import HouseholdStore

    CertFetch = Callable[[CertUrl], bytes]

log = logging.getLogger("porchlight.app")

ANY_SKILL_WARNING = (
    "WARNING: PORCHLIGHT_SKILL_ID is not set: requests signed for ANY Alexa skill are "
    "accepted. Set it to your skill's id (docs/security.md)."
)
NO_SKILL_ID = (
    "PORCHLIGHT_SKILL_ID is not set, so requests for any Alexa skill would be served "
    "(Alexa signs every skill's requests with the same certificate). Set it to your skill's "
    "id, or set PORCHLIGHT_ALLOW_ANY_SKILL=true to serve any skill on purpose."
)
DEV_WARNING = (
    "WARNING: development mode: Alexa request signatures are NOT checked. "
    "Serving loopback only; never expose this server."
)


def create_app(
    config: Mapping[str, Any] | None = None, *, clock: Clock = system_clock,
    store: HouseholdStore | None = None, alexa_stand_ins: Iterable[str] = (),
    cert_fetch: CertFetch | None = None, require_skill_id: bool = True,
) -> Flask:
    """Build the app from settings (defaults, then PORCHLIGHT_* variables, then ``config``).

    ``store`` replaces the one the database URL names (tests, embedding).
    ``alexa_stand_ins``: hosts of local stand-ins for Alexa's APIs the skill may send a
    request's access token to (tests); in production only Alexa's own hosts get it.
    ``cert_fetch``: the certificate fetcher (tests: a fake S3 on loopback). Without a skill
    id the app refuses to start (ValueError) unless in dev mode, PORCHLIGHT_ALLOW_ANY_SKILL
    is set, or the caller warns about it itself (``require_skill_id=False``: `porchlight
    serve`).
    """
    from skill import dev_guard, web
    from skill.logs import configure_logging
    from skill.public_pages import blueprint as public_pages
    from skill.storage import store_from_settings

    settings = load_settings(config)
    configure_logging()
    check_skill_id(settings, required=require_skill_id)
    check_trust_store(settings)
    if settings.dev:
        print(DEV_WARNING, file=sys.stderr)
        log.warning("signature checking is off (development mode)")
    store = store or store_from_settings(settings)

    def build_endpoint() -> AlexaEndpoint:  # on the first POST /alexa (web.LazyEndpoint)
        from skill.alexa_endpoint import build_endpoint

        return build_endpoint(settings, store, clock, stand_ins=alexa_stand_ins,
                              cert_fetch=cert_fetch)

    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.register_blueprint(public_pages)  # /privacy and /icons, for the store listing
    app.extensions["porchlight.settings"] = settings
    app.extensions["porchlight.store"] = store
    app.extensions["porchlight.endpoint"] = web.LazyEndpoint(build_endpoint)
    if settings.dev:
        dev_guard.install(app)  # the loopback guard runs in Flask: POST /alexa stays there
    else:
        app.wsgi_app = web.AlexaRoute(app.extensions, app.wsgi_app)  # type: ignore[method-assign]
    web.register(app, metrics=settings.metrics)
    return app


def check_skill_id(settings: Settings, *, required: bool) -> None:
    """ValueError when a skill id is required and missing; a warning in the log whenever
    it is missing (Alexa signs every skill's requests with the same certificate)."""
    if required and not (settings.skill_id or settings.dev or settings.allow_any_skill):
        raise ValueError(NO_SKILL_ID)
    if not settings.skill_id:
        log.warning("no skill id: requests for any skill are accepted")


def check_trust_store(settings: Settings) -> None:
    """ValueError at start-up when the trusted roots named by PORCHLIGHT_CA_BUNDLE cannot be
    read (they are parsed on the first request, which must not be where this shows)."""
    if settings.dev or not settings.ca_bundle:
        return
    try:
        with open(settings.ca_bundle, "rb") as bundle:
            bundle.read(1)
    except OSError as error:
        raise ValueError(f"cannot read trusted roots from {settings.ca_bundle}: {error}") \
            from error
