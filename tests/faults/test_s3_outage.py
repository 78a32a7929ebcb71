"""Fault 1: the S3 server goes away in the middle of a run of filings and comes back.

S3 disappears (the proxy in front of moto_server closes and resets every connection) at the
second filing upload — the first filing's manifest or the next one's audit trail. Filings
fail and are retried; a worker who signs meanwhile gets a clear 503 and their contract stays
as it was. When S3 is back, they sign again and every filing completes, exactly once.
"""

from __future__ import annotations

import pytest

from tests.faults.conftest import wait_until
from tests.faults.end_state import unclear_answers

pytestmark = pytest.mark.xdist_group("faults_s3")

FILINGS = "PUT /laborsign-load/filings/"


def test_filings_survive_an_s3_outage(s3_stack):
    try:
        outage(s3_stack)
    finally:
        s3_stack.proxy.disarm()  # (when it did not go down) …
        s3_stack.proxy.up()  # … and back, for the other scenarios


def outage(fs) -> None:
    """The scenario (see the module docstring)."""
    api = fs.api
    contracts = [api.launch() for _ in range(4)]
    for c in contracts:
        assert api.verify(c), api.answers[-1]
    fs.proxy.trip(FILINGS, fs.proxy.seen(FILINGS) + 2)
    refused = []
    for c in contracts[:3]:  # filed as they are signed, until S3 goes away
        if api.sign(c).status_code != 200:
            refused.append(c)
    wait_until(lambda: not fs.proxy.is_up, 30, "S3 going down mid-filing")
    refused.append(contracts[3])
    for c in refused:
        answer = api.sign(c)  # S3 is down: the signature cannot be archived
        assert answer.status_code == 503, answer.text
        assert fs.scalar("SELECT status FROM contracts WHERE id = :id", id=c["id"]) == "sent"
    ids = [c["id"] for c in contracts]
    wait_until(lambda: fs.scalar("SELECT count(*) FROM jobs WHERE kind = 'file_contract' AND "
                                 "last_error IS NOT NULL AND payload->>'contract_id' = ANY(:ids)",
                                 ids=[str(i) for i in ids]), 30, "a filing failing while S3 is down")
    assert fs.scalar("SELECT count(*) FROM filings WHERE contract_id = ANY(:ids)", ids=ids) == 0

    fs.proxy.up()
    for c in refused:
        assert api.sign(c).status_code == 200
    wait_until(lambda: fs.scalar("SELECT count(*) FROM filings WHERE contract_id = ANY(:ids)",
                                 ids=ids) == 4, 60, "every filing completing after S3 is back")
    wait_until(lambda: not fs.scalar("SELECT count(*) FROM jobs WHERE status <> 'done'"), 30,
               "every job done")
    retried = fs.scalar("SELECT max(attempts) FROM jobs WHERE kind = 'file_contract' AND "
                        "payload->>'contract_id' = ANY(:ids)", ids=[str(i) for i in ids])
    assert retried >= 2
    state = fs.check()
    assert state.problems == []
    assert state.signed == state.filed >= 4
    assert unclear_answers(api.answers) == []
