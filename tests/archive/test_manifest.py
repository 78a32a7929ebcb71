"""Filing manifests: canonical bytes, round trip, and clear errors on bad input."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from archive import MANIFEST_SCHEMA, ArchiveError, build_manifest, parse_manifest

SHA = hashlib.sha256(b"pdf").hexdigest()
DOC = {
    "key": "filings/BA-1/contract.pdf",
    "sha256": SHA,
    "size": 3,
    "content_type": "application/pdf",
}
CREATED = datetime(2024, 5, 1, 16, 30, tzinfo=timezone(timedelta(hours=8)))


def _build(**overrides: Any) -> bytes:
    args: dict[str, Any] = {
        "filing_number": "备案-2024-000001",
        "contract_id": 42,
        "documents": [DOC],
        "signers": [
            {"name": "张三", "role": "worker", "signed_at": datetime(2024, 5, 1, 8, 0, tzinfo=UTC)},
            {"name": "某建筑公司", "role": "employer", "cert_serial": "0A1B"},
        ],
        "extra": {"tsa": {"serial": 7}, "audit_head": "ab" * 32},
        "created_at": CREATED,
    }
    args.update(overrides)
    return build_manifest(**args)


def test_roundtrip() -> None:
    parsed = parse_manifest(_build())
    assert parsed["schema"] == MANIFEST_SCHEMA == "laborsign.filing/1"
    assert parsed["filing_number"] == "备案-2024-000001"
    assert parsed["contract_id"] == 42
    assert parsed["documents"] == [DOC]
    assert parsed["signers"][0] == {
        "name": "张三",
        "role": "worker",
        "signed_at": "2024-05-01T08:00:00+00:00",
    }
    assert parsed["extra"]["tsa"] == {"serial": 7}
    assert datetime.fromisoformat(parsed["created_at"]) == CREATED
    assert parsed["created_at"].endswith("+00:00")


def test_canonical_bytes() -> None:
    data = _build()
    text = data.decode("utf-8")
    assert "张三" in text  # not \u escaped
    assert ": " not in text and ", " not in text
    assert (
        data
        == json.dumps(
            json.loads(text), sort_keys=True, ensure_ascii=False, separators=(",", ":")
        ).encode()
    )
    reordered = _build(documents=[dict(reversed(list(DOC.items())))])
    assert reordered == data


def test_string_contract_id_and_no_extra() -> None:
    parsed = parse_manifest(_build(contract_id="C-1", extra=None))
    assert parsed["contract_id"] == "C-1"
    assert "extra" not in parsed


def test_naive_created_at_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        _build(created_at=datetime(2024, 5, 1))


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"documents": []}, "non-empty list"),
        ({"documents": [{**DOC, "sha256": "XYZ"}]}, "64 lowercase hex"),
        ({"documents": [{k: v for k, v in DOC.items() if k != "size"}]}, "'size'"),
        ({"documents": [{**DOC, "size": "3"}]}, "size must be int"),
        ({"documents": [{**DOC, "size": -1}]}, "negative"),
        ({"filing_number": ""}, "filing_number"),
        ({"extra": {"blob": b"bytes"}}, "JSON"),
    ],
)
def test_build_rejects_bad_input(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ArchiveError, match=message):
        _build(**overrides)


def _mutate(change: Any) -> bytes:
    manifest = json.loads(_build())
    change(manifest)
    return json.dumps(manifest).encode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xff\xfe", "not UTF-8"),
        (b"{not json", "not valid JSON"),
        (b"[1, 2]", "JSON object"),
        (_mutate(lambda m: m.update(schema="laborsign.filing/2")), "unsupported manifest schema"),
        (_mutate(lambda m: m.pop("schema")), "'schema'"),
        (_mutate(lambda m: m.pop("documents")), "'documents'"),
        (_mutate(lambda m: m.pop("signers")), "'signers'"),
        (_mutate(lambda m: m.update(created_at="yesterday")), "created_at"),
        (_mutate(lambda m: m.update(created_at="2024-05-01T00:00:00")), "offset"),
        (_mutate(lambda m: m["documents"][0].pop("key")), r"documents\[0\] lacks"),
        (_mutate(lambda m: m.update(signers="张三")), "signers"),
        (_mutate(lambda m: m.update(contract_id=True)), "contract_id"),
    ],
)
def test_parse_rejects_bad_manifests(data: bytes, message: str) -> None:
    with pytest.raises(ArchiveError, match=message):
        parse_manifest(data)
