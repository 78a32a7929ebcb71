"""The blueprint of ``app.audit``; each route module attaches its views to it."""

from flask import Blueprint

bp = Blueprint("audit", __name__, url_prefix="/audit")
