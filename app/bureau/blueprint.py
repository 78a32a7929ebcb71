"""The blueprint of ``app.bureau``; each route module attaches its views to it."""

from flask import Blueprint

bp = Blueprint("bureau", __name__, url_prefix="/bureau")
