"""Per-request observation: the request id, request metrics and (JSON logs) one log line.

Registered before every other hook (``create_app`` calls :func:`app.observe.init_app`
first), so the duration includes the other hooks, e.g. the inline jobs of the embedded
default. The metric label is the Flask endpoint name, never the path (tokens live in paths).
"""

from __future__ import annotations

import logging
import time

from flask import Flask, Response, current_app, g, request

from app.metrics import REQUEST_SECONDS, REQUESTS
from app.observe import context

log = logging.getLogger("laborsign.request")
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_STATE = "laborsign_observe"  # attribute of flask.g: (start, context token, recorded?)


def init_app(app: Flask) -> None:
    """Add the hooks to ``app``."""
    app.before_request(_start)
    app.after_request(_finish)
    app.teardown_request(_teardown)


def _start() -> None:
    request_id = context.accept(request.headers.get(context.HEADER))
    g.request_id = request_id
    setattr(g, _STATE, {"start": time.perf_counter(), "token": context.bind(request_id),
                        "recorded": False})


def endpoint_label() -> str:
    """The matched route's endpoint name, ``"unknown"`` when none matched."""
    return request.url_rule.endpoint if request.url_rule is not None else "unknown"


def _record(status: int) -> None:
    state = g.get(_STATE)
    if state is None or state["recorded"]:
        return
    state["recorded"] = True
    duration = time.perf_counter() - state["start"]
    endpoint = endpoint_label()
    method = request.method if request.method in METHODS else "OTHER"
    REQUESTS.labels(endpoint=endpoint, method=method, status=f"{status}").inc()
    REQUEST_SECONDS.labels(endpoint=endpoint).observe(duration)
    if current_app.config.get("LOG_FORMAT") == "json":
        log.info("%s %s %s", method, endpoint, status, extra={
            "method": method, "endpoint": endpoint, "status": status,
            "duration": round(duration, 4)})


def _finish(response: Response) -> Response:
    request_id = g.get("request_id")
    if request_id:
        response.headers[context.HEADER] = request_id
    _record(response.status_code)
    return response


def _teardown(exc: BaseException | None) -> None:
    if exc is not None:
        _record(500)  # an error no handler answered (nothing was recorded)
    state = g.pop(_STATE, None)
    if state is not None:
        try:
            context.unbind(state["token"])
        except ValueError:  # torn down in another context: just forget the id
            context.bind(None)
