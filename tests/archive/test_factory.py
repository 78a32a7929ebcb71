"""open_store: building either backend from app settings."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from archive import (
    ArchiveUnavailable,
    LocalObjectStore,
    S3ObjectStore,
    open_store,
    parse_endpoint,
    verify_presigned,
)
from tests.plugins.s3 import S3Server
from tests.ports import free_port


def test_local_from_settings(tmp_path: Path) -> None:
    store = open_store(
        {
            "ARCHIVE_BACKEND": "local",
            "ARCHIVE_ROOT": str(tmp_path / "archive"),
            "SECRET_KEY": "dev-secret",
            "BASE_URL": "http://localhost:5000",
        }
    )
    assert isinstance(store, LocalObjectStore)
    assert store.root == tmp_path / "archive"
    store.put("a/合同.pdf", b"pdf", content_type="application/pdf")
    url = store.presigned_url("a/合同.pdf", timedelta(minutes=1))
    parts = urlsplit(url)
    assert url.startswith("http://localhost:5000/archive/")
    query = parse_qs(parts.query)
    key = unquote(parts.path.removeprefix("/archive/"))
    assert verify_presigned(b"dev-secret", key, query["expires"][0], query["sig"][0])
    assert store.get(key) == b"pdf"


def test_local_is_the_default_backend(tmp_path: Path) -> None:
    assert isinstance(open_store({"ARCHIVE_ROOT": str(tmp_path)}), LocalObjectStore)


@pytest.mark.parametrize("scheme", ["", "http://"])
def test_s3_from_settings(s3_server: S3Server, s3_bucket: str, scheme: str) -> None:
    store = open_store(
        {
            "ARCHIVE_BACKEND": "s3",
            "S3_ENDPOINT": scheme + s3_server.endpoint,
            "S3_ACCESS_KEY": s3_server.access_key,
            "S3_SECRET_KEY": s3_server.secret_key,
            "S3_BUCKET": s3_bucket,
            "S3_REGION": "us-east-1",
            "S3_OBJECT_LOCK": True,
        }
    )
    assert isinstance(store, S3ObjectStore)
    assert (store.endpoint, store.secure, store.bucket) == (s3_server.endpoint, False, s3_bucket)
    with pytest.raises(ArchiveUnavailable):
        store.healthcheck()  # the bucket is not created by open_store
    store.ensure_bucket()
    store.put("a/合同.pdf", b"pdf", content_type="application/pdf")
    assert store.get("a/合同.pdf") == b"pdf"


def test_s3_settings_without_network() -> None:
    store = open_store(
        {
            "ARCHIVE_BACKEND": "S3",
            "S3_ENDPOINT": "https://minio.example.cn:9000/",
            "S3_ACCESS_KEY": "k",
            "S3_SECRET_KEY": "s",
            "S3_BUCKET": "laborsign-archive",
            "S3_OBJECT_LOCK": "false",
        }
    )
    assert isinstance(store, S3ObjectStore)
    assert (store.endpoint, store.secure, store.object_lock, store.region) == (
        "minio.example.cn:9000",
        True,
        False,
        "us-east-1",
    )


def test_s3_closed_port_from_settings() -> None:
    store = open_store(
        {
            "ARCHIVE_BACKEND": "s3",
            "S3_ENDPOINT": f"http://127.0.0.1:{free_port()}",
            "S3_ACCESS_KEY": "k",
            "S3_SECRET_KEY": "s",
            "S3_BUCKET": "laborsign-archive",
        }
    )
    with pytest.raises(ArchiveUnavailable):
        store.healthcheck()


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"ARCHIVE_BACKEND": "ftp"}, "unknown ARCHIVE_BACKEND"),
        ({"ARCHIVE_BACKEND": "local"}, "ARCHIVE_ROOT"),
        ({"ARCHIVE_BACKEND": "s3", "S3_ACCESS_KEY": "k"}, "S3_ENDPOINT"),
        (
            {"ARCHIVE_BACKEND": "s3", "S3_ENDPOINT": "ftp://h:1", "S3_ACCESS_KEY": "k"},
            "http or https",
        ),
        (
            {
                "ARCHIVE_BACKEND": "s3",
                "S3_ENDPOINT": "h:1",
                "S3_ACCESS_KEY": "k",
                "S3_SECRET_KEY": "s",
                "S3_BUCKET": "b-b-b",
                "S3_OBJECT_LOCK": "maybe",
            },
            "S3_OBJECT_LOCK",
        ),
    ],
)
def test_bad_settings(settings: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        open_store(settings)


def test_parse_endpoint() -> None:
    assert parse_endpoint("127.0.0.1:9000") == ("127.0.0.1:9000", None)
    assert parse_endpoint("http://127.0.0.1:9000") == ("127.0.0.1:9000", False)
    assert parse_endpoint("https://minio:9000/") == ("minio:9000", True)
    with pytest.raises(ValueError, match="host"):
        parse_endpoint("http://minio:9000/bucket")
