"""Employer pages: contracts list, new contract, detail, seal and send, expiring contracts and
renewal."""

from flask import Blueprint

bp = Blueprint("employer", __name__, url_prefix="/employer")

from app.employer import (  # noqa: E402,F401
    batches,
    english,
    expiry,
    listing,
    preview,
    register,
    routes,
    templates,
)
