"""``GET /metrics``: the Prometheus text exposition, guarded.

Access rule: with ``METRICS_TOKEN`` set, only ``Authorization: Bearer <METRICS_TOKEN>``
(compared in constant time; anything else 401). Unset, ``/metrics`` is open in the embedded
default and refused (403) in production mode. nginx does not pass ``/metrics`` from outside
either: Prometheus scrapes the app processes directly.

Under gunicorn with ``PROMETHEUS_MULTIPROC_DIR`` the counters and histograms of every
process sharing that folder are summed (prometheus-client's multiprocess collector);
without it, this process's default registry is served. The database gauges
(:mod:`app.observe.collector`) are computed at each scrape.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Iterator

from flask import Blueprint, Response, current_app, request
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from app.errors import Forbidden, Unauthorized
from app.observe.collector import DatabaseCollector

bp = Blueprint("observe", __name__)
METRICS_TOKEN_REQUIRED = "需要有效的监控令牌（Authorization: Bearer）"
METRICS_OFF = "生产模式下未设置 METRICS_TOKEN，监控指标不开放"


class _Default(Collector):
    """This process's default registry (single-process mode)."""

    def collect(self) -> Iterator:
        """Every metric of the default registry."""
        return REGISTRY.collect()


def scrape_registry() -> CollectorRegistry:
    """A registry for one scrape: process metrics (multiprocess or not) plus the database's."""
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)
    else:
        registry.register(_Default())
    registry.register(DatabaseCollector())
    return registry


def check_access() -> None:
    """Apply the access rule of the module doc.

    :raises Unauthorized: a token is set and the request does not carry it.
    :raises Forbidden: production mode without a token.
    """
    token = current_app.config.get("METRICS_TOKEN") or ""
    if token:
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(),
                                                                 token.encode()):
            raise Unauthorized(METRICS_TOKEN_REQUIRED, code="metrics_token_required")
    elif current_app.config.get("PRODUCTION"):
        raise Forbidden(METRICS_OFF, code="metrics_disabled")


@bp.get("/metrics")
def metrics() -> Response:
    """The metrics in Prometheus' text format."""
    check_access()
    return Response(generate_latest(scrape_registry()), content_type=CONTENT_TYPE_LATEST)
