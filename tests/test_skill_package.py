"""A skill package that passes certification: `porchlight model export` and `model check`.

The manifest declares the APL screen interface, says it uses personal information, points
every locale's privacy policy and icons at the app's own pages, and can carry another
invocation name; `model check` finds each thing certification would refuse, and says what to
change.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import interaction_model
from interaction_model.export import ExportError, build_manifest, export_package
from interaction_model.package import icon_files
from interaction_model.package_check import package_problems, png_size
from skill.cli import main

ENDPOINT = "https://porch.example.org/alexa"


def read(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def problems_of(manifest: dict[str, Any], icons: dict[int, Path] | None = None) -> list[str]:
    return [str(p) for p in package_problems(manifest, icon_files() if icons is None else icons)]


@pytest.fixture
def manifest() -> dict[str, Any]:
    return build_manifest(ENDPOINT)


# ------------------------------------------------------------------------ export


def test_the_manifest_declares_the_screen_interface(manifest: dict[str, Any]) -> None:
    interfaces = manifest["manifest"]["apis"]["custom"]["interfaces"]
    assert {"type": "ALEXA_PRESENTATION_APL"} in interfaces


def test_every_locale_links_the_apps_own_privacy_policy(manifest: dict[str, Any]) -> None:
    privacy = manifest["manifest"]["privacyAndCompliance"]
    assert privacy["usesPersonalInfo"] is True
    assert privacy["locales"] == {
        locale: {"privacyPolicyUrl": f"https://porch.example.org/privacy/{locale}"}
        for locale in interaction_model.locales()
    }


def test_the_privacy_policy_sits_next_to_an_endpoint_under_a_path() -> None:
    manifest = build_manifest("https://example.org/porch/alexa")
    listing = manifest["manifest"]["publishingInformation"]["locales"]["en-GB"]
    policy = manifest["manifest"]["privacyAndCompliance"]["locales"]["en-GB"]
    assert policy["privacyPolicyUrl"] == "https://example.org/porch/privacy/en-GB"
    assert listing["largeIconUri"] == "https://example.org/porch/icons/512.png"


def test_a_flag_gives_one_privacy_policy_for_every_locale() -> None:
    url = "https://legal.example.org/porch-light/privacy"
    locales = build_manifest(ENDPOINT, privacy_policy_url=url)["manifest"][
        "privacyAndCompliance"]["locales"]
    assert {entry["privacyPolicyUrl"] for entry in locales.values()} == {url}


def test_a_privacy_policy_that_is_not_https_is_refused() -> None:
    with pytest.raises(ExportError, match="--privacy-policy-url must be an https:// URL"):
        build_manifest(ENDPOINT, privacy_policy_url="http://example.org/privacy")


def test_every_listing_names_both_icons_the_app_serves(manifest: dict[str, Any]) -> None:
    for listing in manifest["manifest"]["publishingInformation"]["locales"].values():
        assert listing["smallIconUri"] == "https://porch.example.org/icons/108.png"
        assert listing["largeIconUri"] == "https://porch.example.org/icons/512.png"


def test_the_store_description_says_what_the_skill_is_not(manifest: dict[str, Any]) -> None:
    for listing in manifest["manifest"]["publishingInformation"]["locales"].values():
        description = listing["description"].lower()
        assert "not therapy or professional advice" in description
        assert "words of crisis, it gives a help line" in description


def test_another_invocation_name_renames_models_and_example_phrases(tmp_path: Path) -> None:
    export_package(tmp_path, ENDPOINT, invocation_name="evening porch")
    package = tmp_path / "skill-package"
    for locale in interaction_model.locales():
        model = read(package / "interactionModels" / "custom" / f"{locale}.json")
        assert model["interactionModel"]["languageModel"]["invocationName"] == "evening porch"
        listing = read(package / "skill.json")["manifest"]["publishingInformation"][
            "locales"][locale]
        assert listing["examplePhrases"][0] == "Alexa, open Evening Porch"
        assert all("Porch Light" not in phrase for phrase in listing["examplePhrases"])


@pytest.mark.parametrize("name, expected", [
    ("porch", "needs two or more words"),
    ("Porch Glow", "must be lowercase"),
    ("alexa porch light", "may not contain \"alexa\""),
    ("porch light 2", "spell numbers out"),
])
def test_an_invocation_name_alexa_would_refuse_is_refused(name: str, expected: str) -> None:
    with pytest.raises(ExportError, match=expected):
        build_manifest(ENDPOINT, invocation_name=name)


def test_cli_exports_with_another_invocation_name(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["model", "export", str(tmp_path), "--endpoint", ENDPOINT,
                                       "--invocation-name", "kitchen porch"])
    assert result.exit_code == 0, result.output
    model = read(tmp_path / "skill-package" / "interactionModels" / "custom" / "en-US.json")
    assert model["interactionModel"]["languageModel"]["invocationName"] == "kitchen porch"


def test_cli_explains_a_refused_invocation_name(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["model", "export", str(tmp_path), "--endpoint", ENDPOINT,
                                       "--invocation-name", "lamp"])
    assert result.exit_code == 1
    assert "needs two or more words" in result.output


# ------------------------------------------------------------------------- check


def test_the_package_export_writes_passes_every_check(manifest: dict[str, Any]) -> None:
    assert problems_of(manifest) == []


def test_a_missing_screen_interface_is_named(manifest: dict[str, Any]) -> None:
    manifest["manifest"]["apis"]["custom"]["interfaces"] = []
    assert problems_of(manifest) == [
        "error: skill.json: apis.custom.interfaces lacks ALEXA_PRESENTATION_APL; without it "
        "Echo Show devices never report a screen and none is shown"]


def test_personal_info_and_privacy_policies_are_required(manifest: dict[str, Any]) -> None:
    privacy = manifest["manifest"]["privacyAndCompliance"]
    privacy["usesPersonalInfo"] = False
    del privacy["locales"]["en-GB"]
    privacy["locales"]["en-AU"]["privacyPolicyUrl"] = "http://porch.example.org/privacy"
    found = problems_of(manifest)
    assert len(found) == 3
    assert "usesPersonalInfo must be true" in found[0]
    assert "en-GB: privacyPolicyUrl must be an https:// URL" in "\n".join(found)
    assert "en-AU: privacyPolicyUrl must be an https:// URL" in "\n".join(found)


def test_listings_need_icons_and_a_plain_description(manifest: dict[str, Any]) -> None:
    listing = manifest["manifest"]["publishingInformation"]["locales"]["en-CA"]
    del listing["smallIconUri"]
    listing["description"] = "A gentle conversation skill for couples."
    found = problems_of(manifest)
    assert found == [
        "error: skill.json: en-CA: smallIconUri must be an https:// URL of a PNG (the app "
        "serves /icons/108.png and 512.png)",
        "error: skill.json: en-CA: the store description must say that it is not therapy; "
        "edit interaction_model/publishing.yaml",
        "error: skill.json: en-CA: the store description must say that it is not professional "
        "advice; edit interaction_model/publishing.yaml",
        "error: skill.json: en-CA: the store description must say that words of crisis get a "
        "help line; edit interaction_model/publishing.yaml",
    ]


def test_icons_must_exist_and_have_the_right_size(manifest: dict[str, Any],
                                                  tmp_path: Path) -> None:
    icons = {size: tmp_path / f"{size}.png" for size in (108, 512)}
    shutil.copy(icon_files()[512], icons[108])
    found = problems_of(manifest, icons)
    assert found == [
        "error: 108.png: the icon must be a 108 x 108 PNG; it is 512 x 512 pixels. "
        "Run scripts/draw_icons.py",
        "error: 512.png: the 512 px icon is missing; run scripts/draw_icons.py",
    ]
    icons[512].write_bytes(b"GIF89a not a png at all, just some bytes")
    assert "it is not a PNG" in problems_of(manifest, icons)[1]


def test_png_size_reads_the_header() -> None:
    assert png_size(icon_files()[108].read_bytes()) == (108, 108)
    assert png_size(b"\x89PNG\r\n\x1a\n") is None


def test_model_check_runs_the_package_checks() -> None:
    result = CliRunner().invoke(main, ["model", "check"])
    assert result.exit_code == 0, result.output
    assert "skill package: ok" in result.output


def test_model_check_fails_a_package_without_a_screen(tmp_path: Path) -> None:
    export_package(tmp_path, ENDPOINT)
    path = tmp_path / "skill-package" / "skill.json"
    manifest = read(path)
    manifest["manifest"]["apis"]["custom"]["interfaces"] = []
    manifest["manifest"]["privacyAndCompliance"]["usesPersonalInfo"] = False
    path.write_text(json.dumps(manifest), encoding="utf-8")
    result = CliRunner().invoke(main, ["model", "check", "--package", str(tmp_path)])
    assert result.exit_code == 1
    assert "lacks ALEXA_PRESENTATION_APL" in result.output
    assert "usesPersonalInfo must be true" in result.output
    assert "skill package: 2 errors" in result.output
    assert "en-US.json: " in result.output


def test_model_check_explains_a_folder_without_a_package(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["model", "check", "--package", str(tmp_path)])
    assert result.exit_code == 1
    assert "write it with `porchlight model export`" in result.output


def test_model_check_reports_a_listing_export_would_refuse(monkeypatch: pytest.MonkeyPatch,
                                                          ) -> None:
    from interaction_model import export

    publishing = export.load_publishing()
    publishing["locales"]["en-US"]["example_phrases"] = ["Open it"]
    monkeypatch.setattr(export, "load_publishing", lambda: publishing)
    result = CliRunner().invoke(main, ["model", "check"])
    assert result.exit_code == 1
    assert 'the example phrase "Open it" must start "Alexa, "' in result.output
    assert "skill package: 1 error" in result.output
