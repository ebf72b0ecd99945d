"""`porchlight model export`: an ASK CLI skill package Alexa would accept."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import interaction_model
from interaction_model import export
from interaction_model.export import ExportError, build_manifest, export_package
from skill.cli import main

ENDPOINT = "https://porch.example.org/alexa"


def read(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture
def package(tmp_path: Path) -> Path:
    export_package(tmp_path, ENDPOINT)
    return tmp_path


def test_the_package_has_the_files_ask_deploy_reads(package: Path) -> None:
    assert read(package / "ask-resources.json") == {
        "askcliResourcesVersion": "2020-03-31",
        "profiles": {"default": {"skillMetadata": {"src": "./skill-package"}}}}
    for locale in interaction_model.locales():
        path = package / "skill-package" / "interactionModels" / "custom" / f"{locale}.json"
        assert read(path) == interaction_model.load_model(locale)


def test_the_manifest_points_alexa_at_the_https_endpoint(package: Path) -> None:
    manifest = read(package / "skill-package" / "skill.json")["manifest"]
    assert manifest["manifestVersion"] == "1.0"
    assert manifest["apis"]["custom"]["endpoint"] == {"uri": ENDPOINT,
                                                      "sslCertificateType": "Trusted"}
    assert manifest["permissions"] == [{"name": "alexa::alerts:reminders:skill:readwrite"},
                                       {"name": "alexa::person_id:read"}]
    assert manifest["events"]["subscriptions"] == [{"eventName": "SKILL_ENABLED"},
                                                   {"eventName": "SKILL_DISABLED"}]
    assert manifest["events"]["endpoint"]["uri"] == ENDPOINT


def test_every_locale_has_a_store_listing(package: Path) -> None:
    publishing = read(package / "skill-package" / "skill.json")["manifest"][
        "publishingInformation"]
    assert set(publishing["locales"]) == set(interaction_model.locales())
    for listing in publishing["locales"].values():
        assert listing["name"] == "Porch Light"
        assert 0 < len(listing["summary"]) <= 160
        assert 0 < len(listing["description"]) <= 4000
        assert 1 <= len(listing["examplePhrases"]) <= 3
        assert listing["examplePhrases"][0].startswith("Alexa, open ")
    assert publishing["isAvailableWorldwide"] is False
    assert "US" in publishing["distributionCountries"]
    assert publishing["category"] == "FRIENDS_AND_FAMILY"


def test_privacy_and_compliance_answers(tmp_path: Path) -> None:
    manifest = build_manifest(ENDPOINT, "self-signed", "https://porch.example.org/privacy")
    privacy = manifest["manifest"]["privacyAndCompliance"]
    assert privacy["isChildDirected"] is False and privacy["containsAds"] is False
    assert privacy["usesPersonalInfo"] is True and privacy["allowsPurchases"] is False
    assert privacy["locales"]["en-US"] == {"privacyPolicyUrl": "https://porch.example.org/privacy"}
    endpoint = manifest["manifest"]["apis"]["custom"]["endpoint"]
    assert endpoint["sslCertificateType"] == "SelfSigned"


@pytest.mark.parametrize("url, expected", [
    ("http://porch.example.org/alexa", "must be an https:// URL"),
    ("https:///alexa", "must be an https:// URL with a host"),
    ("https://porch.example.org:8443/alexa", "only calls port 443"),
    ("porch.example.org/alexa", "must be an https:// URL"),
])
def test_endpoints_alexa_cannot_call_are_refused(url: str, expected: str) -> None:
    with pytest.raises(ExportError, match=expected):
        build_manifest(url)


def test_an_unknown_certificate_kind_is_refused() -> None:
    with pytest.raises(ExportError, match="--certificate is one of"):
        build_manifest(ENDPOINT, "homemade")


def test_example_phrases_must_be_understood(monkeypatch: pytest.MonkeyPatch) -> None:
    publishing = export.load_publishing()
    publishing["locales"]["en-US"]["example_phrases"] = ["Alexa, ask Porch Light to dance"]
    monkeypatch.setattr(export, "load_publishing", lambda: publishing)
    with pytest.raises(ExportError, match="must start \"Alexa, \", name the skill"):
        build_manifest(ENDPOINT)
    publishing["locales"]["en-US"]["example_phrases"] = []
    with pytest.raises(ExportError, match="give one to 3 example phrases"):
        build_manifest(ENDPOINT)


def test_a_locale_without_a_listing_uses_the_default_words(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(export, "check_example_phrases", lambda *arguments: None)
    publishing = export.load_publishing()
    listing = export.locale_listing(publishing, "en-GB")
    assert listing["name"] == "Porch Light"


def test_an_unwritable_directory_is_reported(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(ExportError, match="cannot write the package"):
        export_package(blocker, ENDPOINT)


def test_cli_exports(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["model", "export", str(tmp_path / "pkg"),
                                       "--endpoint", ENDPOINT])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "pkg" / "skill-package" / "skill.json").is_file()
    assert "ask deploy" in result.output


def test_cli_refuses_a_bad_endpoint(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["model", "export", str(tmp_path), "--endpoint",
                                       "http://localhost:5000/alexa"])
    assert result.exit_code == 1
    assert "must be an https:// URL" in result.output


def test_cli_refuses_to_export_a_broken_model(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    broken = tmp_path / "en-US.json"
    broken.write_text('{"interactionModel": {}}')
    monkeypatch.setattr("interaction_model.validate.default_paths", lambda: [broken])
    result = CliRunner().invoke(main, ["model", "export", str(tmp_path / "pkg"), "--endpoint",
                                       ENDPOINT])
    assert result.exit_code == 1
    assert "fix them before exporting" in result.output
    assert not (tmp_path / "pkg").exists()
