"""Signing keys of validated chains: in memory, in a folder, and fetched only when needed.

Bounded everywhere an unsigned request could push:

- memory: a small LRU of validated keys, and a bounded table of recent failures;
- the network: one fetch in flight per URL (other requests for it wait for that fetch),
  a few fetches in flight at most, none holding a lock other URLs need, and a failed URL is
  not fetched again for ``backoff_seconds``;
- the folder: only chains that validated are written (atomically: a temporary file, then a
  rename), at most ``max_files`` of them, oldest removed. A file that no longer parses or
  validates is fetched again once and replaced.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from http.client import HTTPException
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509 import DNSName
from cryptography.x509.verification import PolicyBuilder, Store, VerificationError

from skill.cert_fetch import MAX_CHAIN_BYTES, ChainFetcher
from skill.cert_url import CertUrl, VerificationException, parse_cert_url

log = logging.getLogger(__name__)

SIGNING_CERT_DNS_NAME = "echo-api.amazon.com"
MAX_KEYS = 16
MAX_FILES = 8
MAX_FAILURES = 1024
MAX_FETCHES_IN_FLIGHT = 4
"""Fetches one process runs at once; a request needing a fifth gets 400 at once."""
BACKOFF_SECONDS = 60.0
WAIT_SECONDS = 5.0

Clock = Callable[[], datetime]
Fetch = Callable[[CertUrl], bytes]


def cache_file_name(url: str) -> str:
    """The file a chain for ``url`` is kept in: lowercase SHA-256 hex of the URL + .pem."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest() + ".pem"


class Busy(VerificationException):  # type: ignore[misc]
    """Refused for want of a free fetch slot: not remembered against the URL."""


@dataclass(frozen=True)
class TrustedKey:
    """A validated signing key and the window its whole chain is valid in."""

    key: rsa.RSAPublicKey
    valid_from: datetime
    valid_until: datetime

    def valid_at(self, now: datetime) -> bool:
        return self.valid_from <= now <= self.valid_until


@dataclass
class _Flight:
    """One fetch-and-validate in progress; others asking for the same URL wait on it."""

    done: threading.Event = field(default_factory=threading.Event)
    key: TrustedKey | None = None
    error: str = ""


