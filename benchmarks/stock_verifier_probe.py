"""Runs in .venv-stock only: the SDK's stock RequestVerifier, timed per request.

Usage: python stock_verifier_probe.py REQUESTS.json ROOTS.pem CHAIN.pem
Prints a JSON list of milliseconds, one per request after the first few.
"""

from __future__ import annotations

import json
import sys
import time
import warnings
from pathlib import Path
from typing import Any

CERT_URL = "https://s3.amazonaws.com/echo.api/echo-api-cert-porchlight-test.pem"
WARMUP = 3


def main(requests_file: str, roots_file: str, chain_file: str) -> None:
    warnings.simplefilter("ignore")  # the stock verifier's naive-datetime deprecations
    import certvalidator
    from ask_sdk_webservice_support import verifier as stock
    from asn1crypto import pem  # type: ignore[import-untyped]

    roots = [der for _, _, der in pem.unarmor(Path(roots_file).read_bytes(), multiple=True)]
    original = certvalidator.CertificateValidator

    def validator_with_test_root(end_entity: Any, intermediates: Any = None) -> Any:
        context = certvalidator.ValidationContext(extra_trust_roots=roots)
        return original(end_entity, intermediates, validation_context=context)

    stock.CertificateValidator = validator_with_test_root
    verifier = stock.RequestVerifier()
    verifier._cert_cache[CERT_URL] = Path(chain_file).read_bytes()  # a warm server's cache
    samples = []
    for index, request in enumerate(json.loads(Path(requests_file).read_text())):
        started = time.perf_counter()
        verifier.verify(request["headers"], request["body"], None)
        if index >= WARMUP:
            samples.append((time.perf_counter() - started) * 1000)
    print(json.dumps(samples))


if __name__ == "__main__":
    main(*sys.argv[1:4])
