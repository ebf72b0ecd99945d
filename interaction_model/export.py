"""`porchlight model export DIR`: an ASK CLI skill package, ready for `ask deploy`.

Writes ``DIR/ask-resources.json``, ``DIR/skill-package/skill.json`` (the manifest: HTTPS
endpoint, the APL screen interface, store listing and icons per locale, the reminders
permission, SKILL_ENABLED and SKILL_DISABLED event subscriptions, privacy and compliance
answers with each locale's privacy policy) and
``DIR/skill-package/interactionModels/custom/<locale>.json`` for every packaged model. The
privacy policy and icons are pages of the same app, found next to the endpoint
(``https://host/alexa`` -> ``https://host/privacy/en-US``, ``https://host/icons/108.png``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from interaction_model import load_model, locales
from interaction_model.matcher import Matcher, matcher_for
from interaction_model.package import (
    APL_INTERFACE,
    PackageError,
    check_invocation_name,
    icon_uris,
    privacy_policy_urls,
    renamed_model,
    renamed_phrase,
)

CERTIFICATES = {"trusted": "Trusted", "wildcard": "Wildcard", "self-signed": "SelfSigned"}
"""``--certificate`` choices and the manifest's sslCertificateType for each."""
REMINDERS_PERMISSION = "alexa::alerts:reminders:skill:readwrite"
PERSON_PERMISSION = "alexa::person_id:read"
"""Personalization: Alexa tells the skill which voice profile spoke (Hearth and closeness
need a yes from each partner)."""
SUBSCRIBED_EVENTS = ("SKILL_ENABLED", "SKILL_DISABLED")
MAX_EXAMPLE_PHRASES = 3
ASK_RESOURCES = {"askcliResourcesVersion": "2020-03-31",
                 "profiles": {"default": {"skillMetadata": {"src": "./skill-package"}}}}


class ExportError(ValueError):
    """The package cannot be written as asked; the message says what to change."""


def check_endpoint(url: str) -> str:
    """The endpoint URL, if Alexa can call it: HTTPS, a host, port 443."""
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise ExportError(f"the endpoint must be an https:// URL with a host, not {url!r}; "
                          "Alexa only calls HTTPS endpoints (e.g. https://your.host/alexa)")
    if parts.port not in (None, 443):
        raise ExportError(f"Alexa only calls port 443; {url!r} names port {parts.port}. "
                          "Put the app behind a proxy on 443.")
    return url


def load_publishing() -> dict[str, Any]:
    """The store listing data (``interaction_model/publishing.yaml``)."""
    text = resources.files("interaction_model").joinpath("publishing.yaml").read_text("utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def locale_listing(publishing: Mapping[str, Any], locale: str,
                   invocation_name: str | None = None) -> dict[str, Any]:
    """A locale's store listing: name, summary, description, example phrases, keywords."""
    entries = publishing["locales"]
    entry = entries.get(locale) or entries[publishing["default_locale"]]
    phrases = [renamed_phrase(phrase, invocation_name) for phrase in entry["example_phrases"]]
    check_example_phrases(locale, phrases, invocation_name)
    return {"name": entry["name"], "summary": entry["summary"],
            "description": " ".join(entry["description"].split()),
            "examplePhrases": phrases, "keywords": list(entry.get("keywords") or ())}


def check_example_phrases(locale: str, phrases: list[str],
                          invocation_name: str | None = None) -> None:
    """Alexa's rules: one to three phrases, each starting "Alexa,", each understood."""
    if not 1 <= len(phrases) <= MAX_EXAMPLE_PHRASES:
        raise ExportError(f"{locale}: give one to {MAX_EXAMPLE_PHRASES} example phrases")
    matcher = (Matcher(renamed_model(load_model(locale), invocation_name)) if invocation_name
               else matcher_for(locale))
    for phrase in phrases:
        found = matcher.recognize(phrase)
        if not phrase.startswith("Alexa, ") or not found.invoked or found.is_fallback:
            raise ExportError(f'{locale}: the example phrase "{phrase}" must start "Alexa, ", '
                              "name the skill, and be something the model understands; "
                              "edit interaction_model/publishing.yaml")


def build_manifest(endpoint: str, certificate: str = "trusted",
                   privacy_policy_url: str | None = None,
                   invocation_name: str | None = None) -> dict[str, Any]:
    """The skill manifest (skill.json) for every packaged locale.

    Each locale's privacy policy is the app's own page unless ``privacy_policy_url`` is
    given; ``invocation_name`` replaces "porch light" in the example phrases.
    """
    if certificate not in CERTIFICATES:
        raise ExportError(f"--certificate is one of {', '.join(CERTIFICATES)}")
    target = {"uri": check_endpoint(endpoint), "sslCertificateType": CERTIFICATES[certificate]}
    publishing = load_publishing()
    names = locales()
    try:
        if invocation_name is not None:
            check_invocation_name(invocation_name)
        policies = privacy_policy_urls(endpoint, names, privacy_policy_url)
    except PackageError as error:
        raise ExportError(str(error)) from None
    privacy: dict[str, Any] = {"allowsPurchases": False, "usesPersonalInfo": True,
                               "isChildDirected": False, "isExportCompliant": True,
                               "containsAds": False, "locales": policies}
    listings = {locale: {**locale_listing(publishing, locale, invocation_name),
                         **icon_uris(endpoint)} for locale in names}
    countries = sorted({publishing["countries"][locale] for locale in names
                        if locale in publishing["countries"]})
    return {"manifest": {
        "manifestVersion": "1.0",
        "publishingInformation": {
            "locales": listings,
            "isAvailableWorldwide": False,
            "distributionCountries": countries,
            "distributionMode": "PUBLIC",
            "category": publishing["category"],
            "testingInstructions": " ".join(publishing["testing_instructions"].split()),
        },
        "privacyAndCompliance": privacy,
        "apis": {"custom": {"endpoint": dict(target), "interfaces": [dict(APL_INTERFACE)]}},
        "permissions": [{"name": REMINDERS_PERMISSION}, {"name": PERSON_PERMISSION}],
        "events": {"endpoint": dict(target),
                   "subscriptions": [{"eventName": name} for name in SUBSCRIBED_EVENTS]},
    }}


def export_package(directory: Path, endpoint: str, certificate: str = "trusted",
                   privacy_policy_url: str | None = None,
                   invocation_name: str | None = None) -> list[Path]:
    """Write the skill package under ``directory``; returns the files written."""
    manifest = build_manifest(endpoint, certificate, privacy_policy_url, invocation_name)
    package = directory / "skill-package"
    models = package / "interactionModels" / "custom"
    files = {directory / "ask-resources.json": ASK_RESOURCES, package / "skill.json": manifest}
    files.update({models / f"{locale}.json": renamed_model(load_model(locale), invocation_name)
                  for locale in locales()})
    try:
        models.mkdir(parents=True, exist_ok=True)
        for path, content in files.items():
            path.write_text(json.dumps(content, indent=2, ensure_ascii=False) + "\n", "utf-8")
    except OSError as error:
        raise ExportError(f"cannot write the package under {directory}: {error}") from None
    return list(files)
