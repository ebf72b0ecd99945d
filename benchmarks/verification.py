"""Request verification per request: ours, warm and cold, against the SDK's stock verifier.

Ours (skill.verify): the signature, timestamp and skill-id verifiers over freshly signed
requests, the signing key cached (one RSA verification each); that RSA verification alone,
the floor of any correct check; and the cold path, the chain validation
``cryptography.x509.verification`` does once per certificate URL.

The stock ``RequestVerifier`` re-validates the chain on every request with certvalidator,
which needs oscrypto; oscrypto 1.3.0 cannot load on this OpenSSL (skill/compat.py), so it
runs in a benchmark-only virtual environment (``.venv-stock``, made by ``make bench``) where
``elements-oscrypto`` (a PyPI release of oscrypto carrying the upstream fix) stands in for
oscrypto. Its chain comes from its in-memory cache, as on a warm server; certvalidator gets
the test root as an extra trust root beside the system's (the stock code offers no way to
pass roots, so the one call that builds its validator is wrapped to add it). Without that
environment the stock figure is left out and the table says so.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.stats import Figure, figure, ratio
from benchmarks.traffic import Signed, Traffic

ROOT = Path(__file__).parent.parent
STOCK_PYTHON = ROOT / ".venv-stock" / "bin" / "python"
PROBE = Path(__file__).parent / "stock_verifier_probe.py"


def run(smoke: bool = False) -> dict[str, Figure]:
    count = 20 if smoke else 2000
    with tempfile.TemporaryDirectory(prefix="porchlight-bench-") as name:
        folder = Path(name)
        traffic = Traffic(folder)
        signed = traffic.tonights_prompts(count + 50)
        found = {"verify_ours_warm": figure(ours_warm(traffic, signed), "ms"),
                 "verify_rsa_signature_only": figure(rsa_only(traffic, signed), "ms"),
                 "verify_ours_cold_chain_validation": figure(
                     ours_cold(traffic, 5 if smoke else 200), "ms")}
        stock = stock_samples(traffic, signed[: 5 if smoke else 300], folder)
    if stock:
        found["verify_stock_sdk"] = figure(stock, "ms", environment=".venv-stock")
        found["verify_ratio_stock_to_ours_warm"] = ratio(
            [found["verify_stock_sdk"]["median"]], [found["verify_ours_warm"]["median"]])
    return found


def ours_warm(traffic: Traffic, signed: list[Signed]) -> list[float]:
    """Milliseconds for all of Porch Light's verifiers on each request, key cached."""
    from ask_sdk_model import RequestEnvelope

    from skill.alexa_endpoint import request_verifiers
    from skill.config import load_settings
    from skill.envelope import TolerantSerializer

    verifiers = request_verifiers(load_settings(traffic.settings("sqlite:///unused")), _now)
    serializer = TolerantSerializer()
    samples = []
    for index, (headers, body) in enumerate(signed):
        text = body.decode("utf-8")
        envelope = serializer.deserialize(text, RequestEnvelope)
        started = time.perf_counter()
        for verifier in verifiers:
            verifier.verify(headers, text, envelope)
        if index >= 50:  # the first validates the chain
            samples.append((time.perf_counter() - started) * 1000)
    return samples


def rsa_only(traffic: Traffic, signed: list[Signed]) -> list[float]:
    """Milliseconds for the one RSA verification a warm request needs, nothing else."""
    import base64

    from cryptography.hazmat.primitives.asymmetric import padding
    from cryptography.hazmat.primitives.hashes import SHA256

    key = traffic.authority.leaf_key.public_key()
    samples = []
    for headers, body in signed:
        signature = base64.b64decode(headers["Signature-256"])
        started = time.perf_counter()
        key.verify(signature, body, padding.PKCS1v15(), SHA256())
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def ours_cold(traffic: Traffic, count: int) -> list[float]:
    """Milliseconds to validate the signing chain (what a first request per URL costs)."""
    from skill.verify import SigningKeyCache, load_trust_store

    chain = (traffic.authority.cert_cache_dir.iterdir().__next__()).read_bytes()
    cache = SigningKeyCache(load_trust_store(str(traffic.authority.ca_bundle)), _now)
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        cache._validate(chain, _now())
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def stock_samples(traffic: Traffic, signed: list[Signed], folder: Path) -> list[float]:
    """The stock RequestVerifier's milliseconds per request, from the stock environment."""
    if not STOCK_PYTHON.exists():
        return []
    requests = [{"headers": headers, "body": body.decode("utf-8")} for headers, body in signed]
    (folder / "requests.json").write_text(json.dumps(requests))
    chain = next(traffic.authority.cert_cache_dir.iterdir())
    finished = subprocess.run(
        [str(STOCK_PYTHON), str(PROBE), str(folder / "requests.json"),
         str(traffic.authority.ca_bundle), str(chain)],
        capture_output=True, text=True, timeout=300, check=True)
    samples: list[float] = json.loads(finished.stdout)
    return samples


def _now() -> Any:
    return datetime.now(UTC)
