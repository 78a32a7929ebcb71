"""Observability of the running service: logs, request ids, metrics (issue 21).

- :mod:`app.observe.logs`: text or JSON log lines (``LOG_FORMAT``), tokens and personal data
  scrubbed, the request id on every line;
- :mod:`app.observe.context`: the request id of the work in progress (requests and the jobs
  they queued);
- :mod:`app.observe.hooks`: per-request metrics and log line, the ``X-Request-ID`` header;
- :mod:`app.observe.endpoint`: ``GET /metrics`` with :mod:`app.observe.collector`'s gauges;
- :mod:`app.observe.store`: object-store failures counted.

The metric objects themselves live in :mod:`app.metrics`; ``/healthz`` and ``/readyz`` in
:mod:`app.health`. Nothing is imported at package level: the job runner and gunicorn's
config import :mod:`app.observe.context` and :mod:`app.observe.logs` alone.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Configure logging from ``LOG_FORMAT``/``LOG_LEVEL``, add the request hooks (before any
    other hook) and the ``/metrics`` route.

    :raises ValueError: an unknown ``LOG_FORMAT`` or ``LOG_LEVEL``, naming the setting.
    """
    from app.observe import endpoint, hooks, logs

    logs.configure(app.config.get("LOG_FORMAT", "text"), app.config.get("LOG_LEVEL", "INFO"))
    hooks.init_app(app)
    app.register_blueprint(endpoint.bp)
