"""Job workers and the scheduler serve their own metrics on METRICS_PORT: the texts a worker
sent and the jobs it finished are counted in that process, so Prometheus must reach it there."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest

from app import metrics
from app.cli import jobs as jobs_cli
from app.observe.serve import start_metrics_server
from tests.ports import free_port


def _get(port: int, token: str | None = None) -> tuple[int, str]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/metrics")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.fixture
def served():
    servers = []

    def start(**config):
        server = start_metrics_server({"METRICS_ADDR": "127.0.0.1", **config})
        if server is not None:
            servers.append(server)
        return server

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_a_worker_serves_its_own_counters_behind_the_token(served):
    port = free_port()
    assert served(METRICS_PORT=port, METRICS_TOKEN="scrape-token-0123456789") is not None
    metrics.SMS_SENT.labels(provider="tencent", kind="sign_code").inc()
    metrics.JOBS_FINISHED.labels(kind="sms", outcome="done").inc()
    assert _get(port)[0] == 401
    assert _get(port, "wrong-token")[0] == 401
    status, text = _get(port, "scrape-token-0123456789")
    assert status == 200
    assert 'laborsign_sms_sent_total{kind="sign_code",provider="tencent"}' in text
    assert 'laborsign_jobs_finished_total{kind="sms",outcome="done"}' in text


def test_off_by_default_and_never_open_in_production(served):
    assert served(METRICS_PORT=0) is None
    assert served(METRICS_PORT=free_port(), PRODUCTION=True, METRICS_TOKEN="") is None


def test_open_without_a_token_outside_production(served):
    port = free_port()
    served(METRICS_PORT=port)
    status, text = _get(port)
    assert status == 200 and "laborsign_jobs_finished_total" in text


def test_flask_jobs_work_starts_it(app, monkeypatch):
    """The long-running worker starts the server before its loop (--once does not)."""
    started, looped = [], []
    monkeypatch.setattr(jobs_cli, "start_metrics_server", lambda config: started.append(config))
    monkeypatch.setattr(jobs_cli.platform, "work_forever", lambda **kw: looped.append(kw))
    runner = app.test_cli_runner()
    assert runner.invoke(args=["jobs", "work", "--once"]).exit_code == 0
    assert started == []
    result = runner.invoke(args=["jobs", "work"])
    assert result.exit_code == 0, result.output
    assert len(started) == 1 and looped == [{"poll_seconds": 0.25}]
