"""``GET /healthz`` (the process answers) and ``GET /readyz`` (it can serve: database, object
store, signing keys, job queue), for load balancers and orchestrators.

``/healthz`` touches nothing outside the process: a failing database must not make an
orchestrator restart every app process. ``/readyz`` answers 503 naming what failed
(:mod:`app.health.checks`); nginx does not pass it (nor ``/metrics``) from outside.
"""

from flask import Blueprint, jsonify

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """200 whenever the process answers (no database, no store)."""
    return jsonify({"status": "ok"})


@bp.get("/readyz")
def readyz():
    """200 when every readiness check passes, else 503 with each check's answer."""
    from app.health.checks import readiness

    checks = readiness()
    ready = all(answer == "ok" for answer in checks.values())
    return jsonify({"status": "ok" if ready else "unavailable", "checks": checks}), (
        200 if ready else 503)
