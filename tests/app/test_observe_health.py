"""/healthz (the process answers) and /readyz (database, object store, signing keys, job
queue): what an orchestrator or a load balancer sees, and that a failure is named."""

from __future__ import annotations

import shutil
from datetime import timedelta

import pytest

from app.extensions import archive_ext, db, pki_ext
from app.health import checks
from app.models import Job
from app.models.base import utcnow
from tests.conftest import config_for
from tests.ports import free_port


def _forget_key_check(app) -> None:
    app.extensions.get(checks._STATE, {}).pop("keys", None)


def test_both_answer_ok_and_the_answer_carries_a_request_id(client):
    alive = client.get("/healthz")
    assert alive.status_code == 200 and alive.get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.get_json() == {"status": "ok", "checks": {
        "database": "ok", "archive": "ok", "signing_keys": "ok", "job_queue": "ok"}}
    assert len(ready.headers["X-Request-ID"]) == 32


def test_a_down_database_is_named_and_the_process_stays_alive(app, tmp_path):
    from app import create_app

    broken = create_app(config_for(tmp_path, "postgresql://nobody@127.0.0.1:1/none",
                                   PKI_DIR=app.config["PKI_DIR"]))
    client = broken.test_client()
    assert client.get("/healthz").status_code == 200  # no reason to restart the process
    resp = client.get("/readyz")
    assert resp.status_code == 503
    body = resp.get_json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == "error: OperationalError"
    assert body["checks"]["job_queue"] == "error: OperationalError"
    assert body["checks"]["archive"] == "ok"
    assert "nobody" not in resp.get_data(as_text=True)  # no connection string, no message


def test_a_stopped_s3_server_is_named(client):
    from archive import S3ObjectStore

    archive_ext.use(S3ObjectStore(f"127.0.0.1:{free_port()}", "k", "s", "archive"))
    resp = client.get("/readyz")
    assert resp.status_code == 503
    assert resp.get_json()["checks"] == {"database": "ok", "archive": "error: ArchiveUnavailable",
                                         "signing_keys": "ok", "job_queue": "ok"}


def test_an_unusable_local_archive_root_is_named(client, tmp_path):
    from archive import LocalObjectStore

    store = LocalObjectStore(tmp_path / "gone")
    shutil.rmtree(tmp_path / "gone")  # the disk was unmounted
    archive_ext.use(store)
    resp = client.get("/readyz")
    assert resp.status_code == 503 and resp.get_json()["checks"]["archive"] == (
        "error: ArchiveUnavailable")


@pytest.fixture
def own_pki(ctx, tmp_path):
    """A copy of the app's CA folder as PKI_DIR (the test may break it), restored after."""
    saved = ctx.config["PKI_DIR"]
    copy = tmp_path / "pki"
    checks.signing_keys()  # the CA and TSA exist before they are copied
    shutil.copytree(saved, copy)
    ctx.config["PKI_DIR"] = str(copy)
    _forget_key_check(ctx)
    yield copy
    ctx.config["PKI_DIR"] = saved
    _forget_key_check(ctx)
    pki_ext.reset(ctx)  # nothing built from the copy stays in use


def _break(pki_dir, key: str) -> None:
    (pki_dir / f"{key}.key.pem").unlink()
    (pki_dir / f"{key}.key.pem").mkdir()  # unreadable as a file, whoever runs the test


@pytest.mark.parametrize("key", ["issuing", "tsa"])
def test_an_unreadable_signing_key_is_named(client, own_pki, key, ctx):
    assert client.get("/readyz").status_code == 200
    _forget_key_check(ctx)
    _break(own_pki, key)
    resp = client.get("/readyz")
    assert resp.status_code == 503
    assert resp.get_json()["checks"]["signing_keys"] == "error: KeyProviderError"
    assert str(own_pki) not in resp.get_data(as_text=True)


def test_the_key_check_is_reused_for_a_few_seconds(client, own_pki, ctx):
    assert client.get("/readyz").status_code == 200
    _break(own_pki, "issuing")
    assert client.get("/readyz").status_code == 200  # cached answer
    _forget_key_check(ctx)  # as after KEYS_TTL_SECONDS
    assert client.get("/readyz").get_json()["checks"]["signing_keys"].startswith("error: ")


def test_production_never_creates_keys_from_a_probe(client, ctx, tmp_path):
    saved = ctx.config["PKI_DIR"], ctx.config["PRODUCTION"]
    ctx.config.update(PKI_DIR=str(tmp_path / "empty"), PRODUCTION=True)
    _forget_key_check(ctx)
    try:
        resp = client.get("/readyz")
    finally:
        ctx.config["PKI_DIR"], ctx.config["PRODUCTION"] = saved
        _forget_key_check(ctx)
    assert resp.status_code == 503
    assert resp.get_json()["checks"]["signing_keys"] == "error: not initialised (run flask ca init)"
    assert not (tmp_path / "empty").exists()


def test_an_old_due_job_makes_the_instance_unready(client, ctx):
    now = utcnow()
    db.session.add(Job(kind="send_sms", payload={}, run_after=now + timedelta(hours=2)))  # later
    db.session.commit()
    assert client.get("/readyz").status_code == 200  # not due yet: nobody is late
    db.session.add(Job(kind="file_contract", payload={}, run_after=now - timedelta(seconds=2000)))
    db.session.commit()
    resp = client.get("/readyz")
    assert resp.status_code == 503
    assert resp.get_json()["checks"]["job_queue"] == (
        "error: the oldest due job has waited 2000 s (limit 900 s)")
    ctx.config["READY_MAX_QUEUE_AGE_SECONDS"] = 0  # the check switched off
    try:
        assert client.get("/readyz").status_code == 200
    finally:
        ctx.config["READY_MAX_QUEUE_AGE_SECONDS"] = 900


def test_a_job_whose_worker_died_counts_from_its_lease(ctx):
    now = utcnow()
    db.session.add(Job(kind="file_contract", payload={}, status="running", run_after=now,
                       locked_until=now - timedelta(seconds=1200)))
    db.session.commit()
    assert checks.oldest_due_job(now) == pytest.approx(1200, abs=1)