class SigningKeyCache:
    """``key_for(url)``: the signing key of the validated chain at a certificate URL."""

    def __init__(self, trust_store: Store, clock: Clock, cache_dir: str | None = None,
                 fetch: Fetch | None = None, *, max_keys: int = MAX_KEYS,
                 max_files: int = MAX_FILES, backoff_seconds: float = BACKOFF_SECONDS,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self._store = trust_store
        self._clock = clock
        self._cache_dir = Path(cache_dir) if cache_dir else None
        self._fetch = fetch or ChainFetcher()
        self._max_keys, self._max_files = max_keys, max_files
        self._backoff_seconds = backoff_seconds
        self._monotonic = monotonic
        self._keys: OrderedDict[str, TrustedKey] = OrderedDict()
        self._failures: OrderedDict[str, tuple[float, str]] = OrderedDict()
        self._flights: dict[str, _Flight] = {}
        self._lock = threading.Lock()  # guards the three tables above; never held over I/O
        self._fetch_slots = threading.BoundedSemaphore(MAX_FETCHES_IN_FLIGHT)

    def key_for(self, url: str) -> rsa.RSAPublicKey:
        """The validated signing key for ``url``; reads, fetches and validates when needed."""
        cert_url = url if isinstance(url, CertUrl) else parse_cert_url(url)
        now = self._clock()
        trusted = self._keys.get(cert_url)  # the warm path takes no lock
        if trusted is not None and trusted.valid_at(now):
            with contextlib.suppress(KeyError):  # evicted meanwhile: still valid to use
                self._keys.move_to_end(cert_url)
            return trusted.key
        with self._lock:
            self._refuse_while_backing_off(cert_url)
            flight = self._flights.get(cert_url)
            leader = flight is None
            if flight is None:
                flight = self._flights[cert_url] = _Flight()
        if not leader:
            return self._wait_for(flight)
        try:
            flight.key = self._obtain(cert_url, now)
            self._remember(cert_url, flight.key)
            return flight.key.key
        except VerificationException as error:
            flight.error = str(error)
            if not isinstance(error, Busy):  # a busy moment says nothing about the URL
                self._record_failure(cert_url, flight.error)
            raise
        finally:
            with self._lock:
                del self._flights[cert_url]
            flight.done.set()

    def _refuse_while_backing_off(self, url: str) -> None:
        """Raise the remembered failure while ``url`` is backing off (lock held)."""
        failure = self._failures.get(url)
        if failure is None:
            return
        until, reason = failure
        if self._monotonic() < until:
            raise VerificationException(f"{reason} (not retried yet)")
        del self._failures[url]

    @staticmethod
    def _wait_for(flight: _Flight) -> rsa.RSAPublicKey:
        if not flight.done.wait(WAIT_SECONDS):
            raise VerificationException("the certificate chain is still being fetched")
        if flight.key is None:
            raise VerificationException(flight.error or "could not get the certificate chain")
        return flight.key.key

    def _remember(self, url: str, trusted: TrustedKey) -> None:
        with self._lock:
            self._keys[url] = trusted
            self._keys.move_to_end(url)
            while len(self._keys) > self._max_keys:
                self._keys.popitem(last=False)

    def _record_failure(self, url: str, reason: str) -> None:
        with self._lock:
            self._failures[url] = (self._monotonic() + self._backoff_seconds, reason)
            self._failures.move_to_end(url)
            while len(self._failures) > MAX_FAILURES:
                self._failures.popitem(last=False)

    def _obtain(self, url: CertUrl, now: datetime) -> TrustedKey:
        """From the folder if its file validates; otherwise fetched once, validated, kept."""
        cached = self._read_file(url)
        if cached is not None:
            try:
                return self._validate(cached, now)
            except VerificationException as error:
                log.info("cached certificate chain is unusable (%s); fetching it again", error)
        pem = self._fetch_once(url)
        trusted = self._validate(pem, now)
        self._write_file(url, pem)
        return trusted

    def _fetch_once(self, url: CertUrl) -> bytes:
        if not self._fetch_slots.acquire(blocking=False):
            raise Busy("too many certificate fetches in progress")
        try:
            return self._fetch(url)
        except (OSError, ValueError, HTTPException) as error:
            log.warning("could not fetch a certificate chain: %s", error)
            raise VerificationException("could not fetch the certificate chain") from error
        finally:
            self._fetch_slots.release()

    def _read_file(self, url: str) -> bytes | None:
        if self._cache_dir is None:
            return None
        path = self._cache_dir / cache_file_name(url)
        try:
            with path.open("rb") as file:
                return file.read(MAX_CHAIN_BYTES + 1)
        except OSError:
            return None

    def _write_file(self, url: str, pem: bytes) -> None:
        """Keep a validated chain: written whole or not at all, then the folder trimmed."""
        if self._cache_dir is None:
            return
        try:
            self._cache_dir.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self._cache_dir, prefix=".", suffix=".tmp")
            try:
                with os.fdopen(handle, "wb") as file:
                    file.write(pem)
                os.replace(temporary, self._cache_dir / cache_file_name(url))
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
            self._trim_folder()
        except OSError:
            log.warning("could not write the certificate cache", exc_info=True)

    def _trim_folder(self) -> None:
        """At most ``max_files`` chains: the least recently written go first."""
        assert self._cache_dir is not None
        files = []
        for path in self._cache_dir.glob("*.pem"):
            try:
                files.append((path.stat().st_mtime_ns, path))
            except FileNotFoundError:  # another process trimmed it first
                continue
        files.sort()
        for _, path in files[: max(0, len(files) - self._max_files)]:
            path.unlink(missing_ok=True)

    def _validate(self, pem: bytes, now: datetime) -> TrustedKey:
        return validate_chain(self._store, pem, now)


def validate_chain(store: Store, pem: bytes, now: datetime) -> TrustedKey:
    """The leaf's key if ``pem`` is a chain to a trusted root for echo-api.amazon.com."""
    if len(pem) > MAX_CHAIN_BYTES:
        raise VerificationException("certificate chain is too large")
    try:
        chain = x509.load_pem_x509_certificates(pem)
    except ValueError as error:
        raise VerificationException("certificate chain is not valid PEM") from error
    leaf, intermediates = chain[0], chain[1:]
    verifier = (PolicyBuilder().store(store).time(now)
                .build_server_verifier(DNSName(SIGNING_CERT_DNS_NAME)))
    try:
        path = verifier.verify(leaf, intermediates)
    except VerificationError as error:
        raise VerificationException(f"certificate chain rejected: {error}") from error
    key = leaf.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        raise VerificationException("signing certificate does not carry an RSA key")
    return TrustedKey(key=key, valid_from=max(cert.not_valid_before_utc for cert in path),
                      valid_until=min(cert.not_valid_after_utc for cert in path))
