"""Fault 6: the local archive's disk is full, or read-only.

``ARCHIVE_BACKEND=local`` on a small tmpfs mounted for the test (as root: ``chmod`` would not
stop root's writes, a full or read-only file system does). The worker signs while there is
room; then the disk fills up (or is remounted read-only) before the filing job runs. The
filing fails and stays queued with its error, the contract stays signed, and a request that
must write to the archive meanwhile gets a clear 503. When space returns (or the disk is
writable again) the retried filing completes, once, and the end state holds.
"""

from __future__ import annotations

import subprocess
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.domain.ids import id_with_check
from app.extensions import archive_ext, db
from app.models import Contract, Filing, Job
from app.models.base import utcnow
from app.services.platform import jobs
from archive import LocalObjectStore
from tests.app.flows import sent_contract, worker_session, worker_sign
from tests.conftest import bearer, contract_payload
from tests.faults import end_state
from tests.needs import need

pytestmark = pytest.mark.postgresql_only  # the production database; the disk is what fails


@pytest.fixture
def small_disk(tmp_path):
    """A 4 MB tmpfs mounted at ``tmp_path / "disk"``, unmounted afterwards."""
    disk = tmp_path / "disk"
    disk.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(disk)],
                          capture_output=True, text=True, check=False)
    need(done.returncode == 0, f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def fill(disk) -> None:
    """Write until the file system is full."""
    with open(disk / "filler", "wb") as fh:
        try:
            while True:
                fh.write(b"\0" * 65536)
                fh.flush()
        except OSError:
            pass


def remount(disk, mode: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{mode}", str(disk)], check=True,
                   capture_output=True)


@pytest.mark.parametrize("fault", ["full", "read-only"])
def test_filing_waits_for_the_archive_disk(client, world, outbox, small_disk, fault):
    app = client.application
    store = LocalObjectStore(small_disk / "archive")
    archive_ext.use(store, app=app)
    contract_id, link = sent_contract(client, world, outbox)
    session = worker_session(client, outbox, link)
    app.config["JOBS_INLINE"] = False  # the filing waits for a job worker
    try:
        assert worker_sign(client, link, session).status_code == 200
    finally:
        app.config["JOBS_INLINE"] = True
    if fault == "full":
        fill(small_disk)
    else:
        remount(small_disk, "ro")

    jobs.run_pending()  # the job worker's turn: the archive cannot take the filing
    job = db.session.scalar(select(Job).where(Job.kind == "file_contract"))
    assert job.status == "queued" and job.attempts == 1
    assert "No space left on device" in job.last_error or "Read-only file system" in job.last_error
    db.session.expire_all()
    assert db.session.get(Contract, contract_id).status == "signed"
    assert db.session.scalar(select(Filing)) is None
    other = contract_payload(worker_name="李四", worker_phone="13800138001",
                             worker_id_number=id_with_check("36042619920202003"))
    answer = client.post("/api/v1/contracts", json=other, headers=bearer(world["api_key"]))
    assert db.session.scalar(select(func.count(Contract.id))) == 1  # its draft needs the disk

    if fault == "full":
        (small_disk / "filler").unlink()
    else:
        remount(small_disk, "rw")
    later = utcnow() + jobs.backoff(1) + timedelta(seconds=1)  # the retry is due
    retried = jobs.claim("fault-worker", now=later)
    assert retried is not None and retried.id == job.id
    assert jobs.execute(retried)
    db.session.expire_all()
    filing = db.session.scalar(select(Filing).where(Filing.contract_id == contract_id))
    assert filing is not None and db.session.get(Contract, contract_id).status == "filed"
    assert job.attempts == 2
    state = end_state.check(db.engine, store)
    assert state.problems == []
    assert state.signed == state.filed == 1
    assert answer.status_code == 503, answer.get_data(as_text=True)
    assert answer.get_json()["error"] == "archive_unavailable"
    assert "档案库暂时无法访问" in answer.get_json()["message"]
