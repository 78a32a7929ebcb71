"""Protection at rest: local archive files are mode 0600 in 0700 folders (whatever the umask);
the S3 backend asks for server-side encryption when ``S3_SSE`` is set."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from minio.sse import SseKMS, SseS3

from archive import LocalObjectStore, open_store
from archive.factory import server_side_encryption
from tests.archive.conftest import raw_minio
from tests.plugins.s3 import S3Server

KEY = "contracts/91430121MA4L8X2Q7X/HT2026/v2-sealed-0123456789ab.pdf"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    """The most permissive umask: modes must not depend on it."""
    old = os.umask(0)
    yield
    os.umask(old)


def test_local_files_are_0600_in_0700_folders(tmp_path: Path, open_umask: None) -> None:
    root = tmp_path / "new" / "archive"
    store = LocalObjectStore(root)
    store.put(KEY, b"%PDF-sealed", content_type="application/pdf",
              retain_until=datetime.now(UTC) + timedelta(days=1))
    store.put("top.json", b"{}", content_type="application/json")
    store.extend_retention(KEY, datetime.now(UTC) + timedelta(days=2))  # rewrites the sidecar
    files = [p for p in root.rglob("*") if p.is_file()]
    folders = [root, *(p for p in root.rglob("*") if p.is_dir())]
    names = {p.name for p in files}
    assert {"v2-sealed-0123456789ab.pdf.o", "v2-sealed-0123456789ab.pdf.meta", "top.json.o",
            "top.json.meta", ".lock"} <= names
    assert {p.name: oct(_mode(p)) for p in files} == {p.name: "0o600" for p in files}
    assert len(folders) == 5  # root, objects, contracts.d, <uscc>.d, <contract>.d
    assert {str(p): oct(_mode(p)) for p in folders} == {str(p): "0o700" for p in folders}
    assert _mode(tmp_path / "new") == 0o700  # a missing parent is created private too
    assert not [p for p in files if p.name.endswith(".tmp")]  # no temporary file left


def test_an_existing_open_archive_root_is_tightened(tmp_path: Path) -> None:
    root = tmp_path / "archive"
    (root / "objects").mkdir(parents=True)
    os.chmod(root, 0o755)
    os.chmod(root / "objects", 0o777)
    LocalObjectStore(root).put("a/b.pdf", b"x", content_type="application/pdf")
    assert _mode(root) == _mode(root / "objects") == _mode(root / "objects" / "a.d") == 0o700


def test_sse_settings() -> None:
    assert server_side_encryption({}) is None
    assert server_side_encryption({"S3_SSE": ""}) is None
    assert isinstance(server_side_encryption({"S3_SSE": "AES256"}), SseS3)
    kms = server_side_encryption({"S3_SSE": "aws:kms", "S3_SSE_KMS_KEY_ID": "laborsign-key"})
    assert isinstance(kms, SseKMS)
    assert kms.headers()["X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id"] == "laborsign-key"
    with pytest.raises(ValueError, match="S3_SSE_KMS_KEY_ID"):
        server_side_encryption({"S3_SSE": "aws:kms"})
    with pytest.raises(ValueError, match="S3_SSE"):
        server_side_encryption({"S3_SSE": "rot13"})


def _settings(server: S3Server, bucket: str, **extra: str) -> dict[str, object]:
    return {"ARCHIVE_BACKEND": "s3", "S3_ENDPOINT": server.url, "S3_ACCESS_KEY": server.access_key,
            "S3_SECRET_KEY": server.secret_key, "S3_BUCKET": bucket, **extra}


@pytest.mark.parametrize(("extra", "expected"), [
    ({"S3_SSE": "AES256"}, {"x-amz-server-side-encryption": "AES256"}),
    ({"S3_SSE": "aws:kms", "S3_SSE_KMS_KEY_ID": "laborsign-key"},
     {"x-amz-server-side-encryption": "aws:kms",
      "x-amz-server-side-encryption-aws-kms-key-id": "laborsign-key"}),
])
def test_s3_uploads_are_encrypted_at_rest_when_configured(
    s3_server: S3Server, s3_bucket: str, extra: dict[str, str], expected: dict[str, str]
) -> None:
    store = open_store(_settings(s3_server, s3_bucket, **extra))
    store.ensure_bucket()
    store.put(KEY, b"%PDF-sealed", content_type="application/pdf",
              retain_until=datetime.now(UTC) + timedelta(days=1))
    head = raw_minio(s3_server).stat_object(s3_bucket, KEY).metadata  # as the server reports it
    assert {k: head.get(k) for k in expected} == expected
    assert store.get(KEY) == b"%PDF-sealed"


def test_s3_without_sse_asks_for_none(s3_server: S3Server, s3_bucket: str) -> None:
    store = open_store(_settings(s3_server, s3_bucket))
    store.ensure_bucket()
    store.put(KEY, b"%PDF", content_type="application/pdf")
    head = raw_minio(s3_server).stat_object(s3_bucket, KEY).metadata
    assert "x-amz-server-side-encryption" not in head
