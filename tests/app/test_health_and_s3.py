"""Production shape: the S3 (MinIO) archive configured from settings, and /readyz."""

from __future__ import annotations

from datetime import date

from minio import Minio
from sqlalchemy import select

from app.extensions import archive_ext, db
from app.models import Filing
from tests.app.flows import sent_contract, worker_session, worker_sign
from tests.conftest import bearer
from tests.ports import free_port


def test_filing_into_a_new_s3_bucket_configured_by_settings(client, world, outbox, ctx,
                                                             s3_server, s3_bucket):
    saved = {k: ctx.config.get(k) for k in ("ARCHIVE_BACKEND", "S3_ENDPOINT", "S3_ACCESS_KEY",
                                            "S3_SECRET_KEY", "S3_BUCKET")}
    ctx.config.update(ARCHIVE_BACKEND="s3", S3_ENDPOINT=f"http://{s3_server.endpoint}",
                      S3_ACCESS_KEY=s3_server.access_key, S3_SECRET_KEY=s3_server.secret_key,
                      S3_BUCKET=s3_bucket)
    archive_ext.use(None)  # reopened from the settings at first use
    try:
        contract_id, token = sent_contract(client, world, outbox)
        signed = worker_sign(client, token, worker_session(client, outbox, token)).get_json()
        assert signed["status"] == "signed"  # filed right after the answer:
        assert client.get(f"/api/v1/contracts/{contract_id}", headers=bearer(world["api_key"])
                          ).get_json()["status"] == "filed"
        raw = Minio(s3_server.endpoint, s3_server.access_key, s3_server.secret_key, secure=False)
        assert raw.get_object_lock_config(s3_bucket) is not None  # created with object lock
        pdf_key = db.session.scalar(select(Filing.pdf_key))
        retained = archive_ext.store().retention(pdf_key)  # COMPLIANCE retention
        assert retained is not None and retained.year >= date.today().year + 2
        names = [o.object_name for o in raw.list_objects(s3_bucket, recursive=True)]
        assert pdf_key in names and any(n.endswith("/manifest.json") for n in names)
        assert client.get("/readyz").get_json()["checks"]["archive"] == "ok"
    finally:
        ctx.config.update(saved)
        archive_ext.use(None)


def test_readyz_names_what_is_down(client, ctx):
    from archive import S3ObjectStore

    assert client.get("/readyz").get_json() == {
        "status": "ok", "checks": {"database": "ok", "archive": "ok", "signing_keys": "ok",
                                   "job_queue": "ok"}}
    archive_ext.use(S3ObjectStore(f"127.0.0.1:{free_port()}", "k", "s", "archive"))
    resp = client.get("/readyz")
    assert resp.status_code == 503
    assert resp.get_json()["checks"]["archive"] == "error: ArchiveUnavailable"
    assert client.get("/healthz").status_code == 200  # the process itself is fine


def test_production_never_creates_its_bucket_at_run_time(client, ctx, s3_server, s3_bucket):
    """A mistyped S3_BUCKET or a wiped MinIO is 'archive unavailable' (run `flask archive
    init`), not a new empty bucket the app starts filing into."""
    saved = {k: ctx.config.get(k) for k in ("ARCHIVE_BACKEND", "S3_ENDPOINT", "S3_ACCESS_KEY",
                                            "S3_SECRET_KEY", "S3_BUCKET", "PRODUCTION")}
    ctx.config.update(ARCHIVE_BACKEND="s3", S3_ENDPOINT=f"http://{s3_server.endpoint}",
                      S3_ACCESS_KEY=s3_server.access_key, S3_SECRET_KEY=s3_server.secret_key,
                      S3_BUCKET=s3_bucket, PRODUCTION=True)
    archive_ext.use(None)
    raw = Minio(s3_server.endpoint, s3_server.access_key, s3_server.secret_key, secure=False)
    try:
        answer = client.get("/readyz")
        assert answer.status_code == 503
        assert answer.get_json()["checks"]["archive"].startswith("error")
        assert not raw.bucket_exists(s3_bucket)
        ctx.config["PRODUCTION"] = False  # the embedded default and tests create it
        archive_ext.use(None)
        assert client.get("/readyz").get_json()["checks"]["archive"] == "ok"
        assert raw.bucket_exists(s3_bucket)
    finally:
        ctx.config.update(saved)
        archive_ext.use(None)
