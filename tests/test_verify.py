"""Request verification (issue 2, section 3): URL rules, signature and chain, caching,
timestamp, skill id, and the narrow certvalidator workaround in ``skill.compat``.

No test touches the network: chains come from the cache folder or an injected ``fetch``.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import importlib.abc
import importlib.util
import json
import sys
import threading
import types
import warnings
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import certifi
import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from werkzeug.datastructures import Headers

import skill.compat as compat
import skill.verify as verify
from skill.verify import (
    SignatureVerifier,
    SigningKeyCache,
    SkillIdVerifier,
    TimestampVerifier,
    VerificationException,
    application_id,
    cache_file_name,
    load_trust_store,
    validate_cert_chain_url,
)
from tests.signing import ALEXA_DNS_NAME, CERT_URL, TestAuthority, _key, make_certificate, pem

NOW = datetime(2025, 6, 1, 12, 0, 0, tzinfo=UTC)
BODY = json.dumps(
    {"version": "1.0", "request": {"type": "LaunchRequest", "requestId": "r-1"}},
    separators=(",", ":"),
)
OTHER_URL = "https://s3.amazonaws.com/echo.api/echo-api-cert-other.pem"
BROKEN_PEM = b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"


# --- helpers and fixtures ---------------------------------------------------------------


class MutableClock:
    """A clock the tests move by hand; call it like ``datetime.now``."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def no_fetch(url: str) -> bytes:
    raise AssertionError(f"fetch must not be called (asked for {url})")


class CountingFetch:
    """A fetch that serves fixed bytes and counts its calls."""

    def __init__(self, body: bytes) -> None:
        self.body = body
        self.urls: list[str] = []

    def __call__(self, url: str) -> bytes:
        self.urls.append(url)
        return self.body


def count_validations(cache: SigningKeyCache) -> list[datetime]:
    """Wrap the cache's chain validation; the returned list grows by one per validation."""
    calls: list[datetime] = []
    original = cache._validate

    def counted(pem_bytes: bytes, now: datetime) -> verify._TrustedKey:
        calls.append(now)
        return original(pem_bytes, now)

    cache._validate = counted  # type: ignore[method-assign, assignment]
    return calls


def make_cache(
    ca: TestAuthority,
    clock: Callable[[], datetime],
    *,
    cache_dir: Path | None = None,
    fetch: Callable[[str], bytes] = no_fetch,
) -> SigningKeyCache:
    return SigningKeyCache(
        load_trust_store(str(ca.ca_bundle)),
        clock,
        cache_dir=str(cache_dir if cache_dir is not None else ca.cert_cache_dir),
        fetch=fetch,
    )


@pytest.fixture(scope="module")
def ca(tmp_path_factory: pytest.TempPathFactory) -> TestAuthority:
    """One test CA for the module; tests must not change its folder."""
    return TestAuthority(tmp_path_factory.mktemp("ca"), NOW)


@pytest.fixture
def manual_clock() -> MutableClock:
    return MutableClock(NOW)


@pytest.fixture
def verifier(ca: TestAuthority, manual_clock: MutableClock) -> SignatureVerifier:
    return SignatureVerifier(make_cache(ca, manual_clock))


def check(verifier: SignatureVerifier, headers: Any, body: str = BODY) -> None:
    verifier.verify(headers=headers, serialized_request_env=body, deserialized_request_env=None)


# --- 1. certificate URL rules -----------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://s3.amazonaws.com/echo.api/echo-api-cert.pem",
        "https://s3.amazonaws.com:443/echo.api/echo-api-cert.pem",
        "https://s3.amazonaws.com/echo.api/../echo.api/echo-api-cert.pem",
        "HTTPS://S3.AMAZONAWS.COM/echo.api/echo-api-cert.pem",
        "https://S3.AmazonAWS.com/echo.api/echo-api-cert-12.pem",
        "https://s3.amazonaws.com/echo.api/./sub/../echo-api-cert.pem",
        CERT_URL,
    ],
)
def test_accepted_cert_urls(url: str) -> None:
    validate_cert_chain_url(url)


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("http://s3.amazonaws.com/echo.api/echo-api-cert.pem", id="http-scheme"),
        pytest.param("ftp://s3.amazonaws.com/echo.api/echo-api-cert.pem", id="ftp-scheme"),
        pytest.param("https://notamazon.com/echo.api/echo-api-cert.pem", id="other-host"),
        pytest.param("https://s3.amazonaws.com.evil.com/echo.api/x.pem", id="host-suffix"),
        pytest.param("https://s3.amazonaws.com@evil.com/echo.api/x.pem", id="userinfo-trick"),
        pytest.param("https://s3.amazonaws.com/EcHo.aPi/echo-api-cert.pem", id="path-case"),
        pytest.param("https://s3.amazonaws.com/invalid.path/echo-api-cert.pem", id="other-path"),
        pytest.param("https://s3.amazonaws.com/echo.api", id="prefix-without-slash"),
        pytest.param("https://s3.amazonaws.com/echo.apix/echo-api-cert.pem", id="prefix-lookalike"),
        pytest.param("https://s3.amazonaws.com:563/echo.api/echo-api-cert.pem", id="port-563"),
        pytest.param("https://s3.amazonaws.com:80/echo.api/echo-api-cert.pem", id="port-80"),
        pytest.param("https://s3.amazonaws.com/echo.api/../invalid.path/x.pem", id="dot-dot"),
        pytest.param("https://s3.amazonaws.com:abc/echo.api/x.pem", id="malformed-port"),
        pytest.param("https://s3.amazonaws.com:99999/echo.api/x.pem", id="port-out-of-range"),
        pytest.param("https:///echo.api/echo-api-cert.pem", id="no-host"),
        pytest.param("s3.amazonaws.com/echo.api/echo-api-cert.pem", id="no-scheme"),
        pytest.param("", id="empty"),
    ],
)
def test_rejected_cert_urls(url: str) -> None:
    with pytest.raises(VerificationException):
        validate_cert_chain_url(url)


