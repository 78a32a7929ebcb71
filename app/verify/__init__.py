"""Public verification: anyone uploads a signed PDF and gets the report (nothing is stored)."""

from flask import Blueprint

bp = Blueprint("verify", __name__)

from app.verify import routes  # noqa: E402,F401
