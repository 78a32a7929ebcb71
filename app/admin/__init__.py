"""Platform administration: certificates, employers' review and status, auditors, the
minimum-wage table."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from app.admin import auditors, minimum_wages, organizations, routes, templates  # noqa: E402,F401
