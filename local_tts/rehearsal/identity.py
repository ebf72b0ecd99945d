"""The rehearsal household's Alexa user id and device id, the same on every run."""

from __future__ import annotations

import hashlib
import json
import uuid
from pathlib import Path

import platformdirs

ACCOUNT_PREFIX = "amzn1.ask.account."
PERSON_PREFIX = "amzn1.ask.person."
IDENTITY_FILE = "rehearsal-identity.json"


def data_dir() -> Path:
    """The user's Porch Light data folder (where the default SQLite file lives too)."""
    return Path(platformdirs.user_data_dir("porch-light", appauthor=False))


def user_id_for(name: str) -> str:
    """A user id for ``--user NAME``: an Alexa id as given, else one made from the name."""
    if name.startswith(ACCOUNT_PREFIX):
        return name
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest().upper()
    return f"{ACCOUNT_PREFIX}REHEARSAL{digest[:48]}"


def person_id_for(name: str) -> str:
    """A made-up personId for ``--person NAME`` / ``/as NAME``: the same name, the same id."""
    digest = hashlib.sha256(name.strip().lower().encode("utf-8")).hexdigest().upper()
    return f"{PERSON_PREFIX}REHEARSAL{digest[:48]}"


def identity(user: str | None = None, folder: Path | None = None) -> tuple[str, str]:
    """(user id, device id): made once and kept in the data folder, so the household
    persists across runs; ``user`` names another household instead."""
    path = (folder or data_dir()) / IDENTITY_FILE
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
        user_id, device_id = str(stored["user_id"]), str(stored["device_id"])
    except (OSError, ValueError, KeyError, TypeError):
        user_id = f"{ACCOUNT_PREFIX}REHEARSAL{uuid.uuid4().hex.upper()}"
        device_id = f"amzn1.ask.device.REHEARSAL{uuid.uuid4().hex.upper()}"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"user_id": user_id, "device_id": device_id}) + "\n",
                        encoding="utf-8")
    return (user_id_for(user) if user else user_id), device_id
