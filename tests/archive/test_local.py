"""Local-filesystem backend specifics: presigned URL signatures, on-disk layout."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from archive import (
    ArchiveError,
    ArchiveUnavailable,
    IntegrityError,
    LocalObjectStore,
    verify_presigned,
)

SECRET = b"local-secret"
KEY = "合同/2024/张三.pdf"


@pytest.fixture
def local(tmp_path: Path) -> LocalObjectStore:
    return LocalObjectStore(
        tmp_path / "archive", url_signer_secret=SECRET, base_url="https://x.cn/"
    )


def _split(url: str) -> tuple[str, str, str]:
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    return unquote(parts.path.removeprefix("/archive/")), query["expires"][0], query["sig"][0]


def test_presigned_url_shape_and_verification(local: LocalObjectStore) -> None:
    local.put(KEY, b"pdf", content_type="application/pdf")
    now = datetime.now(UTC)
    url = local.presigned_url(KEY, timedelta(minutes=10))
    assert url.startswith("https://x.cn/archive/%E5%90%88%E5%90%8C/2024/")
    key, expires, sig = _split(url)
    assert key == KEY
    assert abs(int(expires) - (now + timedelta(minutes=10)).timestamp()) < 5
    assert verify_presigned(SECRET, key, expires, sig)
    assert verify_presigned(SECRET, key, int(expires), sig, now)


def test_presigned_url_rejects_expired_or_altered(local: LocalObjectStore) -> None:
    url = local.presigned_url(KEY, timedelta(seconds=60))
    key, expires, sig = _split(url)
    later = datetime.fromtimestamp(int(expires) + 1, UTC)
    assert not verify_presigned(SECRET, key, expires, sig, later)
    assert not verify_presigned(SECRET, key, str(int(expires) + 3600), sig)  # extended
    assert not verify_presigned(SECRET, "合同/2024/李四.pdf", expires, sig)  # other key
    assert not verify_presigned(SECRET, key, expires, sig[:-1] + ("0" if sig[-1] != "0" else "1"))
    assert not verify_presigned(b"other-secret", key, expires, sig)
    assert not verify_presigned(SECRET, key, "soon", sig)


def test_presign_without_secret_is_refused(tmp_path: Path) -> None:
    store = LocalObjectStore(tmp_path)
    with pytest.raises(ArchiveError, match="url_signer_secret"):
        store.presigned_url(KEY, timedelta(minutes=1))


def test_sidecar_records_hash_and_retention(local: LocalObjectStore) -> None:
    until = datetime(2099, 1, 1, tzinfo=UTC)
    stored = local.put(KEY, b"pdf", content_type="application/pdf", retain_until=until)
    sidecar = local.root / "objects" / "合同.d" / "2024.d" / "张三.pdf.meta"
    meta = json.loads(sidecar.read_text("utf-8"))
    assert meta["sha256"] == stored.sha256
    assert meta["content_type"] == "application/pdf"
    assert datetime.fromisoformat(meta["retain_until"]) == until
    assert not [p for p in local.root.rglob("*") if p.name.endswith(".tmp")]


def test_tampered_sidecar_is_detected(local: LocalObjectStore) -> None:
    local.put(KEY, b"pdf", content_type="application/pdf")
    sidecar = local.root / "objects" / "合同.d" / "2024.d" / "张三.pdf.meta"
    meta = json.loads(sidecar.read_text("utf-8"))
    meta["sha256"] = "0" * 64
    sidecar.write_text(json.dumps(meta), "utf-8")
    with pytest.raises(IntegrityError):
        local.get(KEY)


def test_delete_prunes_empty_directories(local: LocalObjectStore) -> None:
    local.put("a/b/c/d.txt", b"x", content_type="text/plain")
    local.delete("a/b/c/d.txt")
    assert list((local.root / "objects").iterdir()) == []


def test_healthcheck_fails_when_root_is_gone(tmp_path: Path) -> None:
    store = LocalObjectStore(tmp_path / "archive")
    store.healthcheck()
    (tmp_path / "archive" / "objects").rmdir()
    with pytest.raises(ArchiveUnavailable, match="missing"):
        store.healthcheck()


def test_segment_too_long_for_a_file_name(local: LocalObjectStore) -> None:
    with pytest.raises(ValueError, match="too long"):
        local.put("合" * 200, b"x", content_type="text/plain")


def test_corrupt_sidecar_is_an_archive_error(local: LocalObjectStore) -> None:
    local.put(KEY, b"pdf", content_type="application/pdf")
    sidecar = local.root / "objects" / "合同.d" / "2024.d" / "张三.pdf.meta"
    sidecar.write_text("{truncated", "utf-8")
    with pytest.raises(ArchiveError, match="corrupt metadata"):
        local.stat(KEY)
