"""S3 backend specifics, against the live moto_server: server-side object lock, headers
sent on upload, bucket handling, and failing fast when the endpoint is down."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from minio.error import S3Error

from archive import ArchiveError, ArchiveUnavailable, S3ObjectStore
from tests.archive.conftest import make_s3_store, raw_minio
from tests.plugins.s3 import S3Server
from tests.ports import free_port

KEY = "合同/2024/张三.pdf"


def _closed_port_store() -> S3ObjectStore:
    return S3ObjectStore(f"127.0.0.1:{free_port()}", "testing", "testing", "closed-bucket")


def test_retention_is_enforced_by_the_server(s3_server: S3Server, s3_bucket: str) -> None:
    store = make_s3_store(s3_server, s3_bucket)
    until = datetime.now(UTC) + timedelta(days=1)
    stored = store.put(KEY, b"signed", content_type="application/pdf", retain_until=until)
    client = raw_minio(s3_server)
    head = client.stat_object(s3_bucket, KEY)
    assert head.metadata["x-amz-object-lock-mode"] == "COMPLIANCE"
    with pytest.raises(S3Error) as excinfo:  # bypassing the library's own check
        client.remove_object(s3_bucket, KEY, version_id=stored.version_id)
    assert excinfo.value.code == "AccessDenied"
    assert store.get(KEY) == b"signed"


def test_upload_records_hex_sha256_and_encodes_metadata(
    s3_server: S3Server, s3_bucket: str
) -> None:
    store = make_s3_store(s3_server, s3_bucket)
    stored = store.put(KEY, b"pdf", content_type="application/pdf", metadata={"worker": "张三 A/B"})
    head = raw_minio(s3_server).stat_object(s3_bucket, KEY)
    assert head.metadata["x-amz-meta-sha256"] == stored.sha256
    assert head.metadata["x-amz-meta-worker"].isascii()
    assert store.stat(KEY).metadata == {"worker": "张三 A/B"}


def test_default_retention_days(s3_server: S3Server, s3_bucket: str) -> None:
    store = make_s3_store(s3_server, s3_bucket, default_retention_days=3 * 365)
    stored = store.put("wages/2024-05.xlsx", b"sheet", content_type="application/octet-stream")
    assert stored.retain_until is not None
    expected = datetime.now(UTC) + timedelta(days=3 * 365)
    assert abs((stored.retain_until - expected).total_seconds()) < 5
    assert store.retention("wages/2024-05.xlsx") == stored.retain_until


def test_store_without_object_lock(s3_server: S3Server, s3_bucket: str) -> None:
    store = make_s3_store(s3_server, s3_bucket, object_lock=False)
    store.put(KEY, b"x", content_type="text/plain")
    assert store.get(KEY) == b"x"
    with pytest.raises(ArchiveError, match="object lock is off"):
        store.put(
            KEY, b"x", content_type="text/plain", retain_until=datetime(2099, 1, 1, tzinfo=UTC)
        )
    store.delete(KEY)
    assert not store.exists(KEY)
    # The same bucket is refused by a store that requires object lock.
    with pytest.raises(ArchiveError, match="without object lock"):
        make_s3_store(s3_server, s3_bucket)


def test_ensure_bucket_is_idempotent(s3_server: S3Server, s3_bucket: str) -> None:
    store = make_s3_store(s3_server, s3_bucket)
    store.ensure_bucket()
    store.healthcheck()


def test_missing_bucket(s3_server: S3Server, s3_bucket: str) -> None:
    store = S3ObjectStore(s3_server.endpoint, "testing", "testing", s3_bucket)
    with pytest.raises(ArchiveUnavailable, match="does not exist"):
        store.healthcheck()
    with pytest.raises(ArchiveUnavailable, match="does not exist"):
        store.put(KEY, b"x", content_type="text/plain")


def test_old_versions_are_removed_with_the_key(s3_server: S3Server, s3_bucket: str) -> None:
    store = make_s3_store(s3_server, s3_bucket)
    store.put(KEY, b"v1", content_type="text/plain")
    store.put(KEY, b"v2", content_type="text/plain")
    store.delete(KEY)
    versions = list(raw_minio(s3_server).list_objects(s3_bucket, prefix=KEY, include_version=True))
    assert versions == []


def test_delete_after_plain_delete_marker(s3_server: S3Server, s3_bucket: str) -> None:
    store = make_s3_store(s3_server, s3_bucket)
    client = raw_minio(s3_server)
    client.put_object(s3_bucket, KEY, io.BytesIO(b"x"), 1)
    client.remove_object(s3_bucket, KEY)  # leaves a delete marker on a versioned bucket
    assert not store.exists(KEY)
    assert [o.key for o in store.list()] == []


@pytest.mark.parametrize(
    "call",
    [
        lambda s: s.healthcheck(),
        lambda s: s.ensure_bucket(),
        lambda s: s.put(KEY, b"x", content_type="text/plain"),
        lambda s: s.get(KEY),
        lambda s: s.stat(KEY),
        lambda s: list(s.list()),
        lambda s: s.delete(KEY),
    ],
    ids=["healthcheck", "ensure_bucket", "put", "get", "stat", "list", "delete"],
)
def test_closed_port_raises_archive_unavailable(call: object) -> None:
    store = _closed_port_store()
    with pytest.raises(ArchiveUnavailable, match="unreachable"):
        call(store)  # type: ignore[operator]


def test_presign_is_local_computation(s3_server: S3Server, s3_bucket: str) -> None:
    store = _closed_port_store()  # no request needed to presign
    url = store.presigned_url(KEY, timedelta(hours=1))
    assert "X-Amz-Signature=" in url
    with pytest.raises(ValueError, match="7 days"):
        store.presigned_url(KEY, timedelta(days=8))
