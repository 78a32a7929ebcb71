"""``flask archive check`` / ``init`` / ``mirror``: every archived object re-hashed against the
database on the local and the S3 archive; missing and changed objects named, exit 1;
unreferenced objects and older versions reported but not errors."""

from __future__ import annotations

import io
import json

import pytest
from minio import Minio
from sqlalchemy import select

from app.extensions import archive_ext, db
from app.models import Filing
from archive import LocalObjectStore, S3ObjectStore
from tests.app.flows import api_create, api_send, worker_session, worker_sign


def plain(store):
    """The store itself, without the app's metrics proxy around it."""
    return getattr(store, "wrapped", store)


def object_path(store: LocalObjectStore, key: str):
    """The file holding ``key``'s bytes in a local archive."""
    *dirs, name = key.split("/")
    return store.root.joinpath("objects", *(d + ".d" for d in dirs), name + ".o")


def _minio(store: S3ObjectStore, server) -> Minio:
    return Minio(store.endpoint, access_key=server.access_key, secret_key=server.secret_key,
                 secure=False, region=store.region)


def tamper(store, key: str, data: bytes, server=None) -> None:
    """Other bytes under ``key``, behind the store's back (a bad disk, an intruder): the
    local file rewritten; on S3 a plain upload claiming the old hash (a new current version;
    the locked original stays as an older version)."""
    if isinstance(store, LocalObjectStore):
        object_path(store, key).write_bytes(data)
        return
    client = _minio(store, server)
    recorded = client.stat_object(store.bucket, key).metadata["x-amz-meta-sha256"]
    client.put_object(store.bucket, key, io.BytesIO(data), len(data),
                      metadata={"sha256": recorded})


def remove(store, key: str, server=None) -> None:
    """``key`` gone: the local file deleted; on S3 a delete marker (allowed under lock)."""
    if isinstance(store, LocalObjectStore):
        object_path(store, key).unlink()
        return
    _minio(store, server).remove_object(store.bucket, key)


def sign_and_file(client, world, outbox, key: str = "api_key") -> Filing:
    """One contract of the employer of ``world[key]`` signed by both parties and filed
    (inline jobs)."""
    contract_id = api_create(client, world[key])["id"]
    token = api_send(client, world[key], contract_id)
    assert worker_sign(client, token, worker_session(client, outbox, token)).status_code == 200
    filing = db.session.scalar(select(Filing).where(Filing.contract_id == contract_id))
    assert filing is not None
    return filing


def check(app, *args: str):
    return app.test_cli_runner().invoke(args=["archive", "check", *args])


@pytest.fixture(params=["local", "s3"])
def backend(request, ctx):
    """The app's archive on each backend: (store, S3 server or None)."""
    if request.param == "local":
        return plain(archive_ext.store()), None
    server = request.getfixturevalue("s3_server")
    store = S3ObjectStore(server.endpoint, server.access_key, server.secret_key,
                          request.getfixturevalue("s3_bucket"))
    store.ensure_bucket()
    archive_ext.use(store)
    return store, server


@pytest.mark.postgresql_only  # the queries are plain; the archive backends are what varies
def test_check_passes_then_names_the_changed_and_the_missing_object(client, world, outbox,
                                                                    backend):
    store, server = backend
    filing = sign_and_file(client, world, outbox)
    store.put("stray/leftover.json", b"{}", content_type="application/json")
    store.put("stray/leftover.json", b"{ }", content_type="application/json")

    result = check(client.application)
    assert result.exit_code == 0, result.output
    # sealed + signed versions (+ the draft), the filing's PDF (one of them), manifest, trail
    assert "filing_audit_trail 1, filing_manifest 1, filing_pdf 1" in result.output
    assert "0 missing, 0 changed, 0 unreadable; 1 unreferenced" in result.output
    assert "unreferenced stray/leftover.json" in result.output
    older = 1 if server else 0  # S3 keeps the first leftover as an older version
    assert f"{older} older version(s)" in result.output
    report = json.loads(check(client.application, "--json").output)
    assert report["ok"] is True and report["checked"]["contract_document"] >= 2

    tamper(store, filing.pdf_key, b"%PDF-1.7 forged", server)
    remove(store, filing.manifest_key, server)
    result = check(client.application)
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    short = filing.sha256[:12]
    assert f"changed filing_pdf {filing.pdf_key}: expected {short}, found " in result.output
    assert any(line.startswith(f"changed contract_document {filing.pdf_key}") for line in lines)
    assert f"missing filing_manifest {filing.manifest_key}" in result.output
    # without its manifest the trail is checked against the store's own record: it passes
    assert not any(filing.audit_key in line for line in lines)
    report = json.loads(check(client.application, "--json").output)
    assert report["ok"] is False and report["issues"] == {"changed": 2, "missing": 1}


def test_an_empty_archive_passes(ctx):
    result = check(ctx)
    assert result.exit_code == 0 and "0 object(s) checked (none)" in result.output


def test_init_creates_the_local_folder_then_finds_it(ctx, tmp_path, monkeypatch):
    monkeypatch.setitem(ctx.config, "ARCHIVE_ROOT", str(tmp_path / "new-archive"))
    runner = ctx.test_cli_runner()
    first = runner.invoke(args=["archive", "init"])
    assert first.exit_code == 0 and "created" in first.output
    assert (tmp_path / "new-archive" / "objects").is_dir()
    assert "found" in runner.invoke(args=["archive", "init"]).output


