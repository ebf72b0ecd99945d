"""What the skill package needs to pass certification, besides the models.

The screen interface Echo Show devices look for, the privacy policy and icons the app serves
(``skill/public_pages.py``), and a renamed invocation. ``package_check`` checks them.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from interaction_model.checks import ModelChecks

APL_INTERFACE = {"type": "ALEXA_PRESENTATION_APL"}
"""Without it, real devices never report APL support and the screen is never shown."""
ICON_SIZES = {"smallIconUri": 108, "largeIconUri": 512}
"""The store's icon fields and the pixel size each must be."""
DEFAULT_NAME = "Porch Light"


class PackageError(ValueError):
    """The package cannot be made as asked; the message says what to change."""


def public_url(endpoint: str, path: str) -> str:
    """A page of the app that serves ``endpoint``: ``https://host/alexa`` -> ``https://host/<path>``."""
    return urljoin(endpoint, path)


def privacy_policy_urls(endpoint: str, locales: tuple[str, ...],
                        override: str | None = None) -> dict[str, dict[str, str]]:
    """Each locale's privacy policy: the app's own page for it, unless one URL is given."""
    if override is not None and not is_https(override):
        raise PackageError(f"--privacy-policy-url must be an https:// URL, not {override!r}; "
                           "Alexa only links to HTTPS pages")
    return {locale: {"privacyPolicyUrl": override or public_url(endpoint, f"privacy/{locale}")}
            for locale in locales}


def icon_uris(endpoint: str) -> dict[str, str]:
    """The store listing's icon fields, pointing at the icons the app serves."""
    return {field: public_url(endpoint, f"icons/{size}.png") for field, size in ICON_SIZES.items()}


def icon_files() -> dict[int, Path]:
    """The committed icons the app serves, by size."""
    folder = resources.files("skill").joinpath("static", "icons")
    return {size: Path(str(folder.joinpath(f"{size}.png"))) for size in ICON_SIZES.values()}


def check_invocation_name(name: str) -> str:
    """The name, if Alexa accepts it as an invocation name (the model checks' own rules)."""
    checks = ModelChecks("--invocation-name", {"invocationName": name})
    checks.invocation_name()
    if checks.problems:
        raise PackageError("; ".join(p.message for p in checks.problems))
    return name


def renamed_model(model: Mapping[str, Any], invocation_name: str | None) -> dict[str, Any]:
    """A copy of a model, with another invocation name when one is given."""
    renamed = copy.deepcopy(dict(model))
    if invocation_name:
        renamed["interactionModel"]["languageModel"]["invocationName"] = invocation_name
    return renamed


def renamed_phrase(phrase: str, invocation_name: str | None) -> str:
    """An example phrase that names the skill by its invocation name."""
    if not invocation_name:
        return phrase
    return re.sub(re.escape(DEFAULT_NAME), invocation_name.title(), phrase, flags=re.I)


def is_https(url: str) -> bool:
    parts = urlsplit(str(url))
    return parts.scheme == "https" and bool(parts.hostname)
