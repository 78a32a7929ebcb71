"""Archive library: object stores for signed contracts and wage documents, filing
manifests and offline-checkable evidence packages. Plain library — no Flask.

Use :func:`open_store` with the app settings to get an :class:`ObjectStore`
(:class:`LocalObjectStore` for the embedded default, :class:`S3ObjectStore` for MinIO).
"""

from archive.errors import (
    ArchiveError,
    ArchiveUnavailable,
    IntegrityError,
    ObjectLocked,
    ObjectNotFound,
)
from archive.evidence import build_evidence_package, verify_evidence_package
from archive.factory import open_store, parse_endpoint
from archive.local import LocalObjectStore, sign_presigned, verify_presigned
from archive.manifest import MANIFEST_SCHEMA, build_manifest, parse_manifest
from archive.s3 import BucketSettings, S3ObjectStore
from archive.store import ObjectStore, ObjectVersion, StoredObject, validate_key

__all__ = [
    "MANIFEST_SCHEMA",
    "ArchiveError",
    "ArchiveUnavailable",
    "BucketSettings",
    "IntegrityError",
    "LocalObjectStore",
    "ObjectLocked",
    "ObjectNotFound",
    "ObjectStore",
    "ObjectVersion",
    "S3ObjectStore",
    "StoredObject",
    "build_evidence_package",
    "build_manifest",
    "open_store",
    "parse_endpoint",
    "parse_manifest",
    "sign_presigned",
    "validate_key",
    "verify_evidence_package",
    "verify_presigned",
]
