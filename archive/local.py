"""Local-filesystem :class:`~archive.store.ObjectStore` (the embedded default).

Layout under ``root``::

    .lock                      advisory lock taken by every mutation (fcntl.flock)
    objects/<seg>.d/<name>.o   object bytes for key "<seg>/<name>"
    objects/<seg>.d/<name>.meta  JSON sidecar: sha256, size, content_type, retain_until,
                               last_modified, metadata

Directory segments end in ``.d`` and object files in ``.o`` so that keys ``a`` and
``a/b`` can coexist (as on S3) and no key can name a path outside ``objects/``. Writes
go to a temporary file that is fsynced and then ``os.replace``-d into place. Retention
is enforced in software: a retained object cannot be overwritten or deleted through
this class (the file system itself does not protect it). Files are created mode 0600 and
folders mode 0700 whatever the umask, so only the service account can read the archive.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import os
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

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
    StoredObject,
    check_expires,
    check_new_retention,
    normalize_retain_until,
    sha256_hex,
    utcnow,
    validate_key,
    validate_metadata,
)

__all__ = ["LocalObjectStore", "sign_presigned", "verify_presigned"]

_DIR_SUFFIX = ".d"
_OBJ_SUFFIX = ".o"
_META_SUFFIX = ".meta"
_MAX_SEGMENT_BYTES = 240  # file names are limited to 255 bytes, minus our suffixes
FILE_MODE = 0o600
DIR_MODE = 0o700


def _private_dirs(folder: Path) -> None:
    """Create ``folder`` and any missing parents with mode 0700 (umask-proof)."""
    missing: list[Path] = []
    while not folder.is_dir():
        missing.append(folder)
        folder = folder.parent
    for path in reversed(missing):
        try:
            os.mkdir(path, DIR_MODE)
        except FileExistsError:
            if not path.is_dir():
                raise
            continue  # created meanwhile by another writer
        os.chmod(path, DIR_MODE)


def _tighten(folder: Path) -> None:
    """Bring an existing folder of ours to mode 0700 (archives created before modes)."""
    info = folder.stat()
    if info.st_uid == os.geteuid() and info.st_mode & 0o777 != DIR_MODE:
        os.chmod(folder, DIR_MODE)


def sign_presigned(secret: bytes, key: str, expires: int) -> str:
    """HMAC-SHA256 (hex) that authorizes downloading ``key`` until ``expires``.

    :param secret: the signing secret.
    :param key: the object key.
    :param expires: expiry as a Unix timestamp (seconds).
    """
    message = f"{key}\n{int(expires)}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def verify_presigned(
    secret: bytes, key: str, expires: int | str, sig: str, now: datetime | None = None
) -> bool:
    """Check a URL made by :meth:`LocalObjectStore.presigned_url`.

    :param secret: the secret the store was configured with.
    :param key: the object key, URL-decoded.
    :param expires: the ``expires`` query value (Unix timestamp).
    :param sig: the ``sig`` query value.
    :param now: the reference time (aware), defaults to the current UTC time.
    :return: ``True`` only if the signature matches and the URL has not expired.
    """
    try:
        expires_at = int(expires)
    except (TypeError, ValueError):
        return False
    if (now or utcnow()).timestamp() > expires_at:
        return False
    expected = sign_presigned(secret, key, expires_at)
    return hmac.compare_digest(expected, str(sig))


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _parse_iso(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


class LocalObjectStore(ObjectStore):
    """Objects as files under ``root`` with JSON sidecars.

    :param root: the archive directory (created if missing).
    :param url_signer_secret: secret for :meth:`presigned_url`; without it presigning
        raises :class:`ArchiveError`.
    :param base_url: prefix of presigned URLs, e.g. ``https://laborsign.example``.
    """

    def __init__(
        self,
        root: Path | str,
        *,
        url_signer_secret: bytes | None = None,
        base_url: str = "",
    ) -> None:
        self.root = Path(root)
        self._objects = self.root / "objects"
        _private_dirs(self._objects)
        _tighten(self.root)
        _tighten(self._objects)
        self._secret = url_signer_secret
        self.base_url = base_url.rstrip("/")

    def __repr__(self) -> str:
        return f"LocalObjectStore({str(self.root)!r})"

    # -- paths and low-level I/O -------------------------------------------------

    def _paths(self, key: str) -> tuple[Path, Path]:
        *dirs, name = key.split("/")
        if any(len(seg.encode("utf-8")) > _MAX_SEGMENT_BYTES for seg in key.split("/")):
            raise ValueError(
                f"invalid archive key {key!r}: segment too long for the local backend "
                f"(max {_MAX_SEGMENT_BYTES} UTF-8 bytes)"
            )
        folder = self._objects.joinpath(*(d + _DIR_SUFFIX for d in dirs))
        return folder / (name + _OBJ_SUFFIX), folder / (name + _META_SUFFIX)

    @contextmanager
    def _lock(self) -> Iterator[None]:
        try:
            fd = os.open(self.root / ".lock", os.O_RDWR | os.O_CREAT, FILE_MODE)
        except OSError as exc:  # a read-only or full disk, a missing folder
            raise ArchiveUnavailable(f"archive lock unavailable: {exc.strerror}") from exc
        with os.fdopen(fd, "a+b") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    @staticmethod
    def _write_atomic(path: Path, data: bytes) -> None:
        _private_dirs(path.parent)
        tmp = path.parent / f".tmp-{uuid.uuid4().hex}.tmp"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
            os.fchmod(fd, FILE_MODE)  # exactly 0600 whatever the umask
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)

    def _read_meta(self, key: str) -> tuple[dict[str, Any], int]:
        """The sidecar of ``key`` and the current size of its data file."""
        data_path, meta_path = self._paths(key)
        try:
            meta: dict[str, Any] = json.loads(meta_path.read_text("utf-8"))
            size = data_path.stat().st_size
            meta["sha256"], meta["content_type"]  # noqa: B018 - both are required
        except (FileNotFoundError, NotADirectoryError):
            raise ObjectNotFound(key) from None
        except (ValueError, KeyError, TypeError) as exc:
            raise ArchiveError(f"corrupt metadata sidecar for {key!r}: {exc}") from exc
        return meta, size

    @staticmethod
    def _to_stored(key: str, meta: Mapping[str, Any], size: int) -> StoredObject:
        return StoredObject(
            key=key,
            size=size,
            sha256=str(meta["sha256"]),
            content_type=str(meta["content_type"]),
            version_id=None,
            retain_until=_parse_iso(meta.get("retain_until")),
            last_modified=_parse_iso(meta.get("last_modified")),
            metadata=dict(meta.get("metadata") or {}),
        )

    def _prune_dirs(self, folder: Path) -> None:
        while folder != self._objects and folder.is_relative_to(self._objects):
            try:
                folder.rmdir()
            except OSError:
                return
            folder = folder.parent

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
        """Store ``data``; see :meth:`ObjectStore.put`.

        :raises ObjectLocked: ``key`` exists and is under retention (never overwritten).
        :raises ValueError: invalid arguments, or a key segment too long for a file name.
        """
        validate_key(key)
        user_meta = validate_metadata(metadata)
        retain = check_new_retention(retain_until)
        data = bytes(data)
        meta = {
            "key": key,
            "sha256": sha256_hex(data),
            "size": len(data),
            "content_type": content_type or "application/octet-stream",
            "retain_until": _iso(retain),
            "last_modified": _iso(utcnow().replace(microsecond=0)),
            "metadata": user_meta,
        }
        data_path, meta_path = self._paths(key)
        with self._lock():
            try:
                current = self._to_stored(key, *self._read_meta(key))
            except ObjectNotFound:
                current = None
            if current is not None and current.is_retained():
                raise ObjectLocked(key, current.retain_until, "overwrite refused")
            try:
                self._write_atomic(data_path, data)
                self._write_atomic(meta_path, json.dumps(meta, ensure_ascii=False).encode())
            except OSError as exc:
                if isinstance(exc, NotADirectoryError | FileExistsError):
                    raise ArchiveError(f"cannot store {key!r}: {exc}") from exc
                raise ArchiveUnavailable(f"cannot write {key!r}: {exc}") from exc
        return self._to_stored(key, meta, len(data))

    def get(self, key: str, *, verify: bool = True) -> bytes:
        """Read the bytes of ``key``; see :meth:`ObjectStore.get`."""
        validate_key(key)
        meta, _size = self._read_meta(key)
        data_path, _ = self._paths(key)
        try:
            data = data_path.read_bytes()
        except FileNotFoundError:
            raise ObjectNotFound(key) from None
        if verify:
            actual = sha256_hex(data)
            expected = str(meta.get("sha256") or "")
            if not expected or not hmac.compare_digest(actual, expected):
                raise IntegrityError(key, expected, actual)
        return data

    def iter_bytes(self, key: str, chunk_size: int = CHUNK_SIZE) -> Iterator[bytes]:
        """Read the file of ``key`` in pieces; see :meth:`ObjectStore.iter_bytes`.

        :raises ObjectNotFound: no such object (its sidecar or its file is missing).
        """
        validate_key(key)
        self._read_meta(key)  # an object without its sidecar does not exist
        data_path, _ = self._paths(key)
        try:
            handle = data_path.open("rb")
        except FileNotFoundError:
            raise ObjectNotFound(key) from None
        with handle:
            while piece := handle.read(chunk_size):
                yield piece

    def stat(self, key: str) -> StoredObject:
        """Describe ``key``; see :meth:`ObjectStore.stat`."""
        validate_key(key)
        return self._to_stored(key, *self._read_meta(key))

    def list(self, prefix: str = "") -> Iterator[StoredObject]:
        """Iterate over objects under ``prefix`` sorted by key; see :meth:`ObjectStore.list`."""
        dirs = prefix.split("/")[:-1]
        base = self._objects.joinpath(*(d + _DIR_SUFFIX for d in dirs))
        keys: list[str] = []
        for folder, _subdirs, files in os.walk(base):
            rel = Path(folder).relative_to(self._objects).parts
            parts = [p[: -len(_DIR_SUFFIX)] for p in rel]
            for name in files:
                if name.endswith(_OBJ_SUFFIX):
                    key = "/".join([*parts, name[: -len(_OBJ_SUFFIX)]])
                    if key.startswith(prefix):
                        keys.append(key)
        for key in sorted(keys):
            try:
                yield self.stat(key)
            except ObjectNotFound:  # deleted meanwhile, or a write never completed
                continue

    def delete(self, key: str) -> None:
        """Delete ``key``; see :meth:`ObjectStore.delete`."""
        validate_key(key)
        data_path, meta_path = self._paths(key)
        with self._lock():
            current = self.stat(key)
            if current.is_retained():
                raise ObjectLocked(key, current.retain_until, "delete refused")
            meta_path.unlink(missing_ok=True)
            data_path.unlink(missing_ok=True)
            self._prune_dirs(data_path.parent)

    def extend_retention(self, key: str, until: datetime) -> datetime:
        """Extend the retention of ``key``; see :meth:`ObjectStore.extend_retention`."""
        validate_key(key)
        new = normalize_retain_until(until)
        if new <= utcnow():
            raise ArchiveError(f"retention of {key!r} cannot be set in the past ({new})")
        _, meta_path = self._paths(key)
        with self._lock():
            meta, _size = self._read_meta(key)
            current = _parse_iso(meta.get("retain_until"))
            if current is not None and new < current:
                raise ArchiveError(
                    f"retention of {key!r} can only be extended: {new} is before {current}"
                )
            meta["retain_until"] = _iso(new)
            self._write_atomic(meta_path, json.dumps(meta, ensure_ascii=False).encode())
        return new

    def presigned_url(self, key: str, expires: timedelta) -> str:
        """``{base_url}/archive/{key}?expires=..&sig=..``, checked by :func:`verify_presigned`.

        :raises ArchiveError: no ``url_signer_secret`` was configured.
        """
        validate_key(key)
        seconds = check_expires(expires)
        if not self._secret:
            raise ArchiveError("local archive has no url_signer_secret; cannot presign URLs")
        expires_at = int(utcnow().timestamp()) + seconds
        sig = sign_presigned(self._secret, key, expires_at)
        return f"{self.base_url}/archive/{quote(key, safe='/')}?expires={expires_at}&sig={sig}"

    def healthcheck(self) -> None:
        """Check that the archive directory exists and is writable.

        :raises ArchiveUnavailable: it is missing or read-only.
        """
        if not self._objects.is_dir():
            raise ArchiveUnavailable(f"archive directory missing: {self._objects}")
        if not os.access(self._objects, os.W_OK | os.X_OK):
            raise ArchiveUnavailable(f"archive directory not writable: {self._objects}")
