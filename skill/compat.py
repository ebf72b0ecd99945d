"""Make ask-sdk-webservice-support importable on current OpenSSL.

``ask_sdk_webservice_support.verifier`` imports ``certvalidator``, which imports
``oscrypto`` 1.3.0. That release cannot parse OpenSSL version strings such as
"3.0.19" and raises ``LibraryNotFoundError`` at import time; the upstream fix was
never released to PyPI. Porch Light does not use the stock ``RequestVerifier``
(see ``skill.verify``, built on ``cryptography.x509.verification``), so when, and
only when, the real ``certvalidator`` fails to import for that reason, we register
a placeholder ``certvalidator`` module. The placeholder satisfies the stock
module's imports and refuses loudly if anything tries to validate with it.

Nothing in site-packages is edited, and on a machine where oscrypto works the
real package is used untouched.

Trying the import costs about 0.15 s at every start (oscrypto parses C declarations with
cffi and pycparser before it reads the version), so when the outcome is certain it is
predicted instead: oscrypto 1.3.0 is installed and this Python's OpenSSL version fails
the very patterns oscrypto 1.3.0 reads it with. Anything else still tries the import.
"""

from __future__ import annotations

import importlib.metadata
import re
import ssl
import sys
import types
from typing import Any, NoReturn

PLACEHOLDER_ATTRIBUTE = "__porchlight_placeholder__"
UNFIXED_OSCRYPTO = "1.3.0"
# oscrypto 1.3.0's own patterns (_libcrypto_cffi.py, _libcrypto_ctypes.py): one digit a part.
_OSCRYPTO_OPENSSL_VERSION = re.compile(r"\b(\d\.\d\.\d[a-z]*)\b")
_OSCRYPTO_LIBRESSL_VERSION = re.compile(r"(?<=LibreSSL )(\d\.\d(\.\d)?)\b")


class StockValidatorUnavailable(RuntimeError):
    """Raised if code tries to use certvalidator while the placeholder stands in."""


def _refuse(*_args: Any, **_kwargs: Any) -> NoReturn:
    raise StockValidatorUnavailable(
        "certvalidator could not load oscrypto on this OpenSSL; "
        "use skill.verify.SignatureVerifier instead of the stock RequestVerifier"
    )


class _PlaceholderValidator:
    """Stands in for certvalidator.CertificateValidator; every use is refused."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        _refuse()


def _placeholder_modules() -> dict[str, types.ModuleType]:
    package = types.ModuleType("certvalidator")
    errors = types.ModuleType("certvalidator.errors")
    for name in ("ValidationError", "PathError", "PathBuildingError", "InvalidCertificateError"):
        setattr(errors, name, type(name, (Exception,), {}))
    package.CertificateValidator = _PlaceholderValidator  # type: ignore[attr-defined]
    package.ValidationContext = _PlaceholderValidator  # type: ignore[attr-defined]
    package.errors = errors  # type: ignore[attr-defined]
    package.ValidationError = errors.ValidationError  # type: ignore[attr-defined]
    setattr(package, PLACEHOLDER_ATTRIBUTE, True)
    return {"certvalidator": package, "certvalidator.errors": errors}


def _is_oscrypto_version_failure(error: BaseException) -> bool:
    return type(error).__name__ == "LibraryNotFoundError" and "libcrypto" in str(error)


def oscrypto_cannot_read(oscrypto_version: str | None, openssl_version: str) -> bool:
    """True when oscrypto ``oscrypto_version`` would fail to read ``openssl_version``."""
    if oscrypto_version != UNFIXED_OSCRYPTO:
        return False
    return not (_OSCRYPTO_OPENSSL_VERSION.search(openssl_version)
                or _OSCRYPTO_LIBRESSL_VERSION.search(openssl_version))


def oscrypto_import_would_fail() -> bool:
    """The installed oscrypto cannot read this Python's OpenSSL version (see the module)."""
    try:
        installed: str | None = importlib.metadata.version("oscrypto")
    except importlib.metadata.PackageNotFoundError:
        installed = None
    return oscrypto_cannot_read(installed, ssl.OPENSSL_VERSION)


def ensure_webservice_support_importable() -> bool:
    """Import certvalidator, or register the placeholder if oscrypto cannot load.

    Returns True when the placeholder was installed (now or earlier).
    """
    existing = sys.modules.get("certvalidator")
    if existing is not None:
        return bool(getattr(existing, PLACEHOLDER_ATTRIBUTE, False))
    if oscrypto_import_would_fail():
        sys.modules.update(_placeholder_modules())
        return True
    try:
        import certvalidator  # noqa: F401
    except Exception as error:
        if not _is_oscrypto_version_failure(error):
            raise
        for name in [m for m in sys.modules if m.split(".")[0] in ("certvalidator", "oscrypto")]:
            del sys.modules[name]
        sys.modules.update(_placeholder_modules())
        return True
    return False
