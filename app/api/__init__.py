"""REST API v1 (JSON). Employers authenticate with ``Authorization: Bearer <api key>``."""

from flask import Blueprint

bp = Blueprint("api", __name__)

from app.api import contracts, openapi, sign  # noqa: E402,F401