def test_cache_file_name_is_lowercase_sha256_hex_of_url() -> None:
    name = cache_file_name(CERT_URL)
    assert name == hashlib.sha256(CERT_URL.encode()).hexdigest() + ".pem"
    assert name == name.lower()


# --- 2. signature and certificate chain -------------------------------------------------


def test_correctly_signed_body_passes(ca: TestAuthority, verifier: SignatureVerifier) -> None:
    check(verifier, ca.sign(BODY.encode()))


def test_headers_are_read_case_insensitively_as_flask_gives_them(
    ca: TestAuthority, verifier: SignatureVerifier
) -> None:
    """Flask hands the adapter werkzeug ``Headers``; clients may send any header case."""
    headers = Headers({k.lower(): v for k, v in ca.sign(BODY.encode()).items()})
    check(verifier, headers)


def test_body_changed_by_one_byte_fails(ca: TestAuthority, verifier: SignatureVerifier) -> None:
    headers = ca.sign(BODY.encode())
    tampered = BODY.replace("r-1", "r-2")
    assert len(tampered) == len(BODY) and tampered != BODY
    with pytest.raises(VerificationException):
        check(verifier, headers, tampered)


def test_signature_by_another_key_fails(ca: TestAuthority, verifier: SignatureVerifier) -> None:
    with pytest.raises(VerificationException):
        check(verifier, ca.sign(BODY.encode(), key=ca.intermediate_key))


@pytest.mark.parametrize("missing", ["Signature-256", "SignatureCertChainUrl"])
def test_missing_header_fails(ca: TestAuthority, verifier: SignatureVerifier, missing: str) -> None:
    headers = ca.sign(BODY.encode())
    del headers[missing]
    with pytest.raises(VerificationException):
        check(verifier, headers)


@pytest.mark.parametrize("missing", ["Signature-256", "SignatureCertChainUrl"])
def test_empty_header_fails(ca: TestAuthority, verifier: SignatureVerifier, missing: str) -> None:
    headers = {**ca.sign(BODY.encode()), missing: ""}
    with pytest.raises(VerificationException):
        check(verifier, headers)


@pytest.mark.parametrize("signature", ["not base64!!", "abc", "é" * 8, "QUJD\nREVG"])
def test_signature_that_is_not_base64_fails(
    ca: TestAuthority, verifier: SignatureVerifier, signature: str
) -> None:
    headers = {**ca.sign(BODY.encode()), "Signature-256": signature}
    with pytest.raises(VerificationException):
        check(verifier, headers)


def test_truncated_signature_fails(ca: TestAuthority, verifier: SignatureVerifier) -> None:
    headers = ca.sign(BODY.encode())
    short = base64.b64encode(base64.b64decode(headers["Signature-256"])[:-1]).decode()
    with pytest.raises(VerificationException):
        check(verifier, {**headers, "Signature-256": short})


def test_bad_cert_url_is_rejected_before_any_fetch(
    ca: TestAuthority, verifier: SignatureVerifier
) -> None:
    """The verifier's cache has ``no_fetch``: a fetch here would fail the test differently."""
    url = "https://s3.amazonaws.com/invalid.path/echo-api-cert.pem"
    with pytest.raises(VerificationException, match="path"):
        check(verifier, ca.sign(BODY.encode(), url=url))


def served_chain(authority: TestAuthority) -> CountingFetch:
    """S3 serving the same chain the folder holds: a cached chain that fails validation is
    fetched again once (it may have been renewed) before the request is refused."""
    return CountingFetch(pem(authority.leaf, authority.intermediate))


def test_leaf_naming_another_dns_name_fails(tmp_path: Path, manual_clock: MutableClock) -> None:
    other = TestAuthority(tmp_path, NOW, dns_name="echo-api.example.com")
    fetch = served_chain(other)
    with pytest.raises(VerificationException, match="rejected"):
        check(SignatureVerifier(make_cache(other, manual_clock, fetch=fetch)),
              other.sign(BODY.encode()))
    assert fetch.urls == [CERT_URL]


def test_expired_leaf_fails(tmp_path: Path, manual_clock: MutableClock) -> None:
    short_lived = TestAuthority(tmp_path, NOW, leaf_days=2)  # valid until NOW + 1 day
    manual_clock.now = short_lived.leaf.not_valid_after_utc + timedelta(seconds=1)
    fetch = served_chain(short_lived)
    with pytest.raises(VerificationException, match="rejected"):
        check(
            SignatureVerifier(make_cache(short_lived, manual_clock, fetch=fetch)),
            short_lived.sign(BODY.encode()),
        )
    assert fetch.urls == [CERT_URL]


