"""Alexa request verification: signature, certificate chain, timestamp and skill id.

Alexa signs every request to a web-service skill. The rules (Alexa Skills Kit,
"Host a custom skill as a web service") are checked here with
``cryptography.x509.verification``, which validates the chain, its validity period
and the ``echo-api.amazon.com`` DNS name in one call. A validated signing key is
kept per certificate URL until the first certificate in its chain expires, so a
warm request costs one RSA signature check.

The verifiers implement the ASK SDK's ``AbstractVerifier`` so they plug into
``WebserviceSkillHandler`` in place of the stock ones (which re-validate the chain
on every request and need oscrypto, see ``skill.compat``).
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import logging
import posixpath
import re
import threading
import urllib.request
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from http.client import HTTPException
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import certifi
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.utils import CryptographyDeprecationWarning
from cryptography.x509 import DNSName
from cryptography.x509.verification import PolicyBuilder, Store, VerificationError

from skill.compat import ensure_webservice_support_importable

ensure_webservice_support_importable()

from ask_sdk_webservice_support.verifier import (  # noqa: E402
    AbstractVerifier,
    VerificationException,
)

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "Signature-256"
CERT_CHAIN_URL_HEADER = "SignatureCertChainUrl"
SIGNING_CERT_DNS_NAME = "echo-api.amazon.com"
CERT_HOST = "s3.amazonaws.com"
CERT_PATH_PREFIX = "/echo.api/"
FETCH_TIMEOUT_SECONDS = 2.0
MAX_CHAIN_BYTES = 64 * 1024
REQUEST_TOLERANCE = timedelta(seconds=150)
SKILL_EVENT_TOLERANCE = timedelta(seconds=3600)

Clock = Callable[[], datetime]

__all__ = [
    "SignatureVerifier",
    "SigningKeyCache",
    "SkillIdVerifier",
    "TimestampVerifier",
    "VerificationException",
    "cache_file_name",
    "validate_cert_chain_url",
]


def validate_cert_chain_url(url: str) -> None:
    """Raise VerificationException unless ``url`` is an Alexa certificate URL."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise VerificationException("certificate URL is malformed") from error
    if parts.scheme.lower() != "https":
        raise VerificationException("certificate URL must use https")
    if (parts.hostname or "").lower() != CERT_HOST:
        raise VerificationException(f"certificate URL host must be {CERT_HOST}")
    if port not in (None, 443):
        raise VerificationException("certificate URL port must be 443")
    normalised = posixpath.normpath(parts.path) if parts.path else ""
    if not normalised.startswith(CERT_PATH_PREFIX):
        raise VerificationException(f"certificate URL path must start with {CERT_PATH_PREFIX}")


# Alexa signs with one or two certificate URLs at a time: a valid one is checked once.
_validated_url = functools.lru_cache(maxsize=64)(validate_cert_chain_url)


def cache_file_name(url: str) -> str:
    """The file a chain for ``url`` is kept in: lowercase SHA-256 hex of the URL + .pem."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest() + ".pem"


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


@dataclass(frozen=True)
class _TrustedKey:
    key: rsa.RSAPublicKey
    valid_from: datetime
    valid_until: datetime


class SigningKeyCache:
    """Signing keys of validated chains, one per certificate URL, until they expire."""

    def __init__(
        self,
        trust_store: Store,
        clock: Clock,
        cache_dir: str | None = None,
        fetch: Callable[[str], bytes] | None = None,
    ) -> None:
        self._store = trust_store
        self._clock = clock
        self._cache_dir = Path(cache_dir) if cache_dir else None
        self._fetch = fetch or _fetch_chain
        self._keys: dict[str, _TrustedKey] = {}
        self._lock = threading.Lock()

    def key_for(self, url: str) -> rsa.RSAPublicKey:
        """The validated signing key for ``url``; fetches and validates when needed."""
        now = self._clock()
        trusted = self._keys.get(url)
        if trusted is None or not trusted.valid_from <= now <= trusted.valid_until:
            with self._lock:
                trusted = self._keys.get(url)
                if trusted is None or not trusted.valid_from <= now <= trusted.valid_until:
                    pem, fetched = self._load_chain(url)
                    trusted = self._validate(pem, now)
                    if fetched:
                        self._write_cache(url, pem)
                    self._keys[url] = trusted
        return trusted.key

    def _load_chain(self, url: str) -> tuple[bytes, bool]:
        """The chain for ``url`` and whether it was fetched (rather than read from the cache)."""
        cached = self._cache_dir / cache_file_name(url) if self._cache_dir else None
        if cached is not None and cached.is_file():
            return cached.read_bytes(), False
        try:
            pem = self._fetch(url)
        except (OSError, ValueError, HTTPException) as error:
            # HTTPException: e.g. InvalidURL for a space in the path, which the URL rules allow.
            raise VerificationException("could not fetch the certificate chain") from error
        return pem, True

    def _write_cache(self, url: str, pem: bytes) -> None:
        """Keep a fetched chain, once it has validated, so a bad fetch is never reused."""
        if self._cache_dir is None:
            return
        cached = self._cache_dir / cache_file_name(url)
        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            cached.write_bytes(pem)
        except OSError:
            log.warning("could not write the certificate cache", exc_info=True)

    def _validate(self, pem: bytes, now: datetime) -> _TrustedKey:
        try:
            chain = x509.load_pem_x509_certificates(pem)
        except ValueError as error:
            raise VerificationException("certificate chain is not valid PEM") from error
        leaf, intermediates = chain[0], chain[1:]
        verifier = (
            PolicyBuilder()
            .store(self._store)
            .time(now)
            .build_server_verifier(DNSName(SIGNING_CERT_DNS_NAME))
        )
        try:
            path = verifier.verify(leaf, intermediates)
        except VerificationError as error:
            raise VerificationException(f"certificate chain rejected: {error}") from error
        key = leaf.public_key()
        if not isinstance(key, rsa.RSAPublicKey):
            raise VerificationException("signing certificate does not carry an RSA key")
        return _TrustedKey(
            key=key,
            valid_from=max(cert.not_valid_before_utc for cert in path),
            valid_until=min(cert.not_valid_after_utc for cert in path),
        )


def _fetch_chain(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=FETCH_TIMEOUT_SECONDS) as response:
        body: bytes = response.read(MAX_CHAIN_BYTES + 1)
    if len(body) > MAX_CHAIN_BYTES:
        raise OSError("certificate chain is too large")
    return body


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
        _validated_url(url)  # raises, uncached, for an invalid URL
        try:
            raw_signature = base64.b64decode(signature, validate=True)
        except (binascii.Error, ValueError) as error:
            raise VerificationException("signature is not base64") from error
        key = self._keys.key_for(url)
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
