"""``GET /healthz``: is the database reachable, is the archive reachable (for load balancers)."""

from flask import Blueprint, jsonify
from sqlalchemy import text

from app.extensions import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """200 when the database and the archive answer, 503 (naming what failed) otherwise."""
    from app.services.filing import filing
    from archive import ArchiveError

    checks = {}
    try:
        db.session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        db.session.rollback()
        checks["database"] = f"error: {type(exc).__name__}"
    try:
        filing.store().healthcheck()
        checks["archive"] = "ok"
    except (ArchiveError, OSError) as exc:
        checks["archive"] = f"error: {type(exc).__name__}"
    healthy = all(v == "ok" for v in checks.values())
    return jsonify({"status": "ok" if healthy else "degraded", "checks": checks}), (
        200 if healthy else 503)
