"""The :class:`ObjectStore` interface shared by the local and the S3 backends.

Semantics every backend honours (checked by one shared contract test suite):

* ``put`` records the SHA-256 of the bytes next to the object; ``get`` recomputes it and
  raises :class:`~archive.errors.IntegrityError` on mismatch (unless ``verify=False``).
* Retention is a point in time (UTC, whole seconds, rounded *up*); until then the object
  cannot be deleted (:class:`~archive.errors.ObjectLocked`) and its retention can only be
  extended, never shortened.
* Overwriting a key under retention: the local backend refuses (``ObjectLocked``); the S3
  backend (versioned, object-locked bucket) stores a new current version while the locked
  old version survives on the server until its retention ends, so ``delete`` keeps
  refusing while any version is retained.
* Keys are ``/``-separated paths: no leading ``/``, no empty, ``.`` or ``..`` segments,
  no control characters, at most 1024 characters.
* User metadata keys are lowercase ASCII (``[a-z0-9][a-z0-9-]*``); values are any
  strings (UTF-8 allowed). The key ``sha256`` is reserved.
"""

from __future__ import annotations

import abc
import hashlib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from archive.errors import ObjectNotFound

__all__ = [
    "CHUNK_SIZE",
    "MAX_KEY_LENGTH",
    "ObjectStore",
    "ObjectVersion",
    "StoredObject",
    "check_expires",
    "check_new_retention",
    "normalize_retain_until",
    "sha256_hex",
    "utcnow",
    "validate_key",
    "validate_metadata",
]

MAX_KEY_LENGTH = 1024
CHUNK_SIZE = 1024 * 1024  # bytes per piece when an object is read as a stream
_META_KEY_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
_RESERVED_META = frozenset({"sha256"})


@dataclass(frozen=True)
class StoredObject:
    """What the store knows about one stored object (its current version).

    :param key: the object key.
    :param size: length in bytes.
    :param sha256: hex SHA-256 recorded at write time.
    :param content_type: MIME type given at write time.
    :param version_id: backend version id (S3 with versioning), else ``None``.
    :param retain_until: end of the retention period (UTC), ``None`` if not retained.
    :param last_modified: write time (UTC) when known.
    :param metadata: user metadata given at write time.
    """

    key: str
    size: int
    sha256: str
    content_type: str
    version_id: str | None = None
    retain_until: datetime | None = None
    last_modified: datetime | None = None
    metadata: dict[str, str] = field(default_factory=dict)

    def is_retained(self, now: datetime | None = None) -> bool:
        """Whether the object is under retention at ``now``.

        :param now: the reference time (aware), defaults to the current UTC time.
        """
        return self.retain_until is not None and self.retain_until > (now or utcnow())


@dataclass(frozen=True)
class ObjectVersion:
    """One stored version of a key, as a version listing reports it (no user metadata).

    :param key: the object key.
    :param version_id: backend version id (``None`` on the local backend and in an
        unversioned bucket).
    :param is_latest: whether it is the current version of its key.
    :param is_delete_marker: whether it is an S3 delete marker (no bytes).
    :param size: length in bytes (0 for a delete marker).
    :param last_modified: write time (UTC) when known.
    """

    key: str
    version_id: str | None
    is_latest: bool
    is_delete_marker: bool = False
    size: int = 0
    last_modified: datetime | None = None


def utcnow() -> datetime:
    """The current time as an aware UTC datetime."""
    return datetime.now(UTC)


def sha256_hex(data: bytes) -> str:
    """Hex SHA-256 of ``data``.

    :param data: the bytes to hash.
    """
    return hashlib.sha256(data).hexdigest()


