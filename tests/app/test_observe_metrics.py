"""GET /metrics: what Prometheus reads after real requests, signatures, filings and jobs; the
gauges computed from the database; the token guard."""

from __future__ import annotations

from datetime import timedelta

import pytest
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from app.extensions import archive_ext, db
from app.models import Contract, Job, ScheduledRun
from app.models.base import utcnow
from tests.app.flows import sent_contract, worker_session, worker_sign
from tests.ports import free_port


def scrape(client, **headers) -> dict[tuple[str, tuple], float]:
    """The samples of GET /metrics: (name, sorted labels) -> value."""
    resp = client.get("/metrics", headers=headers)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert resp.content_type.startswith("text/plain")
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(resp.get_data(as_text=True))
            for s in family.samples}


def value(name: str, **labels) -> float:
    """This process's current value of a sample (0 when it has not been written yet)."""
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_requests_are_counted_by_endpoint_never_by_path(client):
    before = value("laborsign_http_requests_total", endpoint="health.healthz", method="GET",
                   status="200")
    missing = value("laborsign_http_requests_total", endpoint="unknown", method="GET",
                    status="404")
    for _ in range(3):
        client.get("/healthz")
    client.get("/s/SomeOneTimeTokenValue123")  # a token in the path
    client.get("/no/such/page")
    samples = scrape(client)
    key = (("endpoint", "health.healthz"), ("method", "GET"), ("status", "200"))
    assert samples[("laborsign_http_requests_total", key)] == before + 3
    assert samples[("laborsign_http_requests_total",
                    (("endpoint", "unknown"), ("method", "GET"), ("status", "404")))] == missing + 1
    assert samples[("laborsign_http_request_seconds_count",
                    (("endpoint", "health.healthz"),))] >= 3
    assert not [k for k in samples if "SomeOneTimeTokenValue123" in repr(k)]
    assert not [k for k in samples if "/no/such/page" in repr(k)]


def test_signing_filing_and_jobs_are_measured(client, world, outbox, ctx):
    employer = value("laborsign_signing_seconds_count", party="employer")
    worker = value("laborsign_signing_seconds_count", party="worker")
    lag = value("laborsign_filing_lag_seconds_count")
    filed = value("laborsign_jobs_finished_total", kind="file_contract", outcome="done")
    contract_id, token = sent_contract(client, world, outbox)
    assert worker_sign(client, token, worker_session(client, outbox, token)).status_code == 200
    assert db.session.get(Contract, contract_id).status == "filed"
    samples = scrape(client)
    assert samples[("laborsign_signing_seconds_count", (("party", "employer"),))] == employer + 1
    assert samples[("laborsign_signing_seconds_count", (("party", "worker"),))] == worker + 1
    assert samples[("laborsign_signing_seconds_sum", (("party", "worker"),))] > 0
    assert samples[("laborsign_filing_lag_seconds_count", ())] == lag + 1
    assert samples[("laborsign_jobs_finished_total",
                    (("kind", "file_contract"), ("outcome", "done")))] == filed + 1
    assert samples[("laborsign_contracts_signed_unfiled", ())] == 0


def test_a_failing_job_counts_a_retry(client, ctx):
    from app.services.platform import jobs

    before = value("laborsign_jobs_finished_total", kind="observe_test_boom", outcome="retry")
    jobs.HANDLERS.setdefault("observe_test_boom", _boom)
    jobs.enqueue("observe_test_boom", {})
    db.session.commit()
    assert jobs.run_pending() == 1
    assert value("laborsign_jobs_finished_total", kind="observe_test_boom",
                 outcome="retry") == before + 1
    samples = scrape(client)
    assert samples[("laborsign_jobs_queued", (("kind", "observe_test_boom"),))] == 1  # retried later


def _boom(payload: dict) -> None:
    raise RuntimeError("always fails")


def test_an_unreachable_store_is_counted(client):
    from archive import S3ObjectStore

    before = value("laborsign_object_store_errors_total", backend="s3", operation="healthcheck")
    archive_ext.use(S3ObjectStore(f"127.0.0.1:{free_port()}", "k", "s", "archive"))
    assert client.get("/readyz").status_code == 503
    assert value("laborsign_object_store_errors_total", backend="s3",
                 operation="healthcheck") == before + 1


def test_a_missing_object_is_an_answer_not_a_store_error(ctx):
    before = value("laborsign_object_store_errors_total", backend="local", operation="exists")
    assert archive_ext.store().exists("contracts/none.pdf") is False
    assert value("laborsign_object_store_errors_total", backend="local",
                 operation="exists") == before


def test_gauges_come_from_the_database(client, world, outbox, ctx):
    now = utcnow()
    db.session.add_all([
        Job(kind="send_sms", payload={}, run_after=now - timedelta(seconds=120)),
        Job(kind="send_sms", payload={}, run_after=now + timedelta(hours=1)),
        Job(kind="file_contract", payload={}, status="failed", run_after=now),
        ScheduledRun(job="reminders", slot="s1", claimed_by="a", started_at=now - timedelta(hours=2),
                     outcome="ok"),
        ScheduledRun(job="reminders", slot="s2", claimed_by="a", started_at=now - timedelta(hours=1),
                     outcome="failed", error="boom"),
        ScheduledRun(job="link_expiry", slot="s1", claimed_by="a", started_at=now, outcome="ok"),
    ])
    db.session.commit()
    contract_id, _ = sent_contract(client, world, outbox)
    contract = db.session.get(Contract, contract_id)
    contract.status, contract.signed_at = "signed", now - timedelta(seconds=600)  # not filed yet
    db.session.commit()
    samples = scrape(client)
    assert samples[("laborsign_metrics_database_up", ())] == 1
    assert samples[("laborsign_jobs_queued", (("kind", "send_sms"),))] == 2
    assert samples[("laborsign_jobs_oldest_due_age_seconds", (("kind", "send_sms"),))] == (
        pytest.approx(120, abs=5))
    assert samples[("laborsign_jobs_failed", (("kind", "file_contract"),))] == 1
    assert samples[("laborsign_scheduler_failed_runs", (("job", "reminders"),))] == 1
    assert samples[("laborsign_scheduler_last_run_failed", (("job", "reminders"),))] == 1
    assert samples[("laborsign_scheduler_last_run_failed", (("job", "link_expiry"),))] == 0
    assert samples[("laborsign_scheduler_last_run_timestamp_seconds", (("job", "link_expiry"),))] \
        == pytest.approx(now.timestamp(), abs=1)
    assert samples[("laborsign_contracts_signed_unfiled", ())] == 1
    assert samples[("laborsign_contracts_unfiled_oldest_age_seconds", ())] == pytest.approx(
        600, abs=5)


def test_the_token_guard(client, ctx):
    ctx.config["METRICS_TOKEN"] = "s3cret-metrics-token"
    try:
        assert client.get("/metrics").status_code == 401
        assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert client.get("/metrics", headers={"Authorization": "Basic s3cret-metrics-token"}
                          ).status_code == 401
        assert scrape(client, Authorization="Bearer s3cret-metrics-token")
    finally:
        ctx.config["METRICS_TOKEN"] = ""


def test_production_without_a_token_refuses(client, ctx):
    ctx.config["PRODUCTION"] = True
    try:
        resp = client.get("/metrics", headers={"Accept": "application/json"})
    finally:
        ctx.config["PRODUCTION"] = False
    assert resp.status_code == 403 and resp.get_json()["error"] == "metrics_disabled"
