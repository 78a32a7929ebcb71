"""The blueprint of ``app.admin``; each route module attaches its views to it."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")
