"""The worker's phone page behind the SMS link."""

from flask import Blueprint

bp = Blueprint("worker", __name__)

from app.worker import routes  # noqa: E402,F401
