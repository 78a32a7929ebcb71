"""Copying the archive to a second store (``flask archive mirror``): the backup of the
object store for sites without MinIO's own replication (``mc replicate`` / ``mc mirror``),
and the way back when restoring.

Every current object of the source is copied with its content type, metadata and retention
(object lock: a backup is kept as long as the original), its bytes checked on the way: the
source's bytes must hash to the SHA-256 the source recorded, and the copy must be recorded
with the same SHA-256 (S3 uploads also carry the checksum, so the server checks the bytes in
transit). An object already in the target with the same (recorded, non-empty) SHA-256 is
skipped, so a mirror can be re-run and only copies what is new; an object without a recorded
SHA-256 cannot be checked and is reported as failed, as is a key the stores refuse. One
object is in memory at a time. Older versions (S3) are not copied: the database refers to
current versions only.

Opening a target S3 store creates its bucket with object lock and versioning (the same
:meth:`archive.S3ObjectStore.ensure_bucket` the app uses), so a restore target is locked too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: the settings that describe an archive store (see :func:`archive.open_store`)
STORE_SETTINGS = ("ARCHIVE_BACKEND", "ARCHIVE_ROOT", "SECRET_KEY", "BASE_URL", "S3_ENDPOINT",
                  "S3_SECURE", "S3_ACCESS_KEY", "S3_SECRET_KEY", "S3_BUCKET", "S3_REGION",
                  "S3_OBJECT_LOCK", "S3_SSE", "S3_SSE_KMS_KEY_ID")


@dataclass
class MirrorReport:
    """What :func:`mirror_archive` did."""

    copied: int = 0
    skipped: int = 0  # already in the target with the same SHA-256
    bytes: int = 0
    retention_dropped: int = 0  # retained in the source, the target cannot retain
    failed: list[tuple[str, str]] = field(default_factory=list)  # (key, why)

    @property
    def ok(self) -> bool:
        """Every object is in the target, checked."""
        return not self.failed

    def summary(self) -> str:
        """One line of counts."""
        return (f"{self.copied} copied ({self.bytes} bytes), {self.skipped} already there, "
                f"{len(self.failed)} failed, {self.retention_dropped} without retention")


def store_settings(base: Mapping[str, Any], given: Iterable[str]) -> dict[str, Any]:
    """The settings of another store: ``base``'s store settings overridden by ``given``,
    each ``NAME=VALUE`` or ``@FILE`` (lines of ``NAME=VALUE``, ``#`` comments, as in an
    ``.env`` file).

    :raises ValueError: naming the malformed item, an unknown setting name or an unreadable
        file.
    """
    settings = {name: base.get(name) for name in STORE_SETTINGS if base.get(name) is not None}
    for item in given:
        pairs: list[str]
        if item.startswith("@"):
            try:
                text = Path(item[1:]).read_text("utf-8")
            except OSError as exc:
                raise ValueError(f"cannot read settings file {item[1:]}: {exc.strerror}") from None
            pairs = [line.strip() for line in text.splitlines()
                     if line.strip() and not line.strip().startswith("#")]
        else:
            pairs = [item]
        for pair in pairs:
            name, sep, value = pair.partition("=")
            name = name.strip().removeprefix("export ").strip()
            if not sep or name not in STORE_SETTINGS:
                raise ValueError(f"{pair!r}: expected NAME=VALUE with NAME one of "
                                 + ", ".join(STORE_SETTINGS))
            settings[name] = value.strip().strip("'\"")
    return settings


def open_settings(settings: Mapping[str, Any]):
    """Open the store ``settings`` describe; an S3 bucket is created with object lock
    (versioning comes with it) if missing, exactly as the app does.

    :raises ValueError: a setting missing or malformed.
    :raises archive.ArchiveUnavailable: S3 unreachable.
    """
    from archive import open_store

    store = open_store(settings)
    if hasattr(store, "ensure_bucket"):
        store.ensure_bucket()
    return store


def where(store) -> str:
    """A store's location, to tell two stores apart (``s3://host/bucket`` or the folder)."""
    if hasattr(store, "bucket"):
        return f"s3://{store.endpoint}/{store.bucket}"
    return str(Path(store.root).resolve())


def mirror_archive(source, target, *, prefix: str = "") -> MirrorReport:
    """Copy every current object of ``source`` under ``prefix`` into ``target``; see the
    module's docstring.

    :raises ValueError: source and target are the same store.
    :raises archive.ArchiveUnavailable: either store cannot be reached.
    """
    from archive import ArchiveError, ArchiveUnavailable, ObjectNotFound
    from archive.store import utcnow

    if where(source) == where(target):
        raise ValueError(f"source and target are the same store: {where(source)}")
    report = MirrorReport()
    for obj in source.list(prefix):
        try:
            have = target.stat(obj.key)
        except ObjectNotFound:
            have = None
        except ValueError as exc:  # a key the store refuses (e.g. "a//b"): report, go on
            report.failed.append((obj.key, str(exc)[:200]))
            continue
        # skipped only when both record the same hash: an object without one (written
        # behind the app's back) is never taken as "already there"
        if have is not None and obj.sha256 and have.sha256 == obj.sha256:
            report.skipped += 1
            continue
        retain = obj.retain_until if obj.is_retained(utcnow()) else None
        if retain is not None and not target.supports_retention:
            retain, report.retention_dropped = None, report.retention_dropped + 1
        try:
            data = source.get(obj.key)  # verified against the source's recorded SHA-256
            copy = target.put(obj.key, data, content_type=obj.content_type,
                              retain_until=retain, metadata=obj.metadata)
        except ArchiveUnavailable:
            raise
        except (ArchiveError, ValueError) as exc:  # changed in the source, locked in the
            report.failed.append((obj.key, str(exc)[:200]))  # target, or a refused key
            continue
        if copy.sha256 != obj.sha256 or target.stat(obj.key).sha256 != obj.sha256:
            report.failed.append((obj.key, "the copy's SHA-256 differs"))
            continue
        report.copied += 1
        report.bytes += len(data)
    return report
