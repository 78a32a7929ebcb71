"""Metrics of a process that serves no HTTP of its own (``flask jobs work``, ``flask schedule
run``): a small exposition server on ``METRICS_PORT``, with the same token rule as
``GET /metrics``. Its counters (jobs finished, texts sent and failed by provider, object-store
errors, scheduler runs) live in that process, so Prometheus scrapes it there; the database
gauges are served by the web pool's ``/metrics`` only (one copy of them is enough).
"""

from __future__ import annotations

import hmac
import logging
import os
import threading
from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import CollectorRegistry, make_wsgi_app
from prometheus_client.multiprocess import MultiProcessCollector

from app.observe.endpoint import _Default

log = logging.getLogger(__name__)
REFUSED_IN_PRODUCTION = "METRICS_PORT is set but METRICS_TOKEN is not: production serves no open metrics"


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib's name
        """Scrapes are not logged (one every few seconds)."""


def process_registry() -> CollectorRegistry:
    """This process's metrics (summed over the folder's processes in multiprocess mode)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry(auto_describe=False)
        MultiProcessCollector(registry)
        return registry
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Default())
    return registry


def guarded(app: Callable, token: str) -> Callable:
    """``app`` behind ``Authorization: Bearer <token>`` (constant-time compare; 401 else)."""
    expected = f"Bearer {token}".encode()

    def wsgi(environ: dict, start_response: Callable) -> Iterable[bytes]:
        given = environ.get("HTTP_AUTHORIZATION", "").strip().encode()
        if token and not hmac.compare_digest(given, expected):
            start_response("401 Unauthorized", [("Content-Type", "text/plain; charset=utf-8"),
                                                ("WWW-Authenticate", "Bearer")])
            return [b"metrics token required\n"]
        return app(environ, start_response)

    return wsgi


def start_metrics_server(config: dict) -> WSGIServer | None:
    """Serve this process's metrics on ``METRICS_PORT`` (``METRICS_ADDR``) in a daemon thread;
    None when the port is 0 (off) or when production mode has no ``METRICS_TOKEN``."""
    port = int(config.get("METRICS_PORT") or 0)
    if not port:
        return None
    token = config.get("METRICS_TOKEN") or ""
    if config.get("PRODUCTION") and not token:
        log.warning(REFUSED_IN_PRODUCTION)
        return None
    server = make_server(config.get("METRICS_ADDR") or "0.0.0.0", port,
                         guarded(make_wsgi_app(process_registry()), token),
                         server_class=_Server, handler_class=_Quiet)
    threading.Thread(target=server.serve_forever, name="metrics", daemon=True).start()
    log.info("metrics served on port %d", server.server_port)
    return server
