"""A job run that outlives its lease: another worker claimed the job meanwhile, so the first
run's outcome (done, retry or failed) must not overwrite the new holder's claim."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from app.extensions import db
from app.models import Job
from app.services.platform import jobs


@pytest.fixture
def taken_over():
    """A handler kind whose run ends after another worker took the job over."""
    outcome = {"raise": False}

    def handler(payload):
        db.session.execute(update(Job).where(Job.id == payload["job"])
                           .values(locked_by="other-host:2"))
        db.session.commit()  # the other worker's claim, committed while this run goes on
        if outcome["raise"]:
            raise RuntimeError("archive unreachable")

    jobs.register("lease_test", handler)
    try:
        yield outcome
    finally:
        jobs.HANDLERS.pop("lease_test", None)


@pytest.mark.parametrize("fails", [False, True])
def test_a_run_past_its_lease_leaves_the_job_to_its_new_holder(ctx, taken_over, fails):
    taken_over["raise"] = fails
    job = jobs.enqueue("lease_test", {}, after_request=False)
    db.session.commit()
    job.payload = {"job": job.id}
    db.session.commit()
    claimed = jobs.claim("this-host:1", job_id=job.id)
    assert claimed is not None and claimed.locked_by == "this-host:1"
    assert jobs.execute(claimed) is False
    row = db.session.get(Job, job.id)
    db.session.refresh(row)
    assert (row.status, row.locked_by, row.attempts, row.last_error) == (
        "running", "other-host:2", 1, None)


def test_a_run_that_still_holds_its_job_records_the_outcome(ctx):
    jobs.register("lease_test_ok", lambda payload: None)
    try:
        job = jobs.enqueue("lease_test_ok", {}, after_request=False)
        db.session.commit()
        assert jobs.execute(jobs.claim("this-host:1", job_id=job.id)) is True
        row = db.session.get(Job, job.id)
        db.session.refresh(row)
        assert (row.status, row.locked_by) == ("done", None) and row.finished_at is not None
    finally:
        jobs.HANDLERS.pop("lease_test_ok", None)
