"""Alexa request verification: signature, certificate chain, timestamp and skill id.

Alexa signs every request to a web-service skill. The rules (Alexa Skills Kit,
"Host a custom skill as a web service") are checked cheapest first, and the network
last (docs/security.md): the timestamp and skill id verifiers run before this module's
``SignatureVerifier``, which checks the URL's form and the signature header before it
asks ``skill.cert_cache`` for a key (which may fetch, see ``skill.cert_fetch``). A
validated signing key is kept per certificate URL until the first certificate in its
chain expires, so a warm request costs one RSA signature check.

The verifiers implement the ASK SDK's ``AbstractVerifier`` so they plug into
``WebserviceSkillHandler`` in place of the stock ones (which re-validate the chain
on every request and need oscrypto, see ``skill.compat``).
"""

from __future__ import annotations

import base64
import binascii
import functools
import logging
import re
import warnings
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import certifi
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.utils import CryptographyDeprecationWarning
from cryptography.x509.verification import Store

from skill.compat import ensure_webservice_support_importable

ensure_webservice_support_importable()

from ask_sdk_webservice_support.verifier import (  # noqa: E402
    AbstractVerifier,
    VerificationException,
)

from skill.cert_cache import SIGNING_CERT_DNS_NAME, SigningKeyCache, cache_file_name  # noqa: E402
from skill.cert_fetch import MAX_CHAIN_BYTES, ChainFetcher  # noqa: E402
from skill.cert_url import CertUrl, parse_cert_url, validate_cert_chain_url  # noqa: E402

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "Signature-256"
CERT_CHAIN_URL_HEADER = "SignatureCertChainUrl"
REQUEST_TOLERANCE = timedelta(seconds=150)
SKILL_EVENT_TOLERANCE = timedelta(seconds=3600)

Clock = Callable[[], datetime]

__all__ = [
    "MAX_CHAIN_BYTES",
    "SIGNING_CERT_DNS_NAME",
    "CertUrl",
    "ChainFetcher",
    "SignatureVerifier",
    "SigningKeyCache",
    "SkillIdVerifier",
    "TimestampVerifier",
    "VerificationException",
    "cache_file_name",
    "parse_cert_url",
    "validate_cert_chain_url",
]


def load_trust_store(ca_bundle: str | None) -> Store:
    """Trusted roots from ``ca_bundle`` (a PEM file) or, by default, certifi's bundle."""
    path = Path(ca_bundle) if ca_bundle else Path(certifi.where())
    try:
        blocks = _PEM_CERTIFICATE.findall(path.read_bytes())
    except OSError as error:
        raise ValueError(f"cannot read trusted roots from {path}: {error}") from error
    # One by one: certifi ships roots with serial number 0 (Starfield Services G2, Amazon's
    # cross-signer, among them). cryptography warns on those today and will refuse them in a
    # future release; one refused root must not take the whole store down with it.
    roots = []
    for block in blocks:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", CryptographyDeprecationWarning)
                roots.append(x509.load_pem_x509_certificate(block))
        except ValueError:
            log.warning("skipping a certificate in %s that cannot be loaded", path)
    if not roots:
        raise ValueError(f"cannot read trusted roots from {path}: no certificates")
    return Store(roots)


_PEM_CERTIFICATE = re.compile(
    rb"-----BEGIN CERTIFICATE-----\r?\n.+?\r?\n-----END CERTIFICATE-----", re.DOTALL
)


# Alexa signs with one or two certificate URLs at a time: a valid one is parsed once.
_parsed_url = functools.lru_cache(maxsize=64)(parse_cert_url)


class SignatureVerifier(AbstractVerifier):  # type: ignore[misc]
    """Checks ``Signature-256`` over the raw body against the validated signing key."""

    def __init__(self, keys: SigningKeyCache) -> None:
        self._keys = keys

    def verify(
        self, headers: Mapping[str, str], serialized_request_env: str, deserialized_request_env: Any
    ) -> None:
        url = headers.get(CERT_CHAIN_URL_HEADER)
        signature = headers.get(SIGNATURE_HEADER)
        if not url or not signature:
            raise VerificationException("request is not signed")
        cert_url = _parsed_url(url)  # raises, uncached, for an invalid URL
        try:
            raw_signature = base64.b64decode(signature, validate=True)
        except (binascii.Error, ValueError) as error:
            raise VerificationException("signature is not base64") from error
        key = self._keys.key_for(cert_url)  # the only step that may touch the network
        try:
            key.verify(
                raw_signature, serialized_request_env.encode("utf-8"), padding.PKCS1v15(), SHA256()
            )
        except InvalidSignature as error:
            raise VerificationException("signature does not match the request") from error


class TimestampVerifier(AbstractVerifier):  # type: ignore[misc]
    """Rejects requests older or newer than 150 s (3600 s for skill events)."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def verify(
        self, headers: Mapping[str, str], serialized_request_env: str, deserialized_request_env: Any
    ) -> None:
        request = deserialized_request_env.request
        stamp = getattr(request, "timestamp", None)
        if not isinstance(stamp, datetime):
            raise VerificationException("request has no valid timestamp")
        if stamp.tzinfo is None:
            raise VerificationException("request timestamp has no time zone")
        is_event = str(getattr(request, "object_type", "")).startswith("AlexaSkillEvent.")
        tolerance = SKILL_EVENT_TOLERANCE if is_event else REQUEST_TOLERANCE
        if abs(self._clock() - stamp) > tolerance:
            raise VerificationException("request timestamp is outside the allowed window")


class SkillIdVerifier(AbstractVerifier):  # type: ignore[misc]
    """Rejects requests meant for another skill (answers 400, unlike the SDK's 500)."""

    def __init__(self, skill_id: str) -> None:
        self._skill_id = skill_id

    def verify(
        self, headers: Mapping[str, str], serialized_request_env: str, deserialized_request_env: Any
    ) -> None:
        if application_id(deserialized_request_env) != self._skill_id:
            raise VerificationException("request is for another skill")


def application_id(envelope: Any) -> str | None:
    """The skill id an envelope names, from its context or, failing that, its session."""
    for holder in (
        getattr(getattr(envelope, "context", None), "system", None),
        getattr(envelope, "session", None),
    ):
        application = getattr(holder, "application", None)
        app_id = getattr(application, "application_id", None)
        if app_id:
            return str(app_id)
    return None
