"""Prometheus metrics of the platform (``prometheus-client``), one registry of names.

Every other module only increments or observes the objects defined here; how they are
collected (multiprocess under gunicorn, gauges read from the database at scrape time) and
served (``GET /metrics``) lives in :mod:`app.observe`. Label values are short constant words
(route endpoint names, status codes, provider and job kind names), never user data.
"""

from __future__ import annotations

import os

from prometheus_client import Counter, Histogram

# Multiprocess mode (gunicorn): prometheus-client writes each process's values to files in
# this folder, created here so that a fresh folder setting works without a separate step.
if _MULTIPROC_DIR := os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.makedirs(_MULTIPROC_DIR, exist_ok=True)

#: HTTP requests by Flask endpoint (``"unknown"`` when none matched), method and status code
REQUESTS = Counter("laborsign_http_requests_total", "HTTP requests answered",
                   ["endpoint", "method", "status"])
#: HTTP request latency by endpoint
REQUEST_SECONDS = Histogram("laborsign_http_request_seconds", "HTTP request latency",
                            ["endpoint"],
                            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
#: one signature applied (party: "employer" seal | "worker", whose time includes the
#: long-term validation data and time-stamps the last signature adds), with its duration
SIGNING_SECONDS = Histogram("laborsign_signing_seconds", "Time to apply one PDF signature",
                            ["party"], buckets=(0.025, 0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.4))
#: seconds from the last signature to the filing being archived
FILING_LAG_SECONDS = Histogram("laborsign_filing_lag_seconds",
                               "Seconds from the last signature to the filing",
                               buckets=(0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600, 21600, 86400))
#: text messages by provider ("file", "log", "aliyun", "tencent") and message kind
SMS_SENT = Counter("laborsign_sms_sent_total", "Text messages accepted by a provider",
                   ["provider", "kind"])
#: failed sends by provider and reason ("throttled", "template", "unavailable", "rejected", ...)
SMS_FAILED = Counter("laborsign_sms_failed_total", "Text messages a provider did not accept",
                     ["provider", "reason"])
#: scheduler runs by job name and outcome ("ok" | "failed")
SCHEDULER_RUNS = Counter("laborsign_scheduler_runs_total", "Periodic job runs",
                         ["job", "outcome"])
#: object-store operations that failed, by backend ("local" | "s3") and operation
OBJECT_STORE_ERRORS = Counter("laborsign_object_store_errors_total",
                              "Object store operations that failed", ["backend", "operation"])
#: jobs finished by kind and outcome ("done" | "retry" | "failed")
JOBS_FINISHED = Counter("laborsign_jobs_finished_total", "Jobs run by a worker",
                        ["kind", "outcome"])

__all__ = ["FILING_LAG_SECONDS", "JOBS_FINISHED", "OBJECT_STORE_ERRORS", "REQUESTS",
           "REQUEST_SECONDS", "SCHEDULER_RUNS", "SIGNING_SECONDS", "SMS_FAILED", "SMS_SENT"]
