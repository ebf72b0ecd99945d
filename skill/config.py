"""Every setting, its default and its environment variable.

Settings are read once, from defaults, then the environment (``PORCHLIGHT_*``),
then explicit overrides (command-line options or a test's ``config`` dict).
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

ENV_PREFIX = "PORCHLIGHT_"


def default_database_url() -> str:
    """A SQLite file in the user's data directory."""
    data_dir = Path(platformdirs.user_data_dir("porch-light", appauthor=False))
    return f"sqlite:///{data_dir / 'porchlight.sqlite3'}"


@dataclass(frozen=True)
class Settings:
    """The service's settings; each field's environment variable is PORCHLIGHT_<NAME>."""

    host: str = "127.0.0.1"
    """Address `porchlight serve` listens on."""
    port: int = 5000
    """Port `porchlight serve` listens on."""
    database_url: str = field(default_factory=default_database_url)
    """Where household state lives: sqlite:///PATH or postgresql://... (default: a SQLite file)."""
    db_pool_size: int = 4
    """Most PostgreSQL connections one server process keeps open."""
    db_timeout_ms: int = 1000
    """PostgreSQL: longest wait for a connection, a lock or a statement (milliseconds)."""
    db_auto_upgrade: bool | None = None
    """Create or migrate the schema on start (default: yes for SQLite, no for PostgreSQL)."""
    skill_id: str | None = None
    """The Alexa skill id; when set, requests for any other skill get 400."""
    allow_any_skill: bool = False
    """Serve without a skill id on purpose (any skill's requests accepted); see docs/security.md."""
    dev: bool = False
    """Development mode: no signature checks (timestamps still checked); loopback only."""
    ca_bundle: str | None = None
    """PEM file of trusted roots for Alexa's signing chain (default: certifi's bundle)."""
    cert_cache_dir: str | None = None
    """Folder of signing chains, one <sha256-of-url>.pem each; read before fetching."""
    max_body_bytes: int = 128 * 1024
    """Largest request body accepted; larger ones get 413."""
    default_timezone: str | None = None
    """IANA time zone for evenings when the device's is unknown (default: by locale)."""
    alexa_api_hosts: str | None = None
    """Extra hosts allowed as apiEndpoint, for local stand-ins of Alexa's APIs ("127.0.0.1");
    development mode only. Alexa's own hosts are always allowed, over HTTPS."""
    person_key: str | None = None
    """Secret for the keyed hash that is all the skill keeps of a recognised person
    (default: random per process, so a restart forgets who said yes)."""
    log_key: str | None = None
    """Secret for the keyed hash of user ids in logs (default: random per process)."""
    metrics: bool = False
    """Serve Prometheus metrics at GET /metrics."""

    def validate(self) -> None:
        """Raise ValueError with a message for the operator when settings cannot work."""
        if not 0 < self.port < 65536:
            raise ValueError(f"port must be between 1 and 65535, not {self.port}")
        if self.dev and not is_loopback(self.host):
            raise ValueError(
                f"--dev turns signature checking off, so it serves loopback only, not {self.host}"
            )
        if self.alexa_api_hosts and not self.dev:
            raise ValueError(
                "alexa_api_hosts lists local stand-ins for Alexa's APIs; they see the "
                "request's access token, so they are allowed in development mode (--dev) only"
            )
        if self.max_body_bytes < 1024:
            raise ValueError("max_body_bytes must be at least 1024")
        if not 1 <= self.db_pool_size <= 100:
            raise ValueError(f"db_pool_size must be between 1 and 100, not {self.db_pool_size}")
        if not 100 <= self.db_timeout_ms <= 5000:
            raise ValueError(
                f"db_timeout_ms must be between 100 and 5000 (Alexa waits 8 s at most), "
                f"not {self.db_timeout_ms}"
            )


def is_loopback(host: str) -> bool:
    """True for localhost and any loopback address."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _coerce(label: str, raw: str, annotation: Any) -> Any:
    """Text from the environment (or a text override) as the setting's type; None if empty."""
    text = str(annotation)
    if "bool" in text:
        lowered = raw.strip().lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off", ""):
            return False
        raise ValueError(f"{label} must be true or false, not {raw!r}")
    if "int" in text:
        try:
            return int(raw)
        except ValueError:
            raise ValueError(f"{label} must be a whole number, not {raw!r}") from None
    return raw or None


def load_settings(
    overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Defaults, then PORCHLIGHT_* environment variables, then ``overrides`` (None is ignored)."""
    environ = os.environ if environ is None else environ
    specs = {spec.name: spec for spec in dataclasses.fields(Settings)}
    values: dict[str, Any] = {}
    for spec in specs.values():
        variable = ENV_PREFIX + spec.name.upper()
        raw = environ.get(variable)
        # An empty text variable counts as unset: it must not blank out a default.
        if raw is not None and (value := _coerce(variable, raw, spec.type)) is not None:
            values[spec.name] = value
    for key, value in (overrides or {}).items():
        if key not in specs:
            raise ValueError(f"unknown setting {key!r}")
        # Text for a flag or a number (a config file, a test's dict) reads as the variable
        # would: "false" must not switch dev mode on by being a non-empty string.
        if isinstance(value, str) and "str" not in str(specs[key].type):
            value = _coerce(f"setting {key!r}", value, specs[key].type)
        if value is not None:
            values[key] = value
    settings = Settings(**values)
    settings.validate()
    return settings