def _s3_config(monkeypatch, app, server, bucket: str, lock: bool = True) -> None:
    for name, value in {"ARCHIVE_BACKEND": "s3", "S3_ENDPOINT": server.url,
                        "S3_ACCESS_KEY": server.access_key, "S3_SECRET_KEY": server.secret_key,
                        "S3_BUCKET": bucket, "S3_OBJECT_LOCK": lock}.items():
        monkeypatch.setitem(app.config, name, value)


def test_init_creates_a_locked_versioned_bucket_once(ctx, s3_server, s3_bucket, monkeypatch):
    _s3_config(monkeypatch, ctx, s3_server, s3_bucket)
    runner = ctx.test_cli_runner()
    first = runner.invoke(args=["archive", "init"])
    assert first.exit_code == 0, first.output
    assert f"bucket {s3_bucket} at {s3_server.endpoint}: created" in first.output
    assert "versioning: Enabled" in first.output and "object lock: on" in first.output
    again = runner.invoke(args=["archive", "init"])
    assert again.exit_code == 0 and ": found" in again.output


def test_init_refuses_a_bucket_without_lock(ctx, s3_server, s3_bucket, monkeypatch):
    S3ObjectStore(s3_server.endpoint, s3_server.access_key, s3_server.secret_key, s3_bucket,
                  object_lock=False).ensure_bucket()
    _s3_config(monkeypatch, ctx, s3_server, s3_bucket)
    result = ctx.test_cli_runner().invoke(args=["archive", "init"])
    assert result.exit_code != 0 and "exists without object lock" in result.output


def test_mirror_copies_checked_skips_what_is_there_and_refuses_bad_bytes(ctx, tmp_path):
    source = archive_ext.store()
    source.put("a/one.pdf", b"%PDF one", content_type="application/pdf",
               metadata={"kind": "signed"})
    source.put("b/two.json", b"{}", content_type="application/json")
    runner = ctx.test_cli_runner()
    target = ["--to", "ARCHIVE_BACKEND=local", "--to", f"ARCHIVE_ROOT={tmp_path / 'copy'}"]
    first = runner.invoke(args=["archive", "mirror", *target])
    assert first.exit_code == 0 and "2 copied (10 bytes), 0 already there" in first.output
    copy = LocalObjectStore(tmp_path / "copy")
    assert copy.get("a/one.pdf") == b"%PDF one"
    assert copy.stat("a/one.pdf").metadata == {"kind": "signed"}
    source.put("c/three.txt", b"3", content_type="text/plain")
    source.put("d/four.txt", b"4444", content_type="text/plain")
    tamper(plain(source), "c/three.txt", b"x")  # rotted before its first copy
    again = runner.invoke(args=["archive", "mirror", *target])
    assert again.exit_code == 1
    assert "failed c/three.txt" in again.output and "integrity check" in again.output
    assert "1 copied (4 bytes), 2 already there, 1 failed" in again.output
    assert not copy.exists("c/three.txt")  # bad bytes are never copied
    same = runner.invoke(args=["archive", "mirror", "--to", "ARCHIVE_BACKEND=local",
                               "--to", f"ARCHIVE_ROOT={plain(source).root}"])
    assert same.exit_code == 2 and "same store" in same.output
    bad = runner.invoke(args=["archive", "mirror", "--to", "BUCKET=x"])
    assert bad.exit_code == 2 and "'BUCKET=x': expected NAME=VALUE" in bad.output


def _raw_put(store: S3ObjectStore, server, key: str, data: bytes) -> None:
    """``key`` written behind the store's back: no recorded SHA-256, any key S3 takes."""
    _minio(store, server).put_object(store.bucket, key, io.BytesIO(data), len(data))


def test_mirror_never_skips_objects_without_a_recorded_hash(s3_server, s3_bucket):
    """An object with no recorded SHA-256 in the source and the target is not taken as
    "already there" (both hashes empty): it is reported failed, as it cannot be checked."""
    from app.services.filing.archive_mirror import mirror_archive

    source, target = (S3ObjectStore(s3_server.endpoint, s3_server.access_key,
                                    s3_server.secret_key, name)
                      for name in (s3_bucket, f"{s3_bucket}-copy"))
    for store in (source, target):
        store.ensure_bucket()
        _raw_put(store, s3_server, "raw/unhashed.bin", b"no hash recorded")
    source.put("ok/one.json", b"{}", content_type="application/json")
    report = mirror_archive(source, target)
    assert report.skipped == 0 and report.copied == 1
    assert [key for key, _ in report.failed] == ["raw/unhashed.bin"]
    assert not report.ok
    again = mirror_archive(source, target)  # the checked copy is skipped next time
    assert again.skipped == 1 and [key for key, _ in again.failed] == ["raw/unhashed.bin"]


def test_mirror_reports_a_key_the_store_refuses_and_copies_the_rest(s3_server, s3_bucket):
    from app.services.filing.archive_mirror import mirror_archive

    source, target = (S3ObjectStore(s3_server.endpoint, s3_server.access_key,
                                    s3_server.secret_key, name)
                      for name in (s3_bucket, f"{s3_bucket}-copy"))
    source.ensure_bucket()
    target.ensure_bucket()
    _raw_put(source, s3_server, "bad//key.bin", b"x")
    source.put("good/a.txt", b"a", content_type="text/plain")
    source.put("good/b.txt", b"bb", content_type="text/plain")
    report = mirror_archive(source, target)  # does not raise on the bad key
    assert report.copied == 2 and target.get("good/b.txt") == b"bb"
    ((key, why),) = report.failed
    assert key == "bad//key.bin" and "empty path segment" in why
    assert "1 failed" in report.summary()
