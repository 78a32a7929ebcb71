"""Platform administration: certificates, employers' review and status, auditors, the
minimum-wage table, the wage-arrears warning thresholds."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from app.admin import (  # noqa: E402,F401
    auditors,
    minimum_wages,
    organizations,
    routes,
    templates,
    wage_thresholds,
)
