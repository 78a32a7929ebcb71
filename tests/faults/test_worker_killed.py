"""Fault 2: a job worker is killed (SIGKILL) in the middle of an upload.

The proxy in front of the S3 server holds the filing's first upload (the worker is inside
``put``); the worker holding the job is killed; the bytes it had sent never arrive. After the
job's lease (3 s here) the other worker takes the job over and files the contract, once.
"""

from __future__ import annotations

import signal
import socket

import pytest

from tests.faults.conftest import wait_until
from tests.faults.end_state import unclear_answers

pytestmark = pytest.mark.xdist_group("faults_s3")

FILINGS = "PUT /laborsign-load/filings/"


def test_a_killed_workers_filing_is_finished_by_another(s3_stack):
    fs, api = s3_stack, s3_stack.api
    workers = fs.stack.job_names()
    c = api.launch()
    assert api.verify(c), api.answers[-1]
    before = fs.proxy.seen(FILINGS)
    fs.proxy.stall_on(FILINGS)
    assert api.sign(c).status_code == 200
    try:
        fs.proxy.wait_for(FILINGS, before + 1, timeout=30)
        holder = fs.scalar("SELECT locked_by FROM jobs WHERE kind = 'file_contract' AND "
                           "payload->>'contract_id' = :id", id=str(c["id"]))
        host, pid = holder.rsplit(":", 1)
        assert host == socket.gethostname()
        victim = next(n for n in workers if fs.stack.procs[n].pid == int(pid))
        assert fs.stack.kill(victim) == -signal.SIGKILL
    finally:
        fs.proxy.release()
    try:
        filed = wait_until(lambda: fs.scalar(
            "SELECT number FROM filings WHERE contract_id = :id", id=c["id"]), 40,
            "the other worker filing the contract after the lease")
        job = fs.rows("SELECT status, attempts FROM jobs WHERE kind = 'file_contract' AND "
                      "payload->>'contract_id' = :id", id=str(c["id"]))
        assert [tuple(r) for r in job] == [("done", 2)]  # the killed attempt, then the other's
        assert filed
        state = fs.check()
        assert state.problems == []
        assert unclear_answers(api.answers) == []
    finally:
        fs.stack.start(victim)  # back to two workers for the other scenarios
