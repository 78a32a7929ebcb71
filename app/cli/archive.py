"""``flask archive …``: the archive's bucket, its integrity and its backup.

* ``init`` creates the configured bucket with versioning and object lock (the very
  :meth:`archive.S3ObjectStore.ensure_bucket` the app calls at first use) or the local folder,
  and says what it found; safe to re-run (the deployment's init step runs it).
* ``check`` re-hashes every archived object against the database
  (:mod:`app.services.filing.archive_check`); exit 1 when one is missing or changed.
* ``mirror`` copies the archive to a second store, or back (:mod:`app.services.filing.
  archive_mirror`).
"""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

group = AppGroup("archive", help="The archive: bucket set-up, integrity checks, backups.")


def _fail(message: str, code: int = 2) -> None:
    click.echo(f"error: {message}", err=True)
    raise SystemExit(code)


@group.command("init")
def init() -> None:
    """Create the archive's bucket (object lock, versioning) or folder unless it exists,
    and print its configuration. Safe to run again."""
    from archive import ArchiveError, open_store

    config = current_app.config
    try:
        if str(config.get("ARCHIVE_BACKEND") or "local").strip().lower() != "s3":
            existed = (Path(config["ARCHIVE_ROOT"]) / "objects").is_dir()
            store = open_store(config)  # creates the folder (mode 0700)
            click.echo(f"local archive {store.root}: {'found' if existed else 'created'}")
            return
        store = open_store(config)
        created = store.ensure_bucket()
        info = store.describe_bucket()
    except ValueError as exc:
        _fail(str(exc))
    except ArchiveError as exc:
        _fail(f"{type(exc).__name__}: {exc}")
    click.echo(f"bucket {info.bucket} at {store.endpoint}: {'created' if created else 'found'}")
    click.echo(f"versioning: {info.versioning}")
    click.echo(f"object lock: {'on' if info.object_lock else 'off'}"
               + (f", default retention {info.default_mode} {info.default_retention}"
                  if info.default_retention else
                  ", no default retention (the platform sets COMPLIANCE retention per object)"
                  if info.object_lock else ""))
    if store.object_lock and not info.object_lock:
        _fail("the bucket has no object lock, but S3_OBJECT_LOCK is on", 1)


@group.command("check")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def check(as_json: bool) -> None:
    """Re-hash every archived object against the database (contract versions, filings'
    PDF, manifest and audit trail, project documents). Exit 1 when any is missing, changed
    or unreadable; unreferenced objects and older versions are reported, not errors."""
    from app.services.filing import check_archive
    from archive import ArchiveUnavailable

    try:
        report = check_archive()
    except ArchiveUnavailable as exc:
        _fail(f"the archive cannot be reached: {exc}")
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=1))
    else:
        for problem in report.problems:
            click.echo(problem.line())
        for key in report.unreferenced_keys:
            click.echo(f"unreferenced {key}")
        click.echo(report.summary())
    if not report.ok:
        raise SystemExit(1)


_STORE_HELP = ("NAME=VALUE of an archive setting (ARCHIVE_BACKEND, ARCHIVE_ROOT, S3_ENDPOINT, "
               "S3_BUCKET, …) or @FILE of such lines; repeatable. Unnamed settings are the "
               "app's own.")


@group.command("mirror")
@click.option("--to", "to", multiple=True, metavar="NAME=VALUE|@FILE",
              help="The target store. " + _STORE_HELP)
@click.option("--from", "from_", multiple=True, metavar="NAME=VALUE|@FILE",
              help="The source store (default: the app's archive). " + _STORE_HELP)
@click.option("--prefix", default="", help="Only keys starting with this.")
def mirror(to: tuple[str, ...], from_: tuple[str, ...], prefix: str) -> None:
    """Copy every object of the archive to another store (or, with --from, from another
    store into the app's archive: a restore), SHA-256 checked, retention kept; objects
    already copied are skipped. Exit 1 when any object could not be copied."""
    from app.extensions import archive_ext
    from app.services.filing.archive_mirror import (
        mirror_archive,
        open_settings,
        store_settings,
        where,
    )
    from archive import ArchiveError

    if not to and not from_:
        raise click.UsageError("name the other store with --to (backup) or --from (restore)")
    config = current_app.config
    try:
        source = open_settings(store_settings(config, from_)) if from_ else archive_ext.store()
        target = open_settings(store_settings(config, to)) if to else archive_ext.store()
        click.echo(f"mirroring {where(source)} -> {where(target)}")
        report = mirror_archive(source, target, prefix=prefix)
    except ValueError as exc:
        _fail(str(exc))
    except ArchiveError as exc:
        _fail(f"{type(exc).__name__}: {exc}")
    for key, why in report.failed:
        click.echo(f"failed {key}: {why}")
    click.echo(report.summary())
    if not report.ok:
        raise SystemExit(1)
