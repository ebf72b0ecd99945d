"""The rules for Alexa's ``SignatureCertChainUrl``, and the one parser behind them.

The URL that passes these rules is the URL that is fetched: ``parse_cert_url`` returns a
``CertUrl`` (the canonical form, with its path), and the fetcher requests exactly that path
from exactly that host. Variants that name the same chain (``/echo.api/../echo.api/x.pem``,
``S3.AmazonAWS.com``, ``:443``) share one canonical form, so one cache entry and one fetch.
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import urlsplit

from skill.compat import ensure_webservice_support_importable

ensure_webservice_support_importable()

from ask_sdk_webservice_support.verifier import VerificationException  # noqa: E402

__all__ = ["CERT_HOST", "CertUrl", "VerificationException", "parse_cert_url",
           "validate_cert_chain_url"]

CERT_HOST = "s3.amazonaws.com"
CERT_PORT = 443
CERT_PATH_PREFIX = "/echo.api/"
MAX_URL_LENGTH = 512

# Letters, digits and the URL punctuation RFC 3986 allows; no space, no control character,
# no backslash, nothing outside ASCII. Finer rules below give a clearer reason.
_URL_CHARACTERS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")


class CertUrl(str):
    """A certificate URL that passed the rules, in canonical form: https://HOST/PATH."""

    host: str
    port: int
    path: str

    def __new__(cls, path: str) -> CertUrl:
        url = super().__new__(cls, f"https://{CERT_HOST}{path}")
        url.host, url.port, url.path = CERT_HOST, CERT_PORT, path
        return url


def parse_cert_url(url: str) -> CertUrl:
    """The canonical ``CertUrl`` for ``url``; VerificationException says which rule it breaks.

    Alexa's rules (scheme https, host s3.amazonaws.com, port 443 if given, a path under
    /echo.api/ once normalised) plus: no query, no fragment, no user info, no
    percent-encoding (which could hide a dot or a slash), and nothing but URL characters.
    """
    if len(url) > MAX_URL_LENGTH:
        raise VerificationException("certificate URL is too long")
    if not _URL_CHARACTERS.fullmatch(url):
        raise VerificationException("certificate URL has characters a URL cannot carry")
    if "?" in url or "#" in url:
        raise VerificationException("certificate URL must not carry a query or a fragment")
    if "%" in url:
        raise VerificationException("certificate URL must not be percent-encoded")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise VerificationException("certificate URL is malformed") from error
    if parts.scheme.lower() != "https":
        raise VerificationException("certificate URL must use https")
    if "@" in parts.netloc:
        raise VerificationException("certificate URL must not carry user info")
    if (parts.hostname or "").lower() != CERT_HOST:
        raise VerificationException(f"certificate URL host must be {CERT_HOST}")
    if port not in (None, CERT_PORT):
        raise VerificationException("certificate URL port must be 443")
    path = posixpath.normpath(parts.path) if parts.path else ""
    if not path.startswith(CERT_PATH_PREFIX) or len(path) == len(CERT_PATH_PREFIX):
        raise VerificationException(f"certificate URL path must start with {CERT_PATH_PREFIX}")
    return CertUrl(path)


def validate_cert_chain_url(url: str) -> None:
    """Raise VerificationException unless ``url`` is an Alexa certificate URL."""
    parse_cert_url(url)
