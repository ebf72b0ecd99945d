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
"""

from __future__ import annotations

import sys
import types
from typing import Any, NoReturn

PLACEHOLDER_ATTRIBUTE = "__porchlight_placeholder__"


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


def ensure_webservice_support_importable() -> bool:
    """Import certvalidator, or register the placeholder if oscrypto cannot load.

    Returns True when the placeholder was installed (now or earlier).
    """
    existing = sys.modules.get("certvalidator")
    if existing is not None:
        return bool(getattr(existing, PLACEHOLDER_ATTRIBUTE, False))
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
