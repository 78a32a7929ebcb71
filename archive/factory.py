"""Build the configured :class:`~archive.store.ObjectStore` from a settings mapping
(a Flask ``app.config`` or ``os.environ``-like dict). Opening a store makes no network
call; call :meth:`~archive.s3.S3ObjectStore.ensure_bucket` or
:meth:`~archive.store.ObjectStore.healthcheck` when you want one.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from minio.sse import Sse, SseKMS, SseS3

from archive.local import LocalObjectStore
from archive.s3 import S3ObjectStore
from archive.store import ObjectStore

__all__ = ["open_store", "parse_endpoint", "server_side_encryption"]

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off", ""})


def _flag(settings: Mapping[str, Any], name: str, default: bool) -> bool:
    value = settings.get(name)
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"setting {name} must be a boolean, got {value!r}")


def _required(settings: Mapping[str, Any], name: str) -> str:
    value = settings.get(name)
    if value is None or str(value) == "":
        raise ValueError(f"setting {name} is required for this archive backend")
    return str(value)


def parse_endpoint(endpoint: str) -> tuple[str, bool | None]:
    """Split an S3 endpoint into ``host:port`` and whether it uses TLS.

    :param endpoint: ``"127.0.0.1:9000"``, ``"http://127.0.0.1:9000"`` or ``"https://…"``.
    :return: ``(host_port, secure)``; ``secure`` is ``None`` when there is no scheme.
    :raises ValueError: unknown scheme, or a path after the host.
    """
    text = endpoint.strip()
    if "://" not in text:
        return text.rstrip("/"), None
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https"):
        raise ValueError(f"S3_ENDPOINT scheme must be http or https: {endpoint!r}")
    if parts.path not in ("", "/") or parts.query or not parts.netloc:
        raise ValueError(f"S3_ENDPOINT must be scheme://host[:port] only: {endpoint!r}")
    return parts.netloc, parts.scheme == "https"


def server_side_encryption(settings: Mapping[str, Any]) -> Sse | None:
    """The S3 server-side encryption asked for by ``S3_SSE``.

    ``""`` (default): none; ``AES256``: SSE-S3 (keys managed by the server); ``aws:kms``:
    SSE-KMS with the key ``S3_SSE_KMS_KEY_ID`` (required).

    :raises ValueError: another value, or ``aws:kms`` without a key id.
    """
    mode = str(settings.get("S3_SSE") or "").strip()
    if not mode:
        return None
    if mode.upper() == "AES256":
        return SseS3()
    if mode.lower() == "aws:kms":
        return SseKMS(_required(settings, "S3_SSE_KMS_KEY_ID"), {})
    raise ValueError(f"setting S3_SSE must be '', 'AES256' or 'aws:kms', got {mode!r}")


def open_store(settings: Mapping[str, Any]) -> ObjectStore:
    """Create the archive store described by ``settings``.

    Keys: ``ARCHIVE_BACKEND`` (``"local"``, the default, or ``"s3"``); for local
    ``ARCHIVE_ROOT``, ``SECRET_KEY`` (signs presigned URLs), ``BASE_URL``; for s3
    ``S3_ENDPOINT`` (with or without ``http(s)://``; the scheme sets TLS, else
    ``S3_SECURE``), ``S3_ACCESS_KEY``, ``S3_SECRET_KEY``, ``S3_BUCKET``, ``S3_REGION``
    (default ``us-east-1``), ``S3_OBJECT_LOCK`` (default true), ``S3_SSE`` and
    ``S3_SSE_KMS_KEY_ID`` (see :func:`server_side_encryption`).

    :param settings: the configuration mapping.
    :raises ValueError: unknown backend, or a required setting missing or malformed.
    """
    backend = str(settings.get("ARCHIVE_BACKEND") or "local").strip().lower()
    if backend == "local":
        secret = settings.get("SECRET_KEY")
        if isinstance(secret, str):
            secret = secret.encode("utf-8")
        return LocalObjectStore(
            Path(_required(settings, "ARCHIVE_ROOT")),
            url_signer_secret=secret or None,
            base_url=str(settings.get("BASE_URL") or ""),
        )
    if backend == "s3":
        host, secure = parse_endpoint(_required(settings, "S3_ENDPOINT"))
        if secure is None:
            secure = _flag(settings, "S3_SECURE", False)
        return S3ObjectStore(
            host,
            _required(settings, "S3_ACCESS_KEY"),
            _required(settings, "S3_SECRET_KEY"),
            _required(settings, "S3_BUCKET"),
            secure=secure,
            region=str(settings.get("S3_REGION") or "us-east-1"),
            object_lock=_flag(settings, "S3_OBJECT_LOCK", True),
            sse=server_side_encryption(settings),
        )
    raise ValueError(f"unknown ARCHIVE_BACKEND {backend!r}: expected 'local' or 's3'")
