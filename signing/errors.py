"""Exception hierarchy of the signing library.

Every error raised on purpose by :mod:`signing` derives from :class:`SigningError`, so the
application can map the whole family to one HTTP answer.
"""

from __future__ import annotations

__all__ = [
    "CertificateError",
    "FontNotFound",
    "InvalidDocument",
    "KeyProviderError",
    "SigningError",
    "TimestampError",
]


class SigningError(Exception):
    """Base class of all signing-library errors."""


class FontNotFound(SigningError):
    """No usable CJK TrueType font was found (install ``fonts-wqy-microhei``)."""


class KeyProviderError(SigningError):
    """A key could not be created, loaded or used (wrong passphrase, PIN, token, label...)."""


class CertificateError(SigningError):
    """A certificate or CRL could not be issued or does not satisfy the platform profile."""


class TimestampError(SigningError):
    """A time-stamp could not be obtained or the time-stamp request is unusable."""


class InvalidDocument(SigningError):
    """The input is not a PDF, is truncated or cannot be parsed, or lacks the expected fields."""
