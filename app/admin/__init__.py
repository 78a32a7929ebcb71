"""Platform administration: certificates, employers' review and status, auditors."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from app.admin import auditors, organizations, routes  # noqa: E402,F401
