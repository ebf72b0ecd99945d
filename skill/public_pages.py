"""Pages the skill's store listing links to: the privacy policy and the skill icons.

``GET /privacy`` (en-US), ``GET /privacy/<locale>`` or ``GET /privacy?locale=<locale>``: the
privacy policy as plain, accessible HTML, written from ``skill/content/privacy.yaml`` and the
facts in ``skill/conversation/stored_facts.py`` (the list behind "what do you remember about
us?"). ``GET /icons/108.png`` and ``GET /icons/512.png``: the icons `porchlight model export`
names (drawn by ``scripts/draw_icons.py``). Nothing here reads a request body or any
household's data.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

from flask import Blueprint, Response, render_template, request

from skill.conversation.stored_facts import POLICY_VALUES, current_facts

ICON_SIZES = (108, 512)
"""The icon sizes Alexa's store listing asks for (small and large), in pixels."""
CACHE_SECONDS = 86400

blueprint = Blueprint("public_pages", __name__, template_folder="templates")


@cache
def privacy_policy() -> dict[str, Any]:
    """The privacy policy's words, with the code's own numbers filled in."""
    from skill.content import load_yaml  # the skill's words load on the first page, not at start

    text = resources.files("skill.content").joinpath("privacy.yaml").read_text("utf-8")
    policy: dict[str, Any] = load_yaml(text)
    policy["facts"] = {key: " ".join(str(value).split()).format_map(POLICY_VALUES)
                       for key, value in policy["facts"].items()}
    return policy


def policy_facts() -> list[tuple[str, str]]:
    """(key, plain words) for every fact the skill keeps, in the order STORED_FACTS lists them."""
    facts = privacy_policy()["facts"]
    return [(fact.key, facts[fact.key]) for fact in current_facts()]


@blueprint.get("/privacy")
@blueprint.get("/privacy/<locale>")
def privacy(locale: str | None = None) -> Response:
    """The privacy policy for a locale Porch Light speaks; a plain 404 page otherwise."""
    from skill.content import DEFAULT_LOCALE, content_locales

    locale = locale or request.args.get("locale") or DEFAULT_LOCALE
    known = content_locales()
    if locale not in known:
        body = (f"<!doctype html><html lang=\"en\"><title>Not found</title><main><h1>No privacy "
                f"policy for that locale</h1><p>Try one of: {', '.join(known)}.</p></main></html>")
        return Response(body, status=404, mimetype="text/html")
    html = render_template("privacy.html", locale=locale, policy=privacy_policy(),
                           facts=policy_facts())
    response = Response(html, mimetype="text/html")
    response.cache_control.public = True
    response.cache_control.max_age = CACHE_SECONDS
    return response


@cache
def icon_bytes(size: int) -> bytes:
    """A committed skill icon (``skill/static/icons/<size>.png``)."""
    return resources.files("skill").joinpath("static", "icons", f"{size}.png").read_bytes()


@blueprint.get("/icons/<int:size>.png")
def icon(size: int) -> Response:
    """The skill icon of one of the store's sizes; 404 for any other size."""
    if size not in ICON_SIZES:
        return Response(f"Icons come in {' and '.join(map(str, ICON_SIZES))} pixels.\n",
                        status=404, mimetype="text/plain")
    response = Response(icon_bytes(size), mimetype="image/png")
    response.cache_control.public = True
    response.cache_control.max_age = CACHE_SECONDS
    return response
