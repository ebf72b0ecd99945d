"""Signed Alexa traffic for the benchmarks: a test authority and tonight's-prompt requests."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from tests.envelopes import SKILL_ID, Device, dumps
from tests.signing import TestAuthority

HOUSEHOLDS = 64
"""Distinct households the requests rotate through (each request reads and writes one)."""

Signed = tuple[dict[str, str], bytes]


class Traffic:
    """A certificate authority in ``folder`` and freshly signed requests from it."""

    skill_id = SKILL_ID

    def __init__(self, folder: Path, households: int = HOUSEHOLDS) -> None:
        self.authority = TestAuthority(folder, datetime.now(UTC))
        self.devices = [Device(_now, user_id=f"amzn1.ask.account.BENCH{index:04d}")
                        for index in range(households)]

    def tonights_prompts(self, count: int) -> list[Signed]:
        """``count`` signed one-shot TonightsPromptIntent requests, timestamped now."""
        signed = []
        for index in range(count):
            device = self.devices[index % len(self.devices)]
            body = dumps(device.intent("TonightsPromptIntent", one_shot=True))
            signed.append((self.authority.sign(body), body))
        return signed

    def settings(self, database_url: str) -> dict[str, str]:
        """Porch Light settings for this authority, signature checking on."""
        return {"database_url": database_url, "skill_id": SKILL_ID,
                "ca_bundle": str(self.authority.ca_bundle),
                "cert_cache_dir": str(self.authority.cert_cache_dir)}


def _now() -> datetime:
    return datetime.now(UTC)