def test_leaf_not_yet_valid_fails(ca: TestAuthority, manual_clock: MutableClock) -> None:
    manual_clock.now = ca.leaf.not_valid_before_utc - timedelta(seconds=1)
    with pytest.raises(VerificationException, match="rejected"):
        check(SignatureVerifier(make_cache(ca, manual_clock, fetch=served_chain(ca))),
              ca.sign(BODY.encode()))


def test_chain_from_an_untrusted_root_fails(
    ca: TestAuthority, tmp_path: Path, manual_clock: MutableClock
) -> None:
    """A look-alike CA (same names, its own root key) is not trusted by ``ca``'s store.

    A second ``TestAuthority`` would not do here: tests.signing reuses the same three keys
    for every authority, so its root is the same CA as far as X.509 is concerned.
    """
    start = NOW - timedelta(days=1)
    rogue_root_key = _key(3)
    intermediate = make_certificate(
        "Porch Light Test Intermediate",
        ca.intermediate_key,
        ("Porch Light Test Root", rogue_root_key),
        not_before=start,
        not_after=start + timedelta(days=100),
        is_ca=True,
    )
    leaf = make_certificate(
        ALEXA_DNS_NAME,
        ca.leaf_key,
        ("Porch Light Test Intermediate", ca.intermediate_key),
        not_before=start,
        not_after=start + timedelta(days=50),
        is_ca=False,
        dns_names=(ALEXA_DNS_NAME,),
    )
    cache = make_cache(
        ca, manual_clock, cache_dir=tmp_path, fetch=CountingFetch(pem(leaf, intermediate))
    )
    with pytest.raises(VerificationException, match="rejected"):
        check(SignatureVerifier(cache), ca.sign(BODY.encode()))


def test_self_signed_leaf_fails(
    ca: TestAuthority, tmp_path: Path, manual_clock: MutableClock
) -> None:
    leaf = make_certificate(
        ALEXA_DNS_NAME,
        ca.leaf_key,
        None,
        not_before=NOW - timedelta(days=1),
        not_after=NOW + timedelta(days=30),
        is_ca=False,
        dns_names=(ALEXA_DNS_NAME,),
    )
    cache = make_cache(ca, manual_clock, cache_dir=tmp_path, fetch=CountingFetch(pem(leaf)))
    with pytest.raises(VerificationException, match="rejected"):
        check(SignatureVerifier(cache), ca.sign(BODY.encode()))


def test_leaf_only_chain_fails(
    ca: TestAuthority, tmp_path: Path, manual_clock: MutableClock
) -> None:
    """The intermediate is missing, so no path leads to the trusted root."""
    cache = make_cache(ca, manual_clock, cache_dir=tmp_path, fetch=CountingFetch(pem(ca.leaf)))
    with pytest.raises(VerificationException, match="rejected"):
        check(SignatureVerifier(cache), ca.sign(BODY.encode()))


@pytest.mark.parametrize(
    "garbage",
    [
        b"",
        b"not a certificate at all",
        BROKEN_PEM,
        b"<html><body>403 Forbidden</body></html>",
    ],
)
def test_garbage_pem_fails(
    ca: TestAuthority, tmp_path: Path, manual_clock: MutableClock, garbage: bytes
) -> None:
    cache = make_cache(ca, manual_clock, cache_dir=tmp_path, fetch=CountingFetch(garbage))
    with pytest.raises(VerificationException, match="PEM"):
        check(SignatureVerifier(cache), ca.sign(BODY.encode()))


def test_leaf_without_an_rsa_key_fails(
    ca: TestAuthority, tmp_path: Path, manual_clock: MutableClock
) -> None:
    """Alexa signs with RSA; a valid chain for an EC key is still refused."""
    ec_key = ec.generate_private_key(ec.SECP256R1())
    leaf = make_certificate(
        ALEXA_DNS_NAME,
        ec_key,  # type: ignore[arg-type]
        ("Porch Light Test Intermediate", ca.intermediate_key),
        not_before=NOW - timedelta(days=1),
        not_after=NOW + timedelta(days=30),
        is_ca=False,
        dns_names=(ALEXA_DNS_NAME,),
    )
    fetch = CountingFetch(pem(leaf, ca.intermediate))
    cache = make_cache(ca, manual_clock, cache_dir=tmp_path, fetch=fetch)
    with pytest.raises(VerificationException):
        cache.key_for(CERT_URL)


# --- 3. caching ---------------------------------------------------------------------------


def test_chain_in_cache_folder_is_used_without_fetching(
    ca: TestAuthority, manual_clock: MutableClock
) -> None:
    cache = make_cache(ca, manual_clock, fetch=no_fetch)
    assert cache.key_for(CERT_URL).public_numbers() == ca.leaf_key.public_key().public_numbers()


def test_absent_chain_is_fetched_once_and_written_to_cache_folder(
    ca: TestAuthority, tmp_path: Path, manual_clock: MutableClock
) -> None:
    chain = pem(ca.leaf, ca.intermediate)
    fetch = CountingFetch(chain)
    cache_dir = tmp_path / "not-yet" / "made"
    cache = make_cache(ca, manual_clock, cache_dir=cache_dir, fetch=fetch)
    verifier = SignatureVerifier(cache)

    check(verifier, ca.sign(BODY.encode()))

    assert fetch.urls == [CERT_URL]
    written = cache_dir / (hashlib.sha256(CERT_URL.encode()).hexdigest() + ".pem")
    assert written.read_bytes() == chain


