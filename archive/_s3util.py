"""Internal helpers of the S3 backend: HTTP client setup, error translation, header
encoding and decoding. Not public API."""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote, unquote

import certifi
import urllib3
from minio.error import InvalidResponseError, S3Error, ServerError

from archive.errors import ArchiveError, ArchiveUnavailable, ObjectLocked, ObjectNotFound
from archive.store import StoredObject, normalize_retain_until

META_PREFIX = "x-amz-meta-"
SHA_HEADER = META_PREFIX + "sha256"
RETAIN_HEADER = "x-amz-object-lock-retain-until-date"
_NOT_FOUND_CODES = frozenset({"NoSuchKey", "NoSuchVersion", "NoSuchObject"})
_LOCKED_CODES = frozenset({"AccessDenied", "ObjectLocked", "InvalidRequest"})


def http_client(timeout: float) -> urllib3.PoolManager:
    """A pool with short timeouts, so a dead endpoint fails within about a second and a
    half instead of minio's default minutes (5 min timeouts, 5 retries). Failed connects
    are not retried (the job layer retries the whole operation later); read errors on a
    reused connection and 5xx answers are retried once, except for uploads: a PUT whose
    answer was lost may have been stored, and sending it again would add a second version of
    the key under object lock (the filing job retries instead, and skips what is stored).

    :param timeout: read timeout in seconds; the connect timeout is at most 1.5 s.
    """
    return urllib3.PoolManager(
        timeout=urllib3.Timeout(connect=min(timeout, 1.5), read=timeout),
        maxsize=10,
        cert_reqs="CERT_REQUIRED",
        ca_certs=os.environ.get("SSL_CERT_FILE") or certifi.where(),
        retries=urllib3.Retry(
            total=1,
            connect=0,
            backoff_factor=0.2,
            status_forcelist=[500, 502, 503, 504],
            allowed_methods=frozenset({"GET", "HEAD", "DELETE", "OPTIONS"}),
            respect_retry_after_header=False,
            raise_on_status=False,
        ),
    )


@contextmanager
def translate_errors(
    endpoint: str, bucket: str, key: str | None = None, *, locked: bool = False
) -> Iterator[None]:
    """Turn minio/urllib3 failures into the archive error hierarchy.

    :param endpoint: for messages.
    :param bucket: for messages.
    :param key: the object concerned; enables ``ObjectNotFound``.
    :param locked: map AccessDenied to ``ObjectLocked`` (for deletes).
    :raises ObjectNotFound: NoSuchKey / NoSuchVersion.
    :raises ObjectLocked: AccessDenied when ``locked``.
    :raises ArchiveUnavailable: unreachable, 5xx, missing bucket.
    :raises ArchiveError: any other S3 error.
    """
    try:
        yield
    except S3Error as exc:
        status = exc.response.status if exc.response is not None else 0
        if key is not None and exc.code in _NOT_FOUND_CODES:
            raise ObjectNotFound(key) from exc
        if exc.code == "NoSuchBucket":
            raise ArchiveUnavailable(f"S3 bucket {bucket!r} does not exist") from exc
        if locked and key is not None and exc.code in _LOCKED_CODES:
            raise ObjectLocked(key, detail=f"S3 {exc.code}: {exc.message}") from exc
        if status >= 500:
            raise ArchiveUnavailable(f"S3 {exc.code} ({status}): {exc.message}") from exc
        raise ArchiveError(f"S3 {exc.code}: {exc.message}") from exc
    except ServerError as exc:
        raise ArchiveUnavailable(f"S3 server error: {exc}") from exc
    except InvalidResponseError as exc:
        raise ArchiveUnavailable(f"S3 invalid response: {exc}") from exc
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        raise ArchiveUnavailable(f"S3 endpoint {endpoint} unreachable: {exc}") from exc


def upload_headers(digest: bytes, metadata: Mapping[str, str]) -> dict[str, str]:
    """Checksum headers (accepted with object-lock retention by S3, MinIO and moto) and
    user metadata, values percent-encoded because S3 headers are ASCII only.

    :param digest: raw SHA-256 of the body.
    :param metadata: validated user metadata.
    """
    headers = {
        "x-amz-sdk-checksum-algorithm": "SHA256",
        "x-amz-checksum-sha256": base64.b64encode(digest).decode("ascii"),
        SHA_HEADER: digest.hex(),
    }
    for name, value in metadata.items():
        headers[META_PREFIX + name] = quote(value, safe="")
    return headers


def parse_http_date(value: str | None) -> datetime | None:
    """Parse an HTTP date header, ``None`` if absent or malformed.

    :param value: the header value.
    """
    if not value:
        return None
    try:
        return parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None


def stored_from_headers(key: str, headers: Mapping[str, str], **fields: Any) -> StoredObject:
    """Build a StoredObject from HEAD/GET response headers.

    :param key: the object key.
    :param headers: case-insensitive response headers.
    :param fields: ``size``, ``version_id``, ``last_modified``.
    """
    sha = ""
    user: dict[str, str] = {}
    for name, value in headers.items():
        lname = name.lower()
        if lname == SHA_HEADER:
            sha = value
        elif lname.startswith(META_PREFIX):
            user[lname[len(META_PREFIX) :]] = unquote(value)
    retain = headers.get(RETAIN_HEADER)
    return StoredObject(
        key=key,
        sha256=sha,
        metadata=user,
        retain_until=(
            normalize_retain_until(datetime.fromisoformat(retain.replace("Z", "+00:00")))
            if retain
            else None
        ),
        content_type=headers.get("content-type") or "application/octet-stream",
        **fields,
    )
