"""S3 / MinIO :class:`~archive.store.ObjectStore` built on the ``minio`` SDK.

* The bucket is created with object lock (which brings versioning); retention is set per
  object in COMPLIANCE mode (``retain_until`` or ``default_retention_days``).
* Every upload carries ``x-amz-sdk-checksum-algorithm: SHA256`` and
  ``x-amz-checksum-sha256`` (base64 digest): S3, MinIO and moto_server refuse uploads with
  retention that carry neither Content-MD5 nor a checksum, and a checking server verifies
  the bytes in transit. The hex digest is also stored as ``x-amz-meta-sha256`` and checked
  again on every :meth:`S3ObjectStore.get`.
* Server-side encryption: with ``sse`` (``minio.sse.SseS3()`` or ``SseKMS(key_id, {})``)
  every upload asks the server to encrypt the object at rest.
* User metadata values are percent-encoded (S3 headers are ASCII only) and decoded back.
* Writing a key under retention creates a new current version; the locked old version
  stays on the server until its retention ends, and :meth:`S3ObjectStore.delete` (which
  removes every version of a key) refuses with ``ObjectLocked`` while any is retained.
* Retention is read from the HEAD response headers (``x-amz-object-lock-*``), not from
  GetObjectRetention (moto_server answers that with the object body).
* The HTTP client uses short timeouts and no connect retry, so an unreachable endpoint
  fails with :class:`~archive.errors.ArchiveUnavailable` within about 1.5 s.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta

from minio import Minio
from minio.commonconfig import COMPLIANCE
from minio.error import S3Error
from minio.helpers import MIN_PART_SIZE
from minio.retention import Retention
from minio.sse import Sse

from archive._s3util import (
    SHA_HEADER,
    http_client,
    parse_http_date,
    stored_from_headers,
    translate_errors,
    upload_headers,
)
from archive.errors import (
    ArchiveError,
    ArchiveUnavailable,
    IntegrityError,
    ObjectLocked,
    ObjectNotFound,
)
from archive.store import (
    CHUNK_SIZE,
    ObjectStore,
    ObjectVersion,
    StoredObject,
    check_expires,
    check_new_retention,
    normalize_retain_until,
    utcnow,
    validate_key,
    validate_metadata,
)

__all__ = ["BucketSettings", "S3ObjectStore"]


@dataclass(frozen=True)
class BucketSettings:
    """What :meth:`S3ObjectStore.describe_bucket` found on the server.

    :param bucket: the bucket name.
    :param versioning: ``"Enabled"``, ``"Suspended"`` or ``"Off"``.
    :param object_lock: whether object lock is enabled on the bucket.
    :param default_mode: the bucket's default retention mode (``"COMPLIANCE"`` …), if any.
    :param default_retention: the default retention period (``"3 years"``), if any.
    """

    bucket: str
    versioning: str
    object_lock: bool
    default_mode: str | None = None
    default_retention: str | None = None


class S3ObjectStore(ObjectStore):
    """Archive objects in one S3 bucket (MinIO in production, moto_server in tests).

    :param endpoint: ``host:port`` of the S3 service (no scheme).
    :param access_key: access key.
    :param secret_key: secret key.
    :param bucket: bucket name.
    :param secure: use HTTPS.
    :param region: bucket region (given, so the client never asks the server for it).
    :param object_lock: the bucket has (or is created with) object lock; required for
        retention.
    :param default_retention_days: retention applied by :meth:`put` when no
        ``retain_until`` is given.
    :param timeout: read timeout in seconds (connect timeout is at most 1.5 s).
    :param sse: server-side encryption requested on every upload, or ``None``.
    """

    def __init__(
        self,
        endpoint: str,
        access_key: str,
        secret_key: str,
        bucket: str,
        *,
        secure: bool = False,
        region: str = "us-east-1",
        object_lock: bool = True,
        default_retention_days: int | None = None,
        timeout: float = 5.0,
        sse: Sse | None = None,
    ) -> None:
        self.endpoint = endpoint
        self.sse = sse
        self.bucket = bucket
        self.secure = secure
        self.region = region
        self.object_lock = object_lock
        self.default_retention_days = default_retention_days
        self._client = Minio(
            endpoint,
            access_key=access_key,
            secret_key=secret_key,
            secure=secure,
            region=region,
            http_client=http_client(timeout),
        )

    @property
    def supports_retention(self) -> bool:
        """Retention needs object lock on the bucket."""
        return self.object_lock

    def __repr__(self) -> str:
        scheme = "https" if self.secure else "http"
        return f"S3ObjectStore({scheme}://{self.endpoint}/{self.bucket})"

    # -- helpers -----------------------------------------------------------------

    def _errors(
        self, key: str | None = None, *, locked: bool = False
    ) -> AbstractContextManager[None]:
        return translate_errors(self.endpoint, self.bucket, key, locked=locked)

    def _stat_version(self, key: str, version_id: str | None = None) -> StoredObject:
        with self._errors(key):
            obj = self._client.stat_object(self.bucket, key, version_id=version_id)
        return stored_from_headers(
            key,
            obj.metadata or {},
            size=int(obj.size or 0),
            version_id=obj.version_id,
            last_modified=obj.last_modified,
        )

    # -- bucket ------------------------------------------------------------------

    def ensure_bucket(self) -> bool:
        """Create the bucket (with object lock if configured) unless it exists.

        :return: whether this call created it.
        :raises ArchiveError: the bucket exists without object lock but lock is required.
        :raises ArchiveUnavailable: the endpoint cannot be reached.
        """
        with self._errors():
            if not self._client.bucket_exists(self.bucket):
                try:
                    self._client.make_bucket(self.bucket, object_lock=self.object_lock)
                    return True
                except S3Error as exc:
                    if exc.code not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                        raise
            elif self.object_lock:
                try:
                    self._client.get_object_lock_config(self.bucket)
                except S3Error as exc:
                    if exc.code == "ObjectLockConfigurationNotFoundError":
                        raise ArchiveError(
                            f"S3 bucket {self.bucket!r} exists without object lock"
                        ) from exc
                    raise
        return False

    def describe_bucket(self) -> BucketSettings:
        """The bucket's versioning and object-lock configuration, as the server reports it.

        :raises ArchiveUnavailable: unreachable, or the bucket does not exist.
        :raises ArchiveError: another S3 error.
        """
        with self._errors():
            versioning = self._client.get_bucket_versioning(self.bucket).status or "Off"
            try:
                lock = self._client.get_object_lock_config(self.bucket)
            except S3Error as exc:
                if exc.code != "ObjectLockConfigurationNotFoundError":
                    raise
                return BucketSettings(self.bucket, versioning, False)
        duration = lock.duration  # (amount, "DAYS" | "YEARS") or None
        return BucketSettings(
            self.bucket,
            versioning,
            True,
            str(lock.mode) if lock.mode else None,
            f"{duration[0]} {str(duration[1]).lower()}" if duration else None,
        )

    # -- ObjectStore -------------------------------------------------------------

    def put(
        self,
        key: str,
        data: bytes,
        *,
        content_type: str,
        retain_until: datetime | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> StoredObject:
        """Upload ``data`` in one PUT; see :meth:`ObjectStore.put`.

        An existing key is not overwritten in place: a new version becomes current and
        retained old versions survive on the server.

        :raises ArchiveError: retention requested but ``object_lock`` is off.
        """
        validate_key(key)
        user_meta = validate_metadata(metadata)
        retain = check_new_retention(retain_until)
        if retain is None and self.default_retention_days:
            retain = normalize_retain_until(utcnow() + timedelta(days=self.default_retention_days))
        if retain is not None and not self.object_lock:
            raise ArchiveError(f"cannot retain {key!r}: object lock is off for this store")
        data = bytes(data)
        digest = hashlib.sha256(data).digest()
        headers = upload_headers(digest, user_meta)
        content_type = content_type or "application/octet-stream"
        with self._errors(key):
            result = self._client.put_object(
                self.bucket,
                key,
                io.BytesIO(data),
                len(data),
                content_type=content_type,
                metadata=headers,  # type: ignore[arg-type]
                retention=Retention(COMPLIANCE, retain) if retain is not None else None,
                part_size=max(len(data), MIN_PART_SIZE),  # always a single PUT
                sse=self.sse,
            )
        return StoredObject(
            key=key,
            size=len(data),
            sha256=digest.hex(),
            content_type=content_type,
            version_id=result.version_id,
            retain_until=retain,
            last_modified=parse_http_date(result.http_headers.get("last-modified")),
            metadata=user_meta,
        )

    def get(self, key: str, *, verify: bool = True) -> bytes:
        """Download ``key``; see :meth:`ObjectStore.get`."""
        validate_key(key)
        with self._errors(key):
            response = self._client.get_object(self.bucket, key)
            try:
                data = response.read()
                expected = response.headers.get(SHA_HEADER, "")
            finally:
                response.close()
                response.release_conn()
        if verify:
            actual = hashlib.sha256(data).hexdigest()
            if actual != expected:
                raise IntegrityError(key, expected, actual)
        return data

    def iter_bytes(self, key: str, chunk_size: int = CHUNK_SIZE) -> Iterator[bytes]:
        """Stream the current version of ``key``; see :meth:`ObjectStore.iter_bytes`."""
        validate_key(key)
        with self._errors(key):
            response = self._client.get_object(self.bucket, key)
        try:
            with self._errors(key):
                yield from response.stream(chunk_size)
        finally:
            response.close()
            response.release_conn()

    def list_versions(self, prefix: str = "") -> Iterator[ObjectVersion]:
        """One versioned listing (no HEAD per object); see :meth:`ObjectStore.list_versions`."""
        with self._errors():  # S3 lists versions by key, newest first
            for obj in self._client.list_objects(
                self.bucket, prefix=prefix or None, recursive=True, include_version=True
            ):
                if obj.is_dir:
                    continue
                yield ObjectVersion(
                    key=str(obj.object_name),
                    version_id=obj.version_id if obj.version_id not in (None, "null") else None,
                    is_latest=str(obj.is_latest).lower() == "true",
                    is_delete_marker=bool(obj.is_delete_marker),
                    size=int(obj.size or 0),
                    last_modified=obj.last_modified,
                )

    def stat(self, key: str) -> StoredObject:
        """HEAD ``key``; see :meth:`ObjectStore.stat`."""
        validate_key(key)
        return self._stat_version(key)

    def list(self, prefix: str = "") -> Iterator[StoredObject]:
        """List then HEAD each object (S3 listings carry no user metadata).

        See :meth:`ObjectStore.list`.
        """
        with self._errors():
            names = sorted(
                str(obj.object_name)
                for obj in self._client.list_objects(
                    self.bucket, prefix=prefix or None, recursive=True
                )
                if not obj.is_dir
            )
        for name in names:
            try:
                yield self._stat_version(name)
            except ObjectNotFound:  # deleted meanwhile
                continue

    def delete(self, key: str) -> None:
        """Delete every version of ``key``, oldest first, after checking none is retained.

        See :meth:`ObjectStore.delete`.
        """
        validate_key(key)
        with self._errors(key):
            versions = [
                obj
                for obj in self._client.list_objects(
                    self.bucket, prefix=key, recursive=True, include_version=True
                )
                if obj.object_name == key
            ]
        if not any(v.is_latest == "true" and not v.is_delete_marker for v in versions):
            raise ObjectNotFound(key)
        # "null" is the version id of objects in an unversioned bucket.
        ids = [v.version_id if v.version_id not in (None, "null") else None for v in versions]
        now = utcnow()
        for version, vid in zip(versions, ids, strict=True):
            if not version.is_delete_marker:
                info = self._stat_version(key, vid)
                if info.is_retained(now):
                    raise ObjectLocked(key, info.retain_until, f"version {info.version_id}")
        for vid in reversed(ids):  # oldest first: a failure leaves the current version
            with self._errors(key, locked=True):
                self._client.remove_object(self.bucket, key, version_id=vid)

    def extend_retention(self, key: str, until: datetime) -> datetime:
        """Set a later COMPLIANCE retention on the current version of ``key``.

        See :meth:`ObjectStore.extend_retention`.
        """
        validate_key(key)
        new = normalize_retain_until(until)
        if new <= utcnow():
            raise ArchiveError(f"retention of {key!r} cannot be set in the past ({new})")
        if not self.object_lock:
            raise ArchiveError(f"cannot retain {key!r}: object lock is off for this store")
        current = self.stat(key)
        if current.retain_until is not None and new < current.retain_until:
            raise ArchiveError(
                f"retention of {key!r} can only be extended: {new} is before {current.retain_until}"
            )
        with self._errors(key):
            self._client.set_object_retention(
                self.bucket, key, Retention(COMPLIANCE, new), version_id=current.version_id
            )
        return new

    def presigned_url(self, key: str, expires: timedelta) -> str:
        """A presigned GET URL (SigV4); see :meth:`ObjectStore.presigned_url`.

        :raises ValueError: ``expires`` outside 1 second .. 7 days.
        """
        validate_key(key)
        seconds = check_expires(expires)
        if seconds > 7 * 24 * 3600:
            raise ValueError(f"S3 presigned URLs last at most 7 days, got {expires}")
        with self._errors(key):
            return self._client.presigned_get_object(
                self.bucket, key, expires=timedelta(seconds=seconds)
            )

    def healthcheck(self) -> None:
        """Check that the endpoint answers and the bucket exists.

        :raises ArchiveUnavailable: unreachable, bad credentials or missing bucket.
        """
        try:
            with self._errors():
                found = self._client.bucket_exists(self.bucket)
        except ArchiveUnavailable:
            raise
        except ArchiveError as exc:
            raise ArchiveUnavailable(str(exc)) from exc
        if not found:
            raise ArchiveUnavailable(f"S3 bucket {self.bucket!r} does not exist")
