"""The ObjectStore contract, run against both backends (local files and S3 on moto_server)."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import pytest

from archive import (
    ArchiveError,
    IntegrityError,
    LocalObjectStore,
    ObjectLocked,
    ObjectNotFound,
    ObjectStore,
    S3ObjectStore,
    StoredObject,
    build_manifest,
    parse_manifest,
)

KEY = "劳动合同/2024/91330100MA27XXXX/张三 劳动合同（终稿）.pdf"
DATA = bytes(range(256)) * 8 + "甲方：某建筑公司 乙方：张三".encode() + b"\x00\xff%PDF"


def _now() -> datetime:
    return datetime.now(UTC)


def test_put_get_roundtrip_with_chinese_key_and_binary_data(store: ObjectStore) -> None:
    stored = store.put(
        KEY, DATA, content_type="application/pdf", metadata={"worker": "张三", "kind": "contract"}
    )
    assert isinstance(stored, StoredObject)
    assert stored.key == KEY
    assert stored.size == len(DATA)
    assert stored.sha256 == hashlib.sha256(DATA).hexdigest()
    assert stored.content_type == "application/pdf"
    assert stored.metadata == {"worker": "张三", "kind": "contract"}
    assert stored.retain_until is None
    assert store.get(KEY) == DATA


def test_empty_object(store: ObjectStore) -> None:
    stored = store.put("empty/file.txt", b"", content_type="text/plain")
    assert stored.size == 0
    assert stored.sha256 == hashlib.sha256(b"").hexdigest()
    assert store.get("empty/file.txt") == b""


def test_stat_describes_the_stored_object(store: ObjectStore) -> None:
    before = _now().replace(microsecond=0) - timedelta(seconds=2)
    put = store.put(KEY, DATA, content_type="application/pdf", metadata={"worker": "张三"})
    info = store.stat(KEY)
    assert (info.key, info.size, info.sha256, info.content_type) == (
        KEY,
        len(DATA),
        hashlib.sha256(DATA).hexdigest(),
        "application/pdf",
    )
    assert info.metadata == {"worker": "张三"}
    assert info.retain_until is None
    assert info.last_modified is not None and info.last_modified.tzinfo is not None
    assert before <= info.last_modified <= _now() + timedelta(seconds=2)
    if isinstance(store, S3ObjectStore):
        assert info.version_id and info.version_id == put.version_id
    else:
        assert info.version_id is None


def test_exists(store: ObjectStore) -> None:
    assert not store.exists(KEY)
    store.put(KEY, DATA, content_type="application/pdf")
    assert store.exists(KEY)
    assert not store.exists(KEY + ".sig")


def test_list_by_prefix_sorted(store: ObjectStore) -> None:
    keys = ["p/2/b.pdf", "p/1/z.pdf", "q/x.pdf", "p/10.pdf", "p/1/a.pdf", "p", "项目/工资表.xlsx"]
    for index, key in enumerate(keys):
        store.put(key, str(index).encode(), content_type="text/plain")
    assert [o.key for o in store.list()] == sorted(keys)
    assert [o.key for o in store.list("p/")] == ["p/1/a.pdf", "p/1/z.pdf", "p/10.pdf", "p/2/b.pdf"]
    assert [o.key for o in store.list("p/1")] == ["p/1/a.pdf", "p/1/z.pdf", "p/10.pdf"]
    assert [o.key for o in store.list("项目/")] == ["项目/工资表.xlsx"]
    assert list(store.list("nothing/")) == []
    listed = {o.key: o for o in store.list("q/")}
    assert listed["q/x.pdf"].sha256 == hashlib.sha256(b"2").hexdigest()
    assert listed["q/x.pdf"].content_type == "text/plain"


def test_key_and_prefix_of_it_coexist(store: ObjectStore) -> None:
    store.put("a", b"file a", content_type="text/plain")
    store.put("a/b", b"file a/b", content_type="text/plain")
    assert store.get("a") == b"file a"
    assert store.get("a/b") == b"file a/b"
    store.delete("a/b")
    assert store.get("a") == b"file a"
    assert not store.exists("a/b")


def test_missing_key_raises_object_not_found(store: ObjectStore) -> None:
    missing = "nope/missing.pdf"
    for call in (
        lambda: store.get(missing),
        lambda: store.stat(missing),
        lambda: store.delete(missing),
        lambda: store.retention(missing),
        lambda: store.extend_retention(missing, _now() + timedelta(days=1)),
    ):
        with pytest.raises(ObjectNotFound, match="nope/missing.pdf"):
            call()


@pytest.mark.parametrize(
    "key",
    ["", "/abs/key", "a//b", "a/../b", "..", "a/./b", "trailing/", "x" * 1025, "a\x00b", "a\nb"],
)
def test_invalid_keys_raise_value_error_naming_the_key(store: ObjectStore, key: str) -> None:
    with pytest.raises(ValueError, match="invalid archive key") as excinfo:
        store.put(key, b"x", content_type="text/plain")
    assert repr(key) in str(excinfo.value)
    for call in (store.get, store.stat, store.delete, store.exists):
        with pytest.raises(ValueError, match="invalid archive key"):
            call(key)


def test_longest_valid_key(store: ObjectStore) -> None:
    key = "/".join(["k" * 100] * 10) + "/" + "x" * 14
    assert len(key) == 1024
    store.put(key, b"long", content_type="text/plain")
    assert store.get(key) == b"long"


@pytest.mark.parametrize("meta", [{"Upper": "x"}, {"sha256": "0" * 64}, {"bad key": "x"}])
def test_invalid_metadata(store: ObjectStore, meta: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="metadata key"):
        store.put(KEY, DATA, content_type="application/pdf", metadata=meta)
    assert not store.exists(KEY)


def test_overwrite_unretained_object(store: ObjectStore) -> None:
    store.put(KEY, b"draft", content_type="application/pdf")
    second = store.put(KEY, b"final", content_type="application/pdf")
    assert store.get(KEY) == b"final"
    assert store.stat(KEY).sha256 == second.sha256 == hashlib.sha256(b"final").hexdigest()


def test_retained_object_cannot_be_deleted(store: ObjectStore) -> None:
    until = _now() + timedelta(days=1)
    stored = store.put(KEY, DATA, content_type="application/pdf", retain_until=until)
    expected = until.replace(microsecond=0) + timedelta(seconds=1 if until.microsecond else 0)
    assert stored.retain_until == expected
    assert store.retention(KEY) == expected
    assert store.stat(KEY).retain_until == expected
    with pytest.raises(ObjectLocked, match="retention"):
        store.delete(KEY)
    assert store.exists(KEY)
    assert store.get(KEY) == DATA


def test_retention_in_other_timezone_is_normalized_to_utc(store: ObjectStore) -> None:
    beijing = timezone(timedelta(hours=8))
    until = datetime.now(beijing).replace(microsecond=0) + timedelta(days=3)
    store.put(KEY, DATA, content_type="application/pdf", retain_until=until)
    got = store.retention(KEY)
    assert got == until and got is not None and got.utcoffset() == timedelta(0)


def test_unretained_object_can_be_deleted(store: ObjectStore) -> None:
    store.put(KEY, DATA, content_type="application/pdf")
    assert store.retention(KEY) is None
    store.delete(KEY)
    assert not store.exists(KEY)
    with pytest.raises(ObjectNotFound):
        store.get(KEY)
    assert list(store.list()) == []


def test_retention_expires(store: ObjectStore) -> None:
    until = _now().replace(microsecond=0) + timedelta(seconds=2)
    store.put(KEY, DATA, content_type="application/pdf", retain_until=until)
    with pytest.raises(ObjectLocked):
        store.delete(KEY)
    time.sleep(max(0.0, (until - _now()).total_seconds()) + 0.3)
    store.delete(KEY)
    assert not store.exists(KEY)


def test_bad_retention_arguments(store: ObjectStore) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        store.put(KEY, DATA, content_type="application/pdf", retain_until=datetime(2099, 1, 1))
    with pytest.raises(ValueError, match="future"):
        store.put(KEY, DATA, content_type="application/pdf", retain_until=_now() - timedelta(1))
    assert not store.exists(KEY)


def test_extend_retention_only_extends(store: ObjectStore) -> None:
    first = _now().replace(microsecond=0) + timedelta(days=1)
    store.put(KEY, DATA, content_type="application/pdf", retain_until=first)
    later = first + timedelta(days=365 * 2)
    assert store.extend_retention(KEY, later) == later
    assert store.retention(KEY) == later
    assert store.extend_retention(KEY, later) == later  # same date: a no-op, allowed
    with pytest.raises(ArchiveError, match="only be extended"):
        store.extend_retention(KEY, first)
    assert store.retention(KEY) == later
    with pytest.raises(ArchiveError, match="past"):
        store.extend_retention(KEY, _now() - timedelta(days=1))
    with pytest.raises(ValueError, match="timezone-aware"):
        store.extend_retention(KEY, datetime(2099, 1, 1))
    assert store.retention(KEY) == later
    with pytest.raises(ObjectLocked):
        store.delete(KEY)


def test_extend_retention_of_unretained_object(store: ObjectStore) -> None:
    store.put(KEY, DATA, content_type="application/pdf")
    until = _now().replace(microsecond=0) + timedelta(days=30)
    store.extend_retention(KEY, until)
    assert store.retention(KEY) == until
    with pytest.raises(ObjectLocked):
        store.delete(KEY)


def test_overwrite_of_retained_object(store: ObjectStore) -> None:
    until = _now() + timedelta(days=1)
    original = store.put(KEY, DATA, content_type="application/pdf", retain_until=until)
    if isinstance(store, LocalObjectStore):
        # Local backend: refused outright, content untouched.
        with pytest.raises(ObjectLocked, match="overwrite"):
            store.put(KEY, b"forged", content_type="application/pdf")
        assert store.get(KEY) == DATA
        return
    # S3 (versioned, object-locked bucket): a new current version; the locked original
    # version survives and keeps the key from being deleted.
    assert isinstance(store, S3ObjectStore)
    newer = store.put(KEY, b"amended", content_type="application/pdf")
    assert newer.version_id != original.version_id
    assert store.get(KEY) == b"amended"
    with pytest.raises(ObjectLocked, match=str(original.version_id)):
        store.delete(KEY)
    assert store.get(KEY) == b"amended"


def test_tampered_bytes_fail_integrity_check(
    store: ObjectStore, tamper: Callable[[ObjectStore, str, bytes], None]
) -> None:
    store.put(KEY, DATA, content_type="application/pdf", retain_until=_now() + timedelta(days=1))
    forged = DATA.replace("张三".encode(), "李四".encode())
    tamper(store, KEY, forged)
    with pytest.raises(IntegrityError) as excinfo:
        store.get(KEY)
    assert excinfo.value.expected == hashlib.sha256(DATA).hexdigest()
    assert excinfo.value.actual == hashlib.sha256(forged).hexdigest()
    assert store.get(KEY, verify=False) == forged


def test_presigned_url_downloads_the_object(
    store: ObjectStore, fetch_presigned: Callable[[ObjectStore, str], bytes]
) -> None:
    store.put(KEY, DATA, content_type="application/pdf")
    url = store.presigned_url(KEY, timedelta(minutes=5))
    assert url.startswith("http")
    assert fetch_presigned(store, url) == DATA


@pytest.mark.parametrize("expires", [timedelta(0), timedelta(seconds=-5)])
def test_presigned_url_needs_positive_validity(store: ObjectStore, expires: timedelta) -> None:
    with pytest.raises(ValueError, match="at least one second"):
        store.presigned_url(KEY, expires)


def test_manifest_stored_and_read_back(store: ObjectStore) -> None:
    pdf = store.put(KEY, DATA, content_type="application/pdf")
    manifest = build_manifest(
        filing_number="BA-2024-000123",
        contract_id=123,
        documents=[
            {
                "key": pdf.key,
                "sha256": pdf.sha256,
                "size": pdf.size,
                "content_type": "application/pdf",
            }
        ],
        signers=[{"name": "张三", "role": "worker"}, {"name": "某建筑公司", "role": "employer"}],
        created_at=_now(),
    )
    key = "filings/BA-2024-000123/manifest.json"
    store.put(key, manifest, content_type="application/json; charset=utf-8")
    parsed = parse_manifest(store.get(key))
    assert parsed["documents"][0]["sha256"] == hashlib.sha256(store.get(KEY)).hexdigest()
    assert parsed["signers"][0]["name"] == "张三"


def test_healthcheck_passes(store: ObjectStore) -> None:
    store.healthcheck()