def validate_key(key: str) -> str:
    """Check that ``key`` is a safe object key and return it unchanged.

    :param key: the candidate key.
    :raises ValueError: naming the key, when it is empty, too long, starts with ``/``,
        contains an empty, ``.`` or ``..`` segment or a control character.
    """
    if not isinstance(key, str):
        raise ValueError(f"invalid archive key {key!r}: must be a string")
    problem = ""
    if not key:
        problem = "empty"
    elif len(key) > MAX_KEY_LENGTH:
        problem = f"longer than {MAX_KEY_LENGTH} characters"
    elif key.startswith("/"):
        problem = "leading '/'"
    elif any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in key):
        problem = "control character"
    else:
        for segment in key.split("/"):
            if segment == "":
                problem = "empty path segment"
            elif segment in (".", ".."):
                problem = f"'{segment}' path segment"
            if problem:
                break
    if problem:
        raise ValueError(f"invalid archive key {key!r}: {problem}")
    return key


def validate_metadata(metadata: Mapping[str, str] | None) -> dict[str, str]:
    """Check user metadata and return a plain copy.

    :param metadata: mapping of lowercase ASCII keys to string values, or ``None``.
    :raises ValueError: on a malformed or reserved key or a non-string value.
    """
    result: dict[str, str] = {}
    for name, value in (metadata or {}).items():
        if not isinstance(name, str) or not _META_KEY_RE.fullmatch(name):
            raise ValueError(
                f"invalid metadata key {name!r}: use lowercase ASCII letters, digits, '-'"
            )
        if name in _RESERVED_META:
            raise ValueError(f"metadata key {name!r} is reserved by the archive")
        if not isinstance(value, str):
            raise ValueError(f"metadata value for {name!r} must be a string")
        result[name] = value
    return result


def normalize_retain_until(value: datetime) -> datetime:
    """Convert an aware datetime to UTC, rounded up to the next whole second.

    Rounding up (never down) keeps a retention period at least as long as asked, and
    whole seconds are what S3 stores.

    :param value: an aware datetime.
    :raises ValueError: if ``value`` is naive.
    """
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"retention datetime must be timezone-aware, got {value!r}")
    value = value.astimezone(UTC)
    if value.microsecond:
        value = value.replace(microsecond=0) + timedelta(seconds=1)
    return value


