"""Exception hierarchy of the archive library.

Every error raised on purpose by an :class:`~archive.store.ObjectStore` is an
:class:`ArchiveError`; the web app maps the subclasses to HTTP answers and the job
runner retries on :class:`ArchiveUnavailable`. Invalid arguments (a malformed key, a
naive datetime) raise the built-in :class:`ValueError` instead.
"""

from __future__ import annotations

__all__ = [
    "ArchiveError",
    "ArchiveUnavailable",
    "IntegrityError",
    "ObjectLocked",
    "ObjectNotFound",
]


class ArchiveError(Exception):
    """Base class of every archive failure (also raised for refused operations such as
    shortening a retention period or a malformed filing manifest)."""


class ObjectNotFound(ArchiveError):
    """No object is stored under the requested key.

    :param key: the key that was looked up.
    """

    def __init__(self, key: str) -> None:
        super().__init__(f"archive object not found: {key!r}")
        self.key = key


class ArchiveUnavailable(ArchiveError):
    """The storage backend cannot be reached or answered with a server error
    (connection refused, timeout, HTTP 5xx, missing bucket). Transient: retry later."""


class ObjectLocked(ArchiveError):
    """Deleting or overwriting an object under retention was refused.

    :param key: the retained key.
    :param retain_until: end of the retention period, when known.
    """

    def __init__(self, key: str, retain_until: object | None = None, detail: str = "") -> None:
        msg = f"archive object is under retention: {key!r}"
        if retain_until is not None:
            msg += f" (retained until {retain_until})"
        if detail:
            msg += f"; {detail}"
        super().__init__(msg)
        self.key = key
        self.retain_until = retain_until


class IntegrityError(ArchiveError):
    """The stored bytes do not match the SHA-256 recorded when the object was written.

    :param key: the object's key.
    :param expected: the recorded hex digest ("" when none was recorded).
    :param actual: the hex digest of the bytes read back.
    """

    def __init__(self, key: str, expected: str, actual: str) -> None:
        if expected:
            msg = (
                f"archive object {key!r} failed its integrity check: recorded sha256 "
                f"{expected}, stored bytes hash to {actual}"
            )
        else:
            msg = f"archive object {key!r} has no recorded sha256 to verify against"
        super().__init__(msg)
        self.key = key
        self.expected = expected
        self.actual = actual
