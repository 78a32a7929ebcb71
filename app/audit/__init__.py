"""Auditors (labor inspectors, arbitrators): search, retrieve and verify archives."""

from flask import Blueprint

bp = Blueprint("audit", __name__, url_prefix="/audit")

from app.audit import routes  # noqa: E402,F401