def test_fetched_chain_is_found_by_a_later_process(
    ca: TestAuthority, tmp_path: Path, manual_clock: MutableClock
) -> None:
    """A second cache (a restart) reads what the first one fetched, without fetching."""
    make_cache(
        ca, manual_clock, cache_dir=tmp_path, fetch=CountingFetch(pem(ca.leaf, ca.intermediate))
    ).key_for(CERT_URL)
    make_cache(ca, manual_clock, cache_dir=tmp_path, fetch=no_fetch).key_for(CERT_URL)


def test_repeated_verifications_fetch_and_validate_once(
    ca: TestAuthority, tmp_path: Path, manual_clock: MutableClock
) -> None:
    fetch = CountingFetch(pem(ca.leaf, ca.intermediate))
    cache = make_cache(ca, manual_clock, cache_dir=tmp_path, fetch=fetch)
    validations = count_validations(cache)
    verifier = SignatureVerifier(cache)
    headers = ca.sign(BODY.encode())

    for _ in range(5):
        check(verifier, headers)
        manual_clock.now += timedelta(minutes=10)

    assert fetch.urls == [CERT_URL]
    assert len(validations) == 1


def test_each_url_is_validated_separately(
    ca: TestAuthority, tmp_path: Path, manual_clock: MutableClock
) -> None:
    fetch = CountingFetch(pem(ca.leaf, ca.intermediate))
    cache = make_cache(ca, manual_clock, cache_dir=tmp_path, fetch=fetch)
    validations = count_validations(cache)
    for url in (CERT_URL, OTHER_URL, CERT_URL, OTHER_URL):
        cache.key_for(url)
    assert fetch.urls == [CERT_URL, OTHER_URL]
    assert len(validations) == 2


def test_key_is_revalidated_once_the_chain_expires(
    ca: TestAuthority, manual_clock: MutableClock
) -> None:
    """Cached until the earliest not_after (the leaf here), then validated again (the folder's
    copy, then one fetch in case it was renewed), and refused."""
    fetch = served_chain(ca)
    cache = make_cache(ca, manual_clock, fetch=fetch)
    validations = count_validations(cache)
    verifier = SignatureVerifier(cache)
    headers = ca.sign(BODY.encode())
    earliest_expiry = min(c.not_valid_after_utc for c in (ca.root, ca.intermediate, ca.leaf))
    assert earliest_expiry == ca.leaf.not_valid_after_utc

    check(verifier, headers)
    manual_clock.now = earliest_expiry  # still valid at the very instant
    check(verifier, headers)
    assert len(validations) == 1

    manual_clock.now = earliest_expiry + timedelta(seconds=1)
    with pytest.raises(VerificationException, match="rejected"):
        check(verifier, headers)
    assert len(validations) == 3
    assert fetch.urls == [CERT_URL]


def test_key_cached_earlier_is_not_used_before_its_chain_is_valid(
    ca: TestAuthority, manual_clock: MutableClock
) -> None:
    """A clock set back before not_before makes the cache validate again, and refuse."""
    cache = make_cache(ca, manual_clock, fetch=served_chain(ca))
    validations = count_validations(cache)
    cache.key_for(CERT_URL)
    manual_clock.now = ca.leaf.not_valid_before_utc - timedelta(seconds=1)
    with pytest.raises(VerificationException):
        cache.key_for(CERT_URL)
    assert len(validations) == 3  # the folder's copy, then the fetched one


def test_failed_validation_is_remembered_then_retried(
    ca: TestAuthority, tmp_path: Path, manual_clock: MutableClock
) -> None:
    """A chain that fails is not kept; the failure is, for the back-off, then fetched anew."""
    seconds = [0.0]
    fetch = CountingFetch(pem(ca.leaf))
    cache = SigningKeyCache(load_trust_store(str(ca.ca_bundle)), manual_clock,
                            cache_dir=str(tmp_path), fetch=fetch, backoff_seconds=60,
                            monotonic=lambda: seconds[0])
    for _ in range(3):
        with pytest.raises(VerificationException):
            cache.key_for(CERT_URL)
    assert len(fetch.urls) == 1
    seconds[0] = 61.0
    fetch.body = pem(ca.leaf, ca.intermediate)
    cache.key_for(CERT_URL)
    assert len(fetch.urls) == 2