class ObjectStore(abc.ABC):
    """An object store for archive documents (the local and S3 backends implement it)."""

    @property
    def supports_retention(self) -> bool:
        """Whether ``put`` accepts ``retain_until`` (S3: only with object lock)."""
        return True

    @abc.abstractmethod
    def put(
        self,
        key: str,
        data: bytes,
        *,
        content_type: str,
        retain_until: datetime | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> StoredObject:
        """Store ``data`` under ``key`` with its SHA-256 and content type.

        :param key: the object key (see :func:`validate_key`).
        :param data: the object bytes.
        :param content_type: MIME type, e.g. ``application/pdf``.
        :param retain_until: aware datetime until which the object cannot be deleted
            (COMPLIANCE retention on S3); ``None`` for no retention (or the backend
            default).
        :param metadata: user metadata (see :func:`validate_metadata`).
        :raises ValueError: invalid key, metadata, or a naive/past ``retain_until``.
        :raises ObjectLocked: (local backend) ``key`` exists and is under retention.
        :raises ArchiveUnavailable: the backend cannot be reached.
        """

    @abc.abstractmethod
    def get(self, key: str, *, verify: bool = True) -> bytes:
        """Return the bytes stored under ``key``.

        :param key: the object key.
        :param verify: recompute the SHA-256 and compare it with the recorded one.
        :raises ObjectNotFound: nothing is stored under ``key``.
        :raises IntegrityError: ``verify`` is set and the bytes do not match.
        :raises ArchiveUnavailable: the backend cannot be reached.
        """

    def iter_bytes(self, key: str, chunk_size: int = CHUNK_SIZE) -> Iterator[bytes]:
        """The bytes stored under ``key`` in pieces, unchecked: for re-hashing large archives
        without holding an object in memory (the caller hashes and compares).

        This default reads the whole object; the backends stream it.

        :param key: the object key.
        :param chunk_size: the largest piece, in bytes.
        :raises ObjectNotFound: nothing is stored under ``key`` (raised at the first piece).
        :raises ArchiveUnavailable: the backend cannot be reached.
        """
        data = self.get(key, verify=False)
        for start in range(0, len(data), chunk_size):
            yield data[start : start + chunk_size]

    def list_versions(self, prefix: str = "") -> Iterator[ObjectVersion]:
        """Every stored version of the keys starting with ``prefix`` (sorted by key), older
        versions and delete markers included where the backend keeps them.

        This default (a backend without versions) reports each current object as its only,
        latest version.

        :param prefix: a plain string prefix.
        :raises ArchiveUnavailable: the backend cannot be reached.
        """
        for obj in self.list(prefix):
            yield ObjectVersion(obj.key, obj.version_id, True, False, obj.size, obj.last_modified)

    @abc.abstractmethod
    def stat(self, key: str) -> StoredObject:
        """Describe the object stored under ``key`` without reading its bytes.

        :param key: the object key.
        :raises ObjectNotFound: nothing is stored under ``key``.
        :raises ArchiveUnavailable: the backend cannot be reached.
        """

    def exists(self, key: str) -> bool:
        """Whether an object is stored under ``key``.

        :param key: the object key.
        :raises ArchiveUnavailable: the backend cannot be reached.
        """
        try:
            self.stat(key)
        except ObjectNotFound:
            return False
        return True

    @abc.abstractmethod
    def list(self, prefix: str = "") -> Iterator[StoredObject]:
        """Iterate over the objects whose key starts with ``prefix``, sorted by key.

        :param prefix: a plain string prefix (not necessarily a whole segment).
        :raises ArchiveUnavailable: the backend cannot be reached.
        """

    @abc.abstractmethod
    def delete(self, key: str) -> None:
        """Delete the object under ``key`` (on S3: every stored version of it).

        :param key: the object key.
        :raises ObjectNotFound: nothing is stored under ``key``.
        :raises ObjectLocked: the object (or, on S3, any version of it) is retained.
        :raises ArchiveUnavailable: the backend cannot be reached.
        """

    def retention(self, key: str) -> datetime | None:
        """End of the retention period of ``key``, ``None`` if it has none.

        :param key: the object key.
        :raises ObjectNotFound: nothing is stored under ``key``.
        :raises ArchiveUnavailable: the backend cannot be reached.
        """
        return self.stat(key).retain_until

    @abc.abstractmethod
    def extend_retention(self, key: str, until: datetime) -> datetime:
        """Extend the retention of ``key`` to ``until`` and return the new end.

        :param key: the object key.
        :param until: aware datetime, not earlier than the current retention.
        :raises ValueError: ``until`` is naive.
        :raises ArchiveError: ``until`` would shorten the retention or is in the past.
        :raises ObjectNotFound: nothing is stored under ``key``.
        :raises ArchiveUnavailable: the backend cannot be reached.
        """

    @abc.abstractmethod
    def presigned_url(self, key: str, expires: timedelta) -> str:
        """A URL that lets its holder download ``key`` until ``expires`` from now.

        :param key: the object key.
        :param expires: validity, positive (S3 allows at most 7 days).
        :raises ValueError: invalid key or validity.
        :raises ArchiveError: the backend cannot sign URLs (no secret configured).
        """

    @abc.abstractmethod
    def healthcheck(self) -> None:
        """Check that the backend is usable.

        :raises ArchiveUnavailable: it is not (unreachable, missing bucket or root).
        """


def check_new_retention(retain_until: datetime | None) -> datetime | None:
    """Normalize a retention date given to ``put`` and reject one in the past.

    :param retain_until: aware datetime or ``None``.
    :raises ValueError: naive or not in the future.
    """
    if retain_until is None:
        return None
    value = normalize_retain_until(retain_until)
    if value <= utcnow():
        raise ValueError(f"retain_until must be in the future, got {value.isoformat()}")
    return value


def check_expires(expires: timedelta) -> int:
    """Return the validity of a presigned URL in whole seconds (at least one).

    :param expires: the validity.
    :raises ValueError: not positive.
    """
    seconds = int(expires.total_seconds())
    if seconds < 1:
        raise ValueError(f"presigned URL validity must be at least one second, got {expires}")
    return seconds
