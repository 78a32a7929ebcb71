"""The blueprint of ``app.employer``; each route module attaches its views to it."""

from flask import Blueprint

bp = Blueprint("employer", __name__, url_prefix="/employer")
