"""Settings: defaults, then PORCHLIGHT_* variables, then overrides; bad values fail clearly.

Every test passes ``environ`` explicitly, so the real environment never leaks in.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from pathlib import Path
from typing import Any

import platformdirs
import pytest

from skill.config import Settings, is_loopback, load_settings
from skill.storage import sqlite_path

FULL_ENVIRONMENT = {
    "PORCHLIGHT_HOST": "0.0.0.0",
    "PORCHLIGHT_PORT": "8443",
    "PORCHLIGHT_DATABASE_URL": "sqlite:////var/lib/porchlight/porch.sqlite3",
    "PORCHLIGHT_SKILL_ID": "amzn1.ask.skill.from-environment",
    "PORCHLIGHT_DEV": "false",
    "PORCHLIGHT_CA_BUNDLE": "/etc/porchlight/roots.pem",
    "PORCHLIGHT_CERT_CACHE_DIR": "/var/cache/porchlight/certs",
}


# --------------------------------------------------------------------------- defaults


def test_defaults() -> None:
    settings = load_settings(environ={})
    assert settings.host == "127.0.0.1"
    assert settings.port == 5000
    assert settings.skill_id is None
    assert settings.dev is False
    assert settings.ca_bundle is None
    assert settings.cert_cache_dir is None


def test_default_database_is_sqlite_in_the_user_data_dir() -> None:
    url = load_settings(environ={}).database_url
    assert url.startswith("sqlite:///")
    path = Path(sqlite_path(url))
    assert path.is_absolute(), "the default must not depend on the working directory"
    assert path.parent == Path(platformdirs.user_data_dir("porch-light", appauthor=False))
    assert path.suffix == ".sqlite3"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="XDG is Linux's convention")
def test_default_database_follows_xdg_data_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    url = load_settings(environ={}).database_url
    assert Path(sqlite_path(url)).parent == tmp_path / "porch-light"


def test_settings_are_frozen() -> None:
    settings = load_settings(environ={})
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.port = 1  # type: ignore[misc]


# ------------------------------------------------------------------------ environment


def test_every_documented_variable_is_read() -> None:
    settings = load_settings(environ=FULL_ENVIRONMENT)
    assert settings.host == "0.0.0.0"
    assert settings.port == 8443
    assert settings.database_url == "sqlite:////var/lib/porchlight/porch.sqlite3"
    assert settings.skill_id == "amzn1.ask.skill.from-environment"
    assert settings.dev is False
    assert settings.ca_bundle == "/etc/porchlight/roots.pem"
    assert settings.cert_cache_dir == "/var/cache/porchlight/certs"


def test_every_setting_has_a_variable() -> None:
    """A new setting is reachable from the environment without code changes."""
    for spec in dataclasses.fields(Settings):
        if spec.type == "str | None":
            value = "/from/env"
            # stand-in hosts are refused outside development mode (tested below)
            dev = {"PORCHLIGHT_DEV": "1"} if spec.name == "alexa_api_hosts" else {}
            settings = load_settings(environ={f"PORCHLIGHT_{spec.name.upper()}": value, **dev})
            assert getattr(settings, spec.name) == value, spec.name


@pytest.mark.parametrize("raw", ["1", "true", "TRUE", "yes", " On "])
def test_dev_variable_true(raw: str) -> None:
    assert load_settings(environ={"PORCHLIGHT_DEV": raw}).dev is True


@pytest.mark.parametrize("raw", ["0", "false", "False", "no", "off", ""])
def test_dev_variable_false(raw: str) -> None:
    assert load_settings(environ={"PORCHLIGHT_DEV": raw}).dev is False


def test_empty_text_variables_keep_their_defaults() -> None:
    environ = {"PORCHLIGHT_HOST": "", "PORCHLIGHT_DATABASE_URL": "", "PORCHLIGHT_SKILL_ID": ""}
    settings = load_settings(environ=environ)
    defaults = load_settings(environ={})
    assert settings.host == defaults.host == "127.0.0.1"
    assert settings.database_url == defaults.database_url
    assert settings.skill_id is None


def test_variables_without_the_prefix_are_ignored() -> None:
    settings = load_settings(environ={"PORT": "9", "HOST": "0.0.0.0", "porchlight_port": "9"})
    assert (settings.host, settings.port) == ("127.0.0.1", 5000)


def test_the_process_environment_is_the_default_source(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [n for n in os.environ if n.startswith("PORCHLIGHT_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("PORCHLIGHT_PORT", "6001")
    assert load_settings().port == 6001


# -------------------------------------------------------------------------- overrides


def test_overrides_beat_the_environment() -> None:
    overrides = {"host": "127.0.0.1", "port": 9000, "skill_id": "amzn1.ask.skill.override",
                 "dev": True, "database_url": "sqlite:///override.db"}
    settings = load_settings(overrides, environ=FULL_ENVIRONMENT)
    assert settings.host == "127.0.0.1"
    assert settings.port == 9000
    assert settings.skill_id == "amzn1.ask.skill.override"
    assert settings.dev is True
    assert settings.database_url == "sqlite:///override.db"
    assert settings.ca_bundle == FULL_ENVIRONMENT["PORCHLIGHT_CA_BUNDLE"]


def test_none_overrides_are_ignored() -> None:
    overrides: dict[str, Any] = {"host": None, "port": None, "dev": None, "skill_id": None}
    settings = load_settings(overrides, environ=FULL_ENVIRONMENT)
    assert settings.host == "0.0.0.0"
    assert settings.port == 8443
    assert settings.skill_id == "amzn1.ask.skill.from-environment"
    assert load_settings(overrides, environ={}).port == 5000


@pytest.mark.parametrize("raw, expected", [("false", False), ("0", False), ("true", True)])
def test_text_overrides_for_flags_read_like_variables(raw: str, expected: bool) -> None:
    assert load_settings({"dev": raw}, environ={}).dev is expected


def test_text_override_for_a_number_is_converted() -> None:
    assert load_settings({"port": "8080"}, environ={}).port == 8080


def test_an_unknown_override_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown setting 'prot'"):
        load_settings({"prot": 8080}, environ={})


# ------------------------------------------------------------------------- bad values


@pytest.mark.parametrize("environ, message", [
    ({"PORCHLIGHT_PORT": "abc"}, r"PORCHLIGHT_PORT must be a whole number.*'abc'"),
    ({"PORCHLIGHT_PORT": ""}, r"PORCHLIGHT_PORT must be a whole number"),
    ({"PORCHLIGHT_PORT": "0"}, r"port must be between 1 and 65535, not 0"),
    ({"PORCHLIGHT_PORT": "65536"}, r"port must be between 1 and 65535, not 65536"),
    ({"PORCHLIGHT_PORT": "-1"}, r"port must be between 1 and 65535"),
    ({"PORCHLIGHT_DEV": "maybe"}, r"PORCHLIGHT_DEV must be true or false, not 'maybe'"),
    ({"PORCHLIGHT_MAX_BODY_BYTES": "10"}, r"max_body_bytes must be at least 1024"),
])
def test_bad_variables_fail_with_a_clear_message(environ: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        load_settings(environ=environ)


@pytest.mark.parametrize("overrides, message", [
    ({"port": "abc"}, r"'port' must be a whole number, not 'abc'"),
    ({"port": 0}, r"port must be between 1 and 65535, not 0"),
    ({"dev": "maybe"}, r"'dev' must be true or false, not 'maybe'"),
])
def test_bad_overrides_fail_with_a_clear_message(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        load_settings(overrides, environ={})


# ----------------------------------------------------------------- dev is loopback only


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "porch.example.com"])
def test_dev_mode_refuses_a_public_host(host: str) -> None:
    with pytest.raises(ValueError, match=rf"loopback only, not {host}"):
        load_settings({"dev": True, "host": host}, environ={})


def test_dev_mode_from_the_environment_refuses_a_public_host() -> None:
    with pytest.raises(ValueError, match="loopback"):
        load_settings(environ={"PORCHLIGHT_DEV": "1", "PORCHLIGHT_HOST": "0.0.0.0"})


def test_a_loopback_override_makes_dev_mode_safe_again() -> None:
    environ = {"PORCHLIGHT_DEV": "1", "PORCHLIGHT_HOST": "0.0.0.0"}
    assert load_settings({"host": "127.0.0.1"}, environ=environ).dev is True


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "127.0.0.2", "::1", "[::1]"])
def test_dev_mode_accepts_loopback_hosts(host: str) -> None:
    settings = load_settings({"dev": True, "host": host}, environ={})
    assert settings.dev is True
    assert settings.host == host


def test_a_public_host_is_fine_without_dev_mode() -> None:
    assert load_settings({"host": "0.0.0.0"}, environ={}).host == "0.0.0.0"


@pytest.mark.parametrize("host, loopback", [
    ("localhost", True), ("127.0.0.1", True), ("127.0.0.2", True), ("127.255.255.254", True),
    ("::1", True), ("[::1]", True),
    ("0.0.0.0", False), ("::", False), ("10.0.0.1", False), ("128.0.0.1", False),
    ("localhost.example.com", False), ("example.com", False), ("", False),
])
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


# ------------------------------------------------------- database pool, timeouts, metrics


def test_database_and_metrics_settings_come_from_the_environment() -> None:
    settings = load_settings(environ={
        "PORCHLIGHT_DB_POOL_SIZE": "8", "PORCHLIGHT_DB_TIMEOUT_MS": "1500",
        "PORCHLIGHT_DB_AUTO_UPGRADE": "true", "PORCHLIGHT_METRICS": "yes",
    })
    assert (settings.db_pool_size, settings.db_timeout_ms) == (8, 1500)
    assert settings.db_auto_upgrade is True and settings.metrics is True
    defaults = load_settings(environ={})
    assert (defaults.db_pool_size, defaults.db_timeout_ms) == (4, 1000)
    assert defaults.db_auto_upgrade is None and defaults.metrics is False


@pytest.mark.parametrize(("name", "value", "message"), [
    ("db_pool_size", 0, "db_pool_size"), ("db_pool_size", 101, "db_pool_size"),
    ("db_timeout_ms", 50, "db_timeout_ms"), ("db_timeout_ms", 9000, "8 s"),
])
def test_database_settings_out_of_range_are_refused(name: str, value: int, message: str
                                                    ) -> None:
    with pytest.raises(ValueError, match=message):
        load_settings({name: value}, environ={})
