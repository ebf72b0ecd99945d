"""A certificate authority the tests make, to sign requests exactly as Alexa does."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from skill.verify import cache_file_name

CERT_URL = "https://s3.amazonaws.com/echo.api/echo-api-cert-porchlight-test.pem"
ALEXA_DNS_NAME = "echo-api.amazon.com"

_KEY_CACHE: list[rsa.RSAPrivateKey] = []


def _key(index: int) -> rsa.RSAPrivateKey:
    """RSA keys are slow to make: make each of a few once per test run."""
    while len(_KEY_CACHE) <= index:
        _KEY_CACHE.append(rsa.generate_private_key(public_exponent=65537, key_size=2048))
    return _KEY_CACHE[index]


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def make_certificate(
    subject: str,
    key: rsa.RSAPrivateKey,
    issuer: tuple[str, rsa.RSAPrivateKey] | None,
    *,
    not_before: datetime,
    not_after: datetime,
    is_ca: bool,
    dns_names: tuple[str, ...] = (),
) -> x509.Certificate:
    """A certificate with the extensions a WebPKI verifier expects."""
    issuer_name, issuer_key = issuer if issuer else (subject, key)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer_name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=is_ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
    )
    if is_ca:
        builder = builder.add_extension(
            x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                          data_encipherment=False, key_agreement=False, key_cert_sign=True,
                          crl_sign=True, encipher_only=False, decipher_only=False),
            critical=True,
        )
    else:
        builder = builder.add_extension(
            x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=True,
                          data_encipherment=False, key_agreement=False, key_cert_sign=False,
                          crl_sign=False, encipher_only=False, decipher_only=False),
            critical=True,
        ).add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
    if dns_names:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName(n) for n in dns_names]), critical=False
        )
    return builder.sign(issuer_key, hashes.SHA256())


def pem(*certificates: x509.Certificate) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certificates)


@dataclass
class TestAuthority:
    """A root, an intermediate and an Alexa-like signing certificate, written to ``folder``."""

    __test__ = False  # not a test class, whatever pytest thinks of its name

    folder: Path
    now: datetime
    dns_name: str = ALEXA_DNS_NAME
    leaf_days: int = 365

    def __post_init__(self) -> None:
        start = self.now - timedelta(days=1)
        self.root_key, self.intermediate_key, self.leaf_key = _key(0), _key(1), _key(2)
        self.root = make_certificate(
            "Porch Light Test Root", self.root_key, None,
            not_before=start, not_after=start + timedelta(days=3650), is_ca=True,
        )
        self.intermediate = make_certificate(
            "Porch Light Test Intermediate", self.intermediate_key,
            ("Porch Light Test Root", self.root_key),
            not_before=start, not_after=start + timedelta(days=1825), is_ca=True,
        )
        self.leaf = make_certificate(
            self.dns_name, self.leaf_key, ("Porch Light Test Intermediate", self.intermediate_key),
            not_before=start, not_after=start + timedelta(days=self.leaf_days), is_ca=False,
            dns_names=(self.dns_name,),
        )
        self.ca_bundle = self.folder / "test-roots.pem"
        self.cert_cache_dir = self.folder / "cert-cache"
        self.cert_cache_dir.mkdir(parents=True, exist_ok=True)
        self.ca_bundle.write_bytes(pem(self.root))
        self.install_chain(CERT_URL, pem(self.leaf, self.intermediate))

    def install_chain(self, url: str, chain: bytes) -> Path:
        """Put a chain in the certificate cache folder, as a fetched one would be."""
        path = self.cert_cache_dir / cache_file_name(url)
        path.write_bytes(chain)
        return path

    def sign(self, body: bytes, url: str = CERT_URL, key: rsa.RSAPrivateKey | None = None
             ) -> dict[str, str]:
        """The headers Alexa sends with ``body``."""
        signature = (key or self.leaf_key).sign(body, padding.PKCS1v15(), hashes.SHA256())
        return {
            "SignatureCertChainUrl": url,
            "Signature-256": base64.b64encode(signature).decode("ascii"),
            "Content-Type": "application/json",
        }
