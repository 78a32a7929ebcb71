"""Filing manifests: the canonical JSON record stored next to a filed contract.

A manifest lists the archived documents with their SHA-256, the signers and any extra
evidence (certificates, time-stamps). It is canonical — UTF-8, sorted keys, no
insignificant whitespace, non-ASCII kept as is — so the same filing always produces the
same bytes and the manifest's own hash is stable.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from archive.errors import ArchiveError

__all__ = ["MANIFEST_SCHEMA", "build_manifest", "parse_manifest"]

MANIFEST_SCHEMA = "laborsign.filing/1"
_REQUIRED = ("schema", "filing_number", "contract_id", "created_at", "documents", "signers")
_DOC_FIELDS = {"key": str, "sha256": str, "size": int, "content_type": str}
_SHA_RE = re.compile(r"[0-9a-f]{64}")


def _json_default(value: object) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _check_document(index: int, doc: Any) -> None:
    if not isinstance(doc, Mapping):
        raise ArchiveError(f"manifest documents[{index}] must be an object")
    for name, kind in _DOC_FIELDS.items():
        if name not in doc:
            raise ArchiveError(f"manifest documents[{index}] lacks required key {name!r}")
        value = doc[name]
        if not isinstance(value, kind) or isinstance(value, bool):
            raise ArchiveError(
                f"manifest documents[{index}].{name} must be {kind.__name__}, got {value!r}"
            )
    if not _SHA_RE.fullmatch(doc["sha256"]):
        raise ArchiveError(
            f"manifest documents[{index}].sha256 must be 64 lowercase hex digits, "
            f"got {doc['sha256']!r}"
        )
    if doc["size"] < 0:
        raise ArchiveError(f"manifest documents[{index}].size must not be negative")


def _check(manifest: Mapping[str, Any]) -> None:
    for name in _REQUIRED:
        if name not in manifest:
            raise ArchiveError(f"manifest lacks required key {name!r}")
    if manifest["schema"] != MANIFEST_SCHEMA:
        raise ArchiveError(
            f"unsupported manifest schema {manifest['schema']!r}, expected {MANIFEST_SCHEMA!r}"
        )
    if not isinstance(manifest["filing_number"], str) or not manifest["filing_number"]:
        raise ArchiveError("manifest filing_number must be a non-empty string")
    contract_id = manifest["contract_id"]
    if isinstance(contract_id, bool) or not isinstance(contract_id, str | int):
        raise ArchiveError(f"manifest contract_id must be a string or integer: {contract_id!r}")
    try:
        created = datetime.fromisoformat(str(manifest["created_at"]))
    except ValueError:
        created = None
    if created is None or created.tzinfo is None:
        raise ArchiveError(
            f"manifest created_at must be an ISO 8601 time with offset: {manifest['created_at']!r}"
        )
    documents = manifest["documents"]
    if not isinstance(documents, list) or not documents:
        raise ArchiveError("manifest documents must be a non-empty list")
    for index, doc in enumerate(documents):
        _check_document(index, doc)
    signers = manifest["signers"]
    if not isinstance(signers, list) or not all(isinstance(s, Mapping) for s in signers):
        raise ArchiveError("manifest signers must be a list of objects")
    if "extra" in manifest and not isinstance(manifest["extra"], Mapping):
        raise ArchiveError("manifest extra must be an object")


def build_manifest(
    *,
    filing_number: str,
    contract_id: str | int,
    documents: Sequence[Mapping[str, Any]],
    signers: Sequence[Mapping[str, Any]],
    extra: Mapping[str, Any] | None = None,
    created_at: datetime,
) -> bytes:
    """Build the canonical JSON manifest of one filing.

    Datetimes anywhere in ``signers``/``extra`` are written as ISO 8601 (aware ones in
    UTC); other non-JSON values are refused.

    :param filing_number: the filing (备案) number.
    :param contract_id: the contract's id.
    :param documents: one mapping per archived document with ``key``, ``sha256`` (hex),
        ``size`` and ``content_type`` (further keys are kept).
    :param signers: one mapping per signer (name, role, certificate serial, time, ...).
    :param extra: further evidence (time-stamps, certificates, audit trail hash).
    :param created_at: aware filing time; stored in UTC.
    :return: UTF-8 JSON bytes with sorted keys and the ``schema`` field
        ``"laborsign.filing/1"``.
    :raises ValueError: ``created_at`` is naive.
    :raises ArchiveError: a required field is missing or malformed, or a value cannot be
        represented in JSON.
    """
    if created_at.tzinfo is None or created_at.utcoffset() is None:
        raise ValueError(f"created_at must be timezone-aware, got {created_at!r}")
    manifest: dict[str, Any] = {
        "schema": MANIFEST_SCHEMA,
        "filing_number": filing_number,
        "contract_id": contract_id,
        "created_at": created_at.astimezone(UTC).isoformat(),
        "documents": [dict(doc) for doc in documents],
        "signers": [dict(signer) for signer in signers],
    }
    if extra is not None:
        manifest["extra"] = dict(extra)
    _check(manifest)
    try:
        text = json.dumps(
            manifest,
            sort_keys=True,
            ensure_ascii=False,
            separators=(",", ":"),
            allow_nan=False,
            default=_json_default,
        )
    except (TypeError, ValueError) as exc:
        raise ArchiveError(f"manifest value cannot be written as JSON: {exc}") from exc
    return text.encode("utf-8")


def parse_manifest(data: bytes) -> dict[str, Any]:
    """Parse and validate a manifest made by :func:`build_manifest`.

    :param data: the manifest bytes (UTF-8 JSON).
    :return: the manifest as a dict (``created_at`` left as its ISO string).
    :raises ArchiveError: not UTF-8 JSON, not an object, wrong ``schema``, or a required
        key is missing or malformed.
    """
    try:
        manifest = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ArchiveError(f"manifest is not UTF-8: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise ArchiveError(f"manifest is not valid JSON: {exc}") from exc
    if not isinstance(manifest, dict):
        raise ArchiveError("manifest must be a JSON object")
    _check(manifest)
    return manifest