def test_chain_that_fails_validation_is_not_written_to_cache_folder(
    ca: TestAuthority, tmp_path: Path, manual_clock: MutableClock
) -> None:
    """A bad fetch (e.g. a truncated body) must not be kept and reused instead of refetching."""
    good = pem(ca.leaf, ca.intermediate)
    fetch = CountingFetch(good[: len(good) // 2])
    cache = make_cache(ca, manual_clock, cache_dir=tmp_path, fetch=fetch)
    with pytest.raises(VerificationException):
        cache.key_for(CERT_URL)
    assert not (tmp_path / cache_file_name(CERT_URL)).exists()

    fetch.body = good
    cache = make_cache(ca, manual_clock, cache_dir=tmp_path, fetch=fetch)  # a restart
    cache.key_for(CERT_URL)
    assert (tmp_path / cache_file_name(CERT_URL)).read_bytes() == good


@pytest.mark.parametrize(
    "error",
    [
        OSError("network down"),
        TimeoutError("timed out"),
        ValueError("bad value"),
        http.client.InvalidURL("URL can't contain control characters"),
        http.client.IncompleteRead(b"partial"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_fetch_failure_is_a_verification_failure(
    ca: TestAuthority, tmp_path: Path, manual_clock: MutableClock, error: Exception
) -> None:
    """OSError, and the http.client errors urlopen raises outside OSError, all answer 400."""

    def failing_fetch(url: str) -> bytes:
        raise error

    cache = make_cache(ca, manual_clock, cache_dir=tmp_path, fetch=failing_fetch)
    with pytest.raises(VerificationException, match="fetch"):
        check(SignatureVerifier(cache), ca.sign(BODY.encode()))
    assert not any(tmp_path.iterdir())


def test_unwritable_cache_folder_still_verifies(
    ca: TestAuthority, tmp_path: Path, manual_clock: MutableClock, caplog: pytest.LogCaptureFixture
) -> None:
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("")
    fetch = CountingFetch(pem(ca.leaf, ca.intermediate))
    cache = make_cache(ca, manual_clock, cache_dir=not_a_folder, fetch=fetch)
    check(SignatureVerifier(cache), ca.sign(BODY.encode()))
    assert "could not write the certificate cache" in caplog.text


def test_without_cache_folder_keys_are_still_kept_in_memory(
    ca: TestAuthority, manual_clock: MutableClock
) -> None:
    fetch = CountingFetch(pem(ca.leaf, ca.intermediate))
    cache = SigningKeyCache(load_trust_store(str(ca.ca_bundle)), manual_clock, fetch=fetch)
    for _ in range(3):
        cache.key_for(CERT_URL)
    assert fetch.urls == [CERT_URL]


def test_concurrent_cold_requests_validate_once(
    ca: TestAuthority, tmp_path: Path, manual_clock: MutableClock
) -> None:
    fetch = CountingFetch(pem(ca.leaf, ca.intermediate))
    cache = make_cache(ca, manual_clock, cache_dir=tmp_path, fetch=fetch)
    validations = count_validations(cache)
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            cache.key_for(CERT_URL)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(validations) == 1
    assert fetch.urls == [CERT_URL]


def test_default_trust_store_loads_certifi_without_warnings() -> None:
    """certifi ships roots with serial 0; cryptography warns on them (warnings are errors here)."""
    assert load_trust_store(None) is not None


def _certifi_root_with_serial_zero() -> bytes:
    for block in verify._PEM_CERTIFICATE.findall(Path(certifi.where()).read_bytes()):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                x509.load_pem_x509_certificate(block)
            except ValueError:  # a cryptography release that refuses such roots outright
                return bytes(block)
        if caught:
            return bytes(block)
    pytest.skip("this certifi has no root that cryptography warns about")


def test_trust_store_keeps_working_next_to_a_root_cryptography_frowns_on(
    ca: TestAuthority, tmp_path: Path, manual_clock: MutableClock
) -> None:
    bundle = tmp_path / "roots.pem"
    bundle.write_bytes(_certifi_root_with_serial_zero() + b"\n" + pem(ca.root))
    keys = SigningKeyCache(
        load_trust_store(str(bundle)),
        manual_clock,
        cache_dir=str(ca.cert_cache_dir),
        fetch=no_fetch,
    )
    check(SignatureVerifier(keys), ca.sign(BODY.encode()))


def test_trust_store_skips_a_root_it_cannot_load(
    ca: TestAuthority,
    tmp_path: Path,
    manual_clock: MutableClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """One unreadable root is logged and skipped, not fatal for the rest of the bundle."""
    bundle = tmp_path / "roots.pem"
    bundle.write_bytes(BROKEN_PEM + pem(ca.root))
    keys = SigningKeyCache(
        load_trust_store(str(bundle)),
        manual_clock,
        cache_dir=str(ca.cert_cache_dir),
        fetch=no_fetch,
    )
    check(SignatureVerifier(keys), ca.sign(BODY.encode()))
    assert "skipping a certificate" in caplog.text


@pytest.mark.parametrize("content", [None, b"", b"nothing here", BROKEN_PEM])
def test_trust_store_without_any_usable_root_is_an_error(
    tmp_path: Path, content: bytes | None
) -> None:
    bundle = tmp_path / "roots.pem"
    if content is not None:
        bundle.write_bytes(content)
    with pytest.raises(ValueError, match="trusted roots"):
        load_trust_store(str(bundle))


# --- 4. timestamp -------------------------------------------------------------------------


def envelope_at(timestamp: Any, object_type: str = "LaunchRequest") -> SimpleNamespace:
    return SimpleNamespace(request=SimpleNamespace(timestamp=timestamp, object_type=object_type))


def check_time(envelope: Any) -> None:
    TimestampVerifier(lambda: NOW).verify(
        headers={}, serialized_request_env="{}", deserialized_request_env=envelope
    )


@pytest.mark.parametrize("offset", [0, 1, 149, 150, -1, -149, -150])
def test_timestamp_within_150_seconds_passes(offset: int) -> None:
    check_time(envelope_at(NOW + timedelta(seconds=offset)))


@pytest.mark.parametrize("offset", [151, -151, 3000, -3000])
def test_timestamp_beyond_150_seconds_fails(offset: int) -> None:
    with pytest.raises(VerificationException):
        check_time(envelope_at(NOW + timedelta(seconds=offset)))


def test_timestamp_in_another_time_zone_is_compared_as_an_instant() -> None:
    plus_two = timezone(timedelta(hours=2))
    check_time(envelope_at((NOW + timedelta(seconds=100)).astimezone(plus_two)))
    with pytest.raises(VerificationException):
        check_time(envelope_at((NOW + timedelta(seconds=200)).astimezone(plus_two)))


def test_naive_timestamp_fails() -> None:
    with pytest.raises(VerificationException, match="time zone"):
        check_time(envelope_at(NOW.replace(tzinfo=None)))


@pytest.mark.parametrize("timestamp", [None, "2025-06-01T12:00:00Z", 1748779200])
def test_missing_or_unparsed_timestamp_fails(timestamp: Any) -> None:
    with pytest.raises(VerificationException):
        check_time(envelope_at(timestamp))


def test_request_without_timestamp_attribute_fails() -> None:
    with pytest.raises(VerificationException):
        check_time(SimpleNamespace(request=SimpleNamespace(object_type="LaunchRequest")))


def test_envelope_without_request_fails() -> None:
    with pytest.raises(VerificationException):
        check_time(SimpleNamespace(request=None))


@pytest.mark.parametrize("offset", [3000, -3000, 3600, -3600])
def test_skill_event_allows_an_hour(offset: int) -> None:
    check_time(envelope_at(NOW + timedelta(seconds=offset), "AlexaSkillEvent.SkillDisabled"))


@pytest.mark.parametrize("offset", [3601, -3601])
def test_skill_event_beyond_an_hour_fails(offset: int) -> None:
    with pytest.raises(VerificationException):
        check_time(envelope_at(NOW + timedelta(seconds=offset), "AlexaSkillEvent.SkillDisabled"))


@pytest.mark.parametrize(
    "object_type", ["LaunchRequest", "IntentRequest", "SessionEndedRequest", "SkillDisabled"]
)
def test_other_requests_do_not_get_the_skill_event_window(object_type: str) -> None:
    with pytest.raises(VerificationException):
        check_time(envelope_at(NOW + timedelta(seconds=3000), object_type))


def test_timestamp_uses_the_injected_clock_each_time() -> None:
    clock = MutableClock(NOW)
    timestamps = TimestampVerifier(clock)
    envelope = envelope_at(NOW)
    timestamps.verify(headers={}, serialized_request_env="{}", deserialized_request_env=envelope)
    clock.now = NOW + timedelta(seconds=151)
    with pytest.raises(VerificationException):
        timestamps.verify(
            headers={}, serialized_request_env="{}", deserialized_request_env=envelope
        )


# --- 5. skill id --------------------------------------------------------------------------

SKILL_ID = "amzn1.ask.skill.00000000-0000-0000-0000-000000000001"
OTHER_SKILL_ID = "amzn1.ask.skill.00000000-0000-0000-0000-000000000002"


def envelope_for(context_id: str | None, session_id: str | None) -> SimpleNamespace:
    def holder(app_id: str | None) -> SimpleNamespace:
        return SimpleNamespace(application=SimpleNamespace(application_id=app_id))

    return SimpleNamespace(
        context=SimpleNamespace(system=holder(context_id)),
        session=holder(session_id) if session_id is not None else None,
    )


def check_skill(envelope: Any) -> None:
    SkillIdVerifier(SKILL_ID).verify(
        headers={}, serialized_request_env="{}", deserialized_request_env=envelope
    )


def test_matching_skill_id_in_context_passes() -> None:
    check_skill(envelope_for(SKILL_ID, None))


def test_mismatched_skill_id_fails() -> None:
    with pytest.raises(VerificationException):
        check_skill(envelope_for(OTHER_SKILL_ID, None))


def test_context_id_wins_over_session_id() -> None:
    assert application_id(envelope_for(OTHER_SKILL_ID, SKILL_ID)) == OTHER_SKILL_ID
    with pytest.raises(VerificationException):
        check_skill(envelope_for(OTHER_SKILL_ID, SKILL_ID))


def test_session_id_is_used_when_context_lacks_one() -> None:
    assert application_id(envelope_for(None, SKILL_ID)) == SKILL_ID
    check_skill(envelope_for(None, SKILL_ID))
    check_skill(SimpleNamespace(context=None, session=envelope_for(None, SKILL_ID).session))


@pytest.mark.parametrize(
    "envelope",
    [
        envelope_for(None, None),
        envelope_for("", ""),
        SimpleNamespace(context=None, session=None),
        SimpleNamespace(),
    ],
    ids=["ids-none", "ids-empty", "no-context-no-session", "bare"],
)
def test_no_skill_id_at_all_fails(envelope: Any) -> None:
    assert application_id(envelope) is None
    with pytest.raises(VerificationException):
        check_skill(envelope)


def test_real_sdk_envelope_exposes_the_fields_the_verifiers_read() -> None:
    """The stand-ins above mirror ask_sdk_model: check against a deserialized envelope."""
    from ask_sdk_core.serialize import DefaultSerializer
    from ask_sdk_model import RequestEnvelope

    def deserialize(request_type: str, stamp: datetime, with_context: bool) -> Any:
        raw: dict[str, Any] = {
            "version": "1.0",
            "session": {
                "new": True,
                "sessionId": "s",
                "user": {"userId": "u"},
                "application": {"applicationId": SKILL_ID},
            },
            "request": {
                "type": request_type,
                "requestId": "r",
                "locale": "en-US",
                "timestamp": stamp.strftime("%Y-%m-%dT%H:%M:%SZ"),
            },
        }
        if with_context:
            raw["context"] = {
                "System": {"application": {"applicationId": SKILL_ID}, "user": {"userId": "u"}}
            }
        return DefaultSerializer().deserialize(json.dumps(raw), RequestEnvelope)

    check_time(deserialize("LaunchRequest", NOW - timedelta(seconds=100), True))
    check_time(deserialize("AlexaSkillEvent.SkillDisabled", NOW - timedelta(seconds=3000), True))
    with pytest.raises(VerificationException):
        check_time(deserialize("LaunchRequest", NOW - timedelta(seconds=3000), True))
    check_skill(deserialize("LaunchRequest", NOW, True))
    check_skill(deserialize("LaunchRequest", NOW, False))


# --- 6. compat: the certvalidator placeholder ---------------------------------------------


def test_webservice_support_imports_after_ensure() -> None:
    result = compat.ensure_webservice_support_importable()
    assert isinstance(result, bool)
    import ask_sdk_webservice_support.verifier
    import flask_ask_sdk.skill_adapter

    assert ask_sdk_webservice_support.verifier.RequestVerifier is not None
    assert flask_ask_sdk.skill_adapter.SkillAdapter is not None
    placeholder = getattr(sys.modules["certvalidator"], compat.PLACEHOLDER_ATTRIBUTE, False)
    assert result is bool(placeholder)


def test_placeholder_refuses_to_validate() -> None:
    certvalidator = sys.modules["certvalidator"]
    if not getattr(certvalidator, compat.PLACEHOLDER_ATTRIBUTE, False):
        pytest.skip("the real certvalidator loads on this machine")
    with pytest.raises(compat.StockValidatorUnavailable):
        certvalidator.CertificateValidator(b"leaf", [b"intermediate"])
    with pytest.raises(compat.StockValidatorUnavailable):
        certvalidator.ValidationContext(trust_roots=[])


def test_stock_request_verifier_fails_loudly_with_the_placeholder(ca: TestAuthority) -> None:
    """If someone wires in the SDK's RequestVerifier anyway, it refuses instead of passing."""
    if not getattr(sys.modules["certvalidator"], compat.PLACEHOLDER_ATTRIBUTE, False):
        pytest.skip("the real certvalidator loads on this machine")
    from ask_sdk_webservice_support.verifier import RequestVerifier

    stock = RequestVerifier()
    stock._cert_cache[CERT_URL] = pem(ca.leaf, ca.intermediate)  # no network
    with pytest.raises(compat.StockValidatorUnavailable):
        stock.verify(ca.sign(BODY.encode()), BODY, None)


class LibraryNotFoundError(Exception):
    """Same name as oscrypto.errors.LibraryNotFoundError, which compat matches by name."""


class _FakeCertvalidatorFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves ``import certvalidator`` with a module whose body runs ``body``."""

    def __init__(self, body: Callable[[types.ModuleType], None]) -> None:
        self.body = body
        self.imports = 0

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname != "certvalidator":
            return None
        return importlib.util.spec_from_loader(fullname, self)

    def create_module(self, spec: Any) -> None:
        return None

    def exec_module(self, module: types.ModuleType) -> None:
        self.imports += 1
        self.body(module)


def _half_loaded_oscrypto_then(error: Exception) -> Callable[[types.ModuleType], None]:
    """Like the real failure: oscrypto is partly imported when libcrypto detection raises."""

    def body(module: types.ModuleType) -> None:
        sys.modules["oscrypto"] = types.ModuleType("oscrypto")
        sys.modules["oscrypto._openssl"] = types.ModuleType("oscrypto._openssl")
        raise error

    return body


def _ours(name: str) -> bool:
    return name.split(".")[0] in ("certvalidator", "oscrypto")


@pytest.fixture
def fresh_import(
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Callable[..., _FakeCertvalidatorFinder]]:
    """No certvalidator/oscrypto in sys.modules; ``install(body)`` fakes the import.

    Teardown drops whatever the test added, then monkeypatch puts the originals back.
    """
    for name in [n for n in sys.modules if _ours(n)]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setattr(compat, "oscrypto_import_would_fail", lambda: False)

    def install(body: Callable[[types.ModuleType], None]) -> _FakeCertvalidatorFinder:
        finder = _FakeCertvalidatorFinder(body)
        monkeypatch.setattr(sys, "meta_path", [finder, *sys.meta_path])
        return finder

    yield install
    for name in [n for n in sys.modules if _ours(n)]:
        del sys.modules[name]


def test_libcrypto_version_failure_installs_the_placeholder(
    fresh_import: Callable[..., _FakeCertvalidatorFinder],
) -> None:
    finder = fresh_import(
        _half_loaded_oscrypto_then(LibraryNotFoundError("Error detecting the version of libcrypto"))
    )

    assert compat.ensure_webservice_support_importable() is True

    certvalidator = sys.modules["certvalidator"]
    assert getattr(certvalidator, compat.PLACEHOLDER_ATTRIBUTE) is True
    assert not any(name.split(".")[0] == "oscrypto" for name in sys.modules)
    from certvalidator import CertificateValidator
    from certvalidator.errors import PathError, ValidationError

    assert issubclass(ValidationError, Exception) and issubclass(PathError, Exception)
    with pytest.raises(compat.StockValidatorUnavailable):
        CertificateValidator(b"leaf")

    assert compat.ensure_webservice_support_importable() is True
    assert finder.imports == 1, "a second call must not try the import again"


@pytest.mark.parametrize(
    "error",
    [
        ImportError("No module named 'oscrypto'"),
        LibraryNotFoundError("Error loading some other library"),
        RuntimeError("Error detecting the version of libcrypto"),
    ],
    ids=["other-import-error", "other-library-message", "other-exception-class"],
)
def test_other_import_failures_are_re_raised(
    fresh_import: Callable[..., _FakeCertvalidatorFinder], error: Exception
) -> None:
    """The workaround is narrow: only oscrypto's libcrypto version failure is absorbed."""
    fresh_import(_half_loaded_oscrypto_then(error))
    with pytest.raises(type(error)):
        compat.ensure_webservice_support_importable()
    assert "certvalidator" not in sys.modules


def test_working_certvalidator_is_used_untouched(
    fresh_import: Callable[..., _FakeCertvalidatorFinder],
) -> None:
    def body(module: types.ModuleType) -> None:
        module.CertificateValidator = object  # type: ignore[attr-defined]

    finder = fresh_import(body)
    assert compat.ensure_webservice_support_importable() is False
    real = sys.modules["certvalidator"]
    assert real.CertificateValidator is object
    assert not getattr(real, compat.PLACEHOLDER_ATTRIBUTE, False)
    assert finder.imports == 1


@pytest.mark.parametrize(("oscrypto", "openssl", "fails"), [
    ("1.3.0", "OpenSSL 3.0.19 27 Jan 2026", True),
    ("1.3.0", "OpenSSL 3.5.10 1 Jul 2026", True),
    ("1.3.0", "OpenSSL 3.0.9 30 May 2023", False),
    ("1.3.0", "OpenSSL 1.1.1w  11 Sep 2023", False),
    ("1.3.0", "LibreSSL 3.8.2", False),
    ("1.3.1", "OpenSSL 3.0.19 27 Jan 2026", False),
    (None, "OpenSSL 3.0.19 27 Jan 2026", False),
])
def test_the_failure_is_predicted_with_oscryptos_own_patterns(
    oscrypto: str | None, openssl: str, fails: bool
) -> None:
    assert compat.oscrypto_cannot_read(oscrypto, openssl) is fails


def test_a_predicted_failure_installs_the_placeholder_without_trying_the_import(
    fresh_import: Callable[..., _FakeCertvalidatorFinder], monkeypatch: pytest.MonkeyPatch
) -> None:
    finder = fresh_import(lambda module: None)
    monkeypatch.setattr(compat, "oscrypto_import_would_fail", lambda: True)
    assert compat.ensure_webservice_support_importable() is True
    assert getattr(sys.modules["certvalidator"], compat.PLACEHOLDER_ATTRIBUTE) is True
    assert finder.imports == 0


def test_the_prediction_reads_the_installed_oscrypto_and_openssl(
    monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.metadata
    import ssl

    monkeypatch.setattr(importlib.metadata, "version", lambda name: "1.3.0")
    monkeypatch.setattr(ssl, "OPENSSL_VERSION", "OpenSSL 3.0.19 27 Jan 2026")
    assert compat.oscrypto_import_would_fail() is True

    def missing(name: str) -> str:
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "version", missing)
    assert compat.oscrypto_import_would_fail() is False


def test_already_imported_real_certvalidator_is_left_alone(
    fresh_import: Callable[..., _FakeCertvalidatorFinder], monkeypatch: pytest.MonkeyPatch
) -> None:
    finder = fresh_import(lambda module: None)
    real = types.ModuleType("certvalidator")
    monkeypatch.setitem(sys.modules, "certvalidator", real)
    assert compat.ensure_webservice_support_importable() is False
    assert sys.modules["certvalidator"] is real
    assert finder.imports == 0


# --- 7. warm path -------------------------------------------------------------------------


def test_warm_cache_verifies_many_requests_without_revalidating(
    ca: TestAuthority, manual_clock: MutableClock
) -> None:
    """Counts validations and fetches; speed itself is measured in benchmarks/, not here."""
    cache = make_cache(ca, manual_clock, fetch=no_fetch)
    verifier = SignatureVerifier(cache)
    check(verifier, ca.sign(BODY.encode()))  # warm up
    validations = count_validations(cache)

    for index in range(200):
        body = BODY.replace("r-1", f"r-{index}")
        check(verifier, ca.sign(body.encode()), body)
        manual_clock.now += timedelta(seconds=1)

    assert validations == []
