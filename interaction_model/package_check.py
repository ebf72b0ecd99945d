"""`porchlight model check`, package part: what certification looks for besides the models.

The APL screen interface, ``usesPersonalInfo``, an HTTPS privacy policy for every locale, both
icons (named in every listing, and the committed PNGs the app serves, at the right size), and
store descriptions that say plainly the skill is not therapy or professional advice and that
words of crisis get a help line. Every problem says what to change.
"""

from __future__ import annotations

import json
import re
import struct
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from interaction_model.checks import Problem
from interaction_model.package import APL_INTERFACE, ICON_SIZES, icon_files, is_https

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# The store description must say plainly what the skill is not, and that crisis gets help.
DESCRIPTION_MUST_SAY = {
    "that it is not therapy": re.compile(r"\bnot (?:a )?therapy\b", re.I),
    "that it is not professional advice": re.compile(r"\bprofessional advice\b", re.I),
    "that words of crisis get a help line": re.compile(r"\bhelp ?line\b", re.I),
}
MANIFEST = "skill.json"
PLACEHOLDER_ENDPOINT = "https://skill.example.invalid/alexa"
"""Stands in for the real endpoint when checking the package `model export` would write."""


def check_package(directory: Path | None = None) -> list[Problem]:
    """Problems in an exported package under ``directory``, or in the one export would write."""
    if directory is None:
        from interaction_model.export import ExportError, build_manifest

        try:
            manifest = build_manifest(PLACEHOLDER_ENDPOINT)
        except ExportError as error:
            return [Problem(MANIFEST, str(error))]
    else:
        path = directory / "skill-package" / MANIFEST
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            return [Problem(MANIFEST, f"cannot read {path} ({error}); write it with "
                                      "`porchlight model export`")]
    return package_problems(manifest, icon_files())


def png_size(data: bytes) -> tuple[int, int] | None:
    """Width and height from a PNG's header, or None when it is not a PNG."""
    if len(data) < 24 or not data.startswith(PNG_SIGNATURE) or data[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def package_problems(manifest: Mapping[str, Any], icons: Mapping[int, Path]) -> list[Problem]:
    """What in a skill manifest and its icons would fail certification."""
    body = manifest.get("manifest") or {}
    problems = _interface_problems(body) + _privacy_problems(body)
    for locale, listing in (body.get("publishingInformation") or {}).get("locales", {}).items():
        problems += _listing_problems(locale, listing)
    return problems + _icon_file_problems(icons)


def _interface_problems(body: Mapping[str, Any]) -> list[Problem]:
    interfaces = ((body.get("apis") or {}).get("custom") or {}).get("interfaces") or []
    if APL_INTERFACE["type"] in {i.get("type") for i in interfaces if isinstance(i, dict)}:
        return []
    return [Problem(MANIFEST, "apis.custom.interfaces lacks ALEXA_PRESENTATION_APL; without it "
                              "Echo Show devices never report a screen and none is shown")]


def _privacy_problems(body: Mapping[str, Any]) -> list[Problem]:
    privacy = body.get("privacyAndCompliance") or {}
    problems = []
    if privacy.get("usesPersonalInfo") is not True:
        problems.append(Problem(MANIFEST, "privacyAndCompliance.usesPersonalInfo must be true: "
                                          "the skill keeps per-household data and asks for "
                                          "the reminders permission"))
    policies = privacy.get("locales") or {}
    for locale in (body.get("publishingInformation") or {}).get("locales", {}):
        url = (policies.get(locale) or {}).get("privacyPolicyUrl")
        if not url or not is_https(url):
            problems.append(Problem(MANIFEST, f"{locale}: privacyPolicyUrl must be an https:// "
                                              f"URL (the app serves one at /privacy/{locale})"))
    return problems


def _listing_problems(locale: str, listing: Mapping[str, Any]) -> list[Problem]:
    problems = []
    for field in ICON_SIZES:
        uri = listing.get(field)
        if not uri or not is_https(uri) or not str(uri).endswith(".png"):
            problems.append(Problem(MANIFEST, f"{locale}: {field} must be an https:// URL of a "
                                              "PNG (the app serves /icons/108.png and 512.png)"))
    description = str(listing.get("description") or "")
    for what, pattern in DESCRIPTION_MUST_SAY.items():
        if not pattern.search(description):
            problems.append(Problem(MANIFEST, f"{locale}: the store description must say {what}; "
                                              "edit interaction_model/publishing.yaml"))
    return problems


def _icon_file_problems(icons: Mapping[int, Path]) -> list[Problem]:
    problems = []
    for size, path in icons.items():
        try:
            found = png_size(path.read_bytes())
        except OSError:
            problems.append(Problem(path.name, f"the {size} px icon is missing; run "
                                               "scripts/draw_icons.py"))
            continue
        if found != (size, size):
            actual = "not a PNG" if found is None else f"{found[0]} x {found[1]} pixels"
            problems.append(Problem(path.name, f"the icon must be a {size} x {size} PNG; it is "
                                               f"{actual}. Run scripts/draw_icons.py"))
    return problems
