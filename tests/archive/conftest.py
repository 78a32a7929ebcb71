"""Fixtures for the archive contract suite: one ``store`` per backend (local, S3 on a live
moto_server), plus backend-specific helpers to tamper with stored bytes and to fetch a
presigned URL the way a client would."""

from __future__ import annotations

import io
import urllib.request
from collections.abc import Callable
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from minio import Minio

from archive import LocalObjectStore, ObjectStore, S3ObjectStore, verify_presigned
from tests.plugins.s3 import S3Server

LOCAL_SECRET = b"archive-test-secret"
LOCAL_BASE_URL = "http://laborsign.test"


def raw_minio(server: S3Server) -> Minio:
    """A plain minio client on the test server, bypassing the archive library."""
    return Minio(
        server.endpoint,
        access_key=server.access_key,
        secret_key=server.secret_key,
        secure=False,
        region=server.region,
    )


def make_s3_store(server: S3Server, bucket: str, **kwargs: object) -> S3ObjectStore:
    """An S3ObjectStore on ``bucket`` of the test server, bucket created."""
    store = S3ObjectStore(
        server.endpoint,
        server.access_key,
        server.secret_key,
        bucket,
        region=server.region,
        **kwargs,  # type: ignore[arg-type]
    )
    store.ensure_bucket()
    return store


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> ObjectStore:
    """An empty store of each backend."""
    if request.param == "local":
        return LocalObjectStore(
            tmp_path_factory.mktemp("archive"),
            url_signer_secret=LOCAL_SECRET,
            base_url=LOCAL_BASE_URL,
        )
    server: S3Server = request.getfixturevalue("s3_server")
    bucket: str = request.getfixturevalue("s3_bucket")
    return make_s3_store(server, bucket)


@pytest.fixture
def tamper(request: pytest.FixtureRequest) -> Callable[[ObjectStore, str, bytes], None]:
    """Replace the bytes stored under a key without going through the store, keeping the
    recorded SHA-256 (as an attacker or a bit-rotting disk would)."""

    def _tamper(store: ObjectStore, key: str, data: bytes) -> None:
        if isinstance(store, LocalObjectStore):
            *dirs, name = key.split("/")
            path = store.root.joinpath("objects", *(d + ".d" for d in dirs), name + ".o")
            assert path.is_file(), path
            path.write_bytes(data)
            return
        assert isinstance(store, S3ObjectStore)
        server: S3Server = request.getfixturevalue("s3_server")
        client = raw_minio(server)
        recorded = client.stat_object(store.bucket, key).metadata["x-amz-meta-sha256"]
        # A plain upload of other bytes that claims the old digest; the bucket has no
        # default retention, so no checksum header is needed. It becomes the current
        # version (the original, retained or not, survives as an older version).
        client.put_object(
            store.bucket, key, io.BytesIO(data), len(data), metadata={"sha256": recorded}
        )

    return _tamper


@pytest.fixture
def fetch_presigned() -> Callable[[ObjectStore, str], bytes]:
    """Download a presigned URL like its holder would: over HTTP for S3; for the local
    backend by checking it with verify_presigned (as the web route does) and reading."""

    def _fetch(store: ObjectStore, url: str) -> bytes:
        if isinstance(store, LocalObjectStore):
            parts = urlsplit(url)
            assert f"{parts.scheme}://{parts.netloc}" == LOCAL_BASE_URL
            assert parts.path.startswith("/archive/")
            key = unquote(parts.path[len("/archive/") :])
            query = parse_qs(parts.query)
            assert verify_presigned(LOCAL_SECRET, key, query["expires"][0], query["sig"][0])
            return store.get(key)
        with urllib.request.urlopen(url, timeout=10) as response:
            assert response.status == 200
            return bytes(response.read())

    return _fetch
