"""The archive over the years: an auditor's search result as one ZIP of evidence packages (a job
with progress, only for its asker), and the batch re-verification of an employer's filings
that names a tampered archive copy — through the pages and the command line."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile

import pytest
from sqlalchemy import select

from app.extensions import archive_ext, db
from app.models import AccessLogEntry, ArchiveJob, Filing
from tests.app.flows import api_create, api_send, worker_session, worker_sign
from tests.app.test_archive_check import plain, tamper
from tests.conftest import WORKER, bearer, csrf_token, login


def _file(client, world, outbox, key: str, year: int) -> Filing:
    """A contract of ``world[key]``'s employer for the years from ``year`` (one worker, so the
    terms follow each other), signed by both parties and filed (inline jobs)."""
    terms = {"term_start": f"{year}-12-01", "term_end": f"{year + 2}-11-30"}
    if year > 2026:
        terms["probation_months"] = "0"
    contract_id = api_create(client, world[key], **terms)["id"]
    token = api_send(client, world[key], contract_id)
    assert worker_sign(client, token, worker_session(client, outbox, token)).status_code == 200
    return db.session.scalar(select(Filing).where(Filing.contract_id == contract_id))


def filed(client, world, outbox) -> tuple[list[Filing], Filing]:
    """Two filed contracts of employer A (the auditor's region) and one of employer B."""
    ours = [_file(client, world, outbox, "api_key", 2026), _file(client, world, outbox, "api_key", 2028)]
    return ours, _file(client, world, outbox, "api_key_other", 2030)


def _user(app, username: str):
    c = app.test_client()
    assert login(c, username).status_code == 302
    return c


def _post(c, path: str, **fields):
    token = csrf_token(c.get("/audit/").get_data(as_text=True))
    return c.post(path, data={**fields, "csrf_token": token})


def folders(data: bytes) -> dict[str, dict[str, bytes]]:
    """The ZIP's files by top folder."""
    out: dict[str, dict[str, bytes]] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            top, _, rest = name.partition("/")
            out.setdefault(top if rest else "", {})[rest or top] = z.read(name)
    return out


def package_checks(files: dict[str, bytes]) -> bool:
    """A folder holds a whole evidence package: every file its SHA256SUMS names, unaltered."""
    sums = files["SHA256SUMS"].decode().splitlines()
    listed = {line[66:]: line[:64] for line in sums}
    assert {*listed, "SHA256SUMS"} == set(files) and "contract.pdf" in listed
    assert json.loads(files["verification.json"])["ok"] is True  # the signatures validate
    return all(hashlib.sha256(files[n]).hexdigest() == h for n, h in listed.items())


def test_a_search_result_becomes_one_zip_for_its_auditor_only(client, world, outbox, monkeypatch):
    ours, theirs = filed(client, world, outbox)
    app = client.application
    auditor = _user(app, "auditor")
    page = _post(auditor, "/audit/", status="filed").get_data(as_text=True)
    assert "打包下载全部结果的证据包" in page

    monkeypatch.setitem(app.config, "ARCHIVE_ZIP_MAX_CONTRACTS", 1)
    refused = _post(auditor, "/audit/archive-jobs/evidence", status="filed")
    assert refused.status_code == 422
    assert "符合条件的已备案合同超过1份（单次打包上限）" in refused.get_data(as_text=True)
    assert db.session.scalars(select(ArchiveJob)).all() == []
    monkeypatch.setitem(app.config, "ARCHIVE_ZIP_MAX_CONTRACTS", 5000)
    monkeypatch.setitem(app.config, "ARCHIVE_EXPORT_PART_BYTES", 50_000)  # several parts

    started = _post(auditor, "/audit/archive-jobs/evidence", status="filed")
    assert started.status_code == 302  # answered at once: the job has not run yet
    job_page = started.headers["Location"]
    job = db.session.scalars(select(ArchiveJob)).one()
    assert (job.status, job.done, job.total) == ("queued", 0, 2)
    assert "处理中…" in auditor.get(job_page).get_data(as_text=True)
    # without job workers (inline jobs) the page's progress poll runs it
    polled = auditor.get(f"{job_page}/progress").get_json()
    assert (polled["status"], polled["done"], polled["total"]) == ("done", 2, 2)
    db.session.refresh(job)
    assert (job.status, job.done, job.total) == ("done", 2, 2)
    assert len(job.summary["parts"]) > 1
    shown = auditor.get(job_page).get_data(as_text=True)
    assert "已打包 2 份合同的证据包" in shown and job.sha256 in shown
    assert auditor.get(f"{job_page}/progress").get_json()["percent"] == 100
    assert "Download the ZIP" in auditor.get(f"{job_page}?lang=en").get_data(as_text=True)

    resp = auditor.get(f"{job_page}/evidence.zip")
    assert resp.status_code == 200 and resp.mimetype == "application/zip"
    data = resp.get_data()
    assert hashlib.sha256(data).hexdigest() == resp.headers["X-Content-SHA256"] == job.sha256
    tree = folders(data)
    assert set(tree) == {"", *(f.number for f in ours)}  # nothing of employer B's
    assert all(package_checks(tree[f.number]) for f in ours)
    index = list(csv.DictReader(io.StringIO(tree[""]["INDEX.csv"].decode("utf-8-sig"))))
    assert sorted(r["filing_number"] for r in index) == sorted(f.number for f in ours)
    assert theirs.number not in data.decode("latin-1")

    logged = db.session.scalars(select(AccessLogEntry).order_by(AccessLogEntry.seq)).all()
    bulk = [e for e in logged if e.action == "evidence" and e.contract_id is None]
    assert [(e.count, e.criteria["status"]) for e in bulk] == [(2, "filed")]
    assert [e.criteria["archive_job"] for e in logged if e.action == "download"] == [job.id]

    other = _user(app, "auditor2")
    for path in (job_page, f"{job_page}/progress", f"{job_page}/evidence.zip"):
        assert other.get(path).status_code == 404
    assert _user(app, "hr").get(job_page).status_code == 403
    assert _user(app, "platform").get(f"{job_page}/evidence.zip").status_code == 200

    # the asker's scope is checked again at every read: moved to another county, the job and
    # its ZIP are gone for them; a wider jurisdiction still covers what they asked for
    from app.models import User

    user = db.session.scalar(select(User).where(User.username == "auditor"))
    for region, status in (("430102", 404), ("430122", 404), ("4301", 200)):
        user.jurisdiction = region
        db.session.commit()
        assert auditor.get(f"{job_page}/evidence.zip").status_code == status, region
        assert auditor.get(f"{job_page}/progress").status_code == status, region


def test_progress_counts_from_zero_a_rerun_starts_over_and_the_cli_writes_it(
        client, world, outbox, monkeypatch, tmp_path):
    from app import pii
    from app.models import User
    from app.services import archive_jobs
    from app.services.platform import jobs
    from app.services.platform.principal import of_user

    ours, _ = filed(client, world, outbox)
    monkeypatch.setitem(client.application.config, "ARCHIVE_JOB_PROGRESS_EVERY", 1)
    auditor = of_user(db.session.scalar(select(User).where(User.username == "auditor")))
    job = archive_jobs.request_evidence_zip(auditor, {"id_number": WORKER["id_number"]})
    assert (job.status, job.done, job.total) == ("queued", 0, 2)
    assert WORKER["id_number"] not in json.dumps([job.criteria, job.criteria_shown])
    assert "id_number_enc" in job.criteria  # the job needs it, encrypted, until it ends
    assert jobs.run_pending() == 1
    db.session.refresh(job)
    assert (job.status, job.done) == ("done", 2) and "id_number_enc" not in job.criteria

    job.status = "running"  # a worker died mid-way: the job is run again from scratch
    job.criteria = {**job.criteria, "id_number_enc": pii.encrypt(WORKER["id_number"])}
    db.session.commit()
    seen: list[tuple[int, int]] = []
    archive_jobs.run_now(job.id, on_progress=lambda done, total: seen.append((done, total)))
    assert seen[0] == (0, 2) and seen[-1] == (2, 2)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    db.session.refresh(job)
    assert (job.status, job.done, job.summary["packages"]) == ("done", 2, 2)

    # the command line writes the employer's ZIP (or says there is nothing to pack)
    out, runner = tmp_path / "evidence.zip", client.application.test_cli_runner()
    result = runner.invoke(args=["archive", "evidence-zip", "--employer", world["org"].uscc,
                                 "--out", str(out)])
    assert result.exit_code == 0 and "2 package(s)" in result.output, result.output
    assert set(folders(out.read_bytes())) == {"", *(f.number for f in ours)}
    nothing = runner.invoke(args=["archive", "evidence-zip", "--employer", "91110000600037341X",
                                  "--out", str(out)])
    assert nothing.exit_code == 1 and "没有符合条件的已备案合同" in nothing.output


def test_an_expired_zip_is_gone_and_its_parts_are_deleted(client, world, outbox, monkeypatch):
    from datetime import timedelta

    from app.models.base import utcnow
    from app.services.archive_jobs import bulk_evidence
    from archive import LocalObjectStore

    monkeypatch.setattr(LocalObjectStore, "supports_retention", False)  # deletable at once
    _file(client, world, outbox, "api_key", 2026)
    auditor = _user(client.application, "auditor")
    page = _post(auditor, "/audit/archive-jobs/evidence", status="filed").headers["Location"]
    assert auditor.get(f"{page}/progress").get_json()["status"] == "done"
    job = db.session.scalars(select(ArchiveJob)).one()
    store = plain(archive_ext.store())
    assert [o.key for o in store.list("exports/")] == [p["key"] for p in job.summary["parts"]]
    job.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert auditor.get(f"{page}/evidence.zip").status_code == 410
    assert bulk_evidence.purge_exports() == {"deleted": 1, "jobs": 1, "left": 0}
    assert list(store.list("exports/")) == [] and job.result_key is None
    assert job.purged_at is not None and bulk_evidence.purge_exports()["jobs"] == 0
    assert "下载 ZIP" not in auditor.get(page).get_data(as_text=True)


def test_reverification_names_the_tampered_filing_page_api_and_cli(client, world, outbox):
    from app.services import exports

    ours = [_file(client, world, outbox, "api_key", 2026), _file(client, world, outbox, "api_key", 2028)]
    app = client.application
    uscc = world["org"].uscc
    runner = app.test_cli_runner()
    result = runner.invoke(args=["archive", "reverify", "--employer", uscc])
    assert result.exit_code == 0, result.output
    assert "valid: 2, invalid: 0" in result.output and "progress: 2/2" in result.output

    # a bureau system's key asks through the API, for its own region only
    _, key = exports.create_bureau_key("430121", "县人社局系统", "test")
    _, far = exports.create_bureau_key("430102", "外区系统", "test")
    asked = client.post("/api/v1/bureau/reverify", json={"employer": uscc}, headers=bearer(key))
    assert asked.status_code == 202, asked.get_json()
    got = client.get(f"/api/v1/bureau/jobs/{asked.get_json()['id']}", headers=bearer(key))
    assert got.get_json()["status"] == "done" and got.get_json()["valid"] == 2
    assert client.get(f"/api/v1/bureau/jobs/{asked.get_json()['id']}",
                      headers=bearer(far)).status_code == 404
    assert client.post("/api/v1/bureau/reverify", json={"employer": uscc},
                       headers=bearer(far)).status_code == 422
    assert client.post("/api/v1/bureau/reverify", json={"employer": uscc},
                       headers=bearer(world["api_key"])).status_code == 403

    tamper(plain(archive_ext.store()), ours[1].pdf_key, b"%PDF-1.7 forged")
    auditor = _user(app, "auditor")
    started = _post(auditor, "/audit/archive-jobs/reverify", employer=uscc)
    assert started.status_code == 302
    assert auditor.get(f"{started.headers['Location']}/progress").get_json()["status"] == "done"
    shown = auditor.get(started.headers["Location"]).get_data(as_text=True)
    job = db.session.scalars(select(ArchiveJob).order_by(ArchiveJob.id.desc())).first()
    assert job.summary["valid"] == 1 and job.summary["invalid"] == 1
    [problem] = job.summary["problems"]
    assert problem["filing_number"] == ours[1].number and problem["kind"] == "archive"
    assert "归档文件校验失败" in problem["reason"] or "SHA-256" in problem["reason"]
    assert ours[1].number in shown and "归档文件与备案记录不一致" in shown

    result = runner.invoke(args=["archive", "reverify", "--employer", uscc])
    assert result.exit_code == 1, result.output
    assert f"invalid {ours[1].number}" in result.output and "valid: 1, invalid: 1" in result.output
    logged = db.session.scalars(select(AccessLogEntry).where(AccessLogEntry.action == "verify",
                                                             AccessLogEntry.contract_id.is_(None)))
    assert [e.count for e in logged] == [2, 2, 2, 2]

    # the other region's auditor cannot name this employer; a bad USCC is named as such
    other = _user(app, "auditor2")
    refused = _post(other, "/audit/archive-jobs/reverify", employer=uscc)
    assert refused.status_code == 422 and "不在您的管辖范围内" in refused.get_data(as_text=True)
    bad = _post(other, "/audit/archive-jobs/reverify", employer="123")
    assert bad.status_code == 422 and "统一社会信用代码应为18位" in bad.get_data(as_text=True)


@pytest.mark.postgresql_only  # the queries are plain; the archive backend is what varies
def test_the_zip_is_stored_in_parts_on_s3_and_comes_back_whole(client, world, outbox, s3_server,
                                                                s3_bucket, monkeypatch, tmp_path):
    from archive import S3ObjectStore

    store = S3ObjectStore(s3_server.endpoint, s3_server.access_key, s3_server.secret_key,
                          s3_bucket)
    store.ensure_bucket()
    archive_ext.use(store)
    one = _file(client, world, outbox, "api_key", 2026)
    monkeypatch.setitem(client.application.config, "ARCHIVE_EXPORT_PART_BYTES", 40_000)
    out = tmp_path / "evidence.zip"
    result = client.application.test_cli_runner().invoke(
        args=["archive", "evidence-zip", "--employer", world["org"].uscc, "--out", str(out)])
    assert result.exit_code == 0, result.output
    job = db.session.scalars(select(ArchiveJob)).one()
    parts = [store.stat(p["key"]) for p in job.summary["parts"]]
    assert len(parts) > 1 and all(p.key.startswith(f"exports/{job.id}/") for p in parts)
    assert all(p.retain_until and p.retain_until <= job.expires_at for p in parts)
    assert hashlib.sha256(out.read_bytes()).hexdigest() == job.sha256
    assert package_checks(folders(out.read_bytes())[one.number])
