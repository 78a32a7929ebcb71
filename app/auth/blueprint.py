"""The blueprint of ``app.auth``; each route module attaches its views to it."""

from flask import Blueprint

bp = Blueprint("auth", __name__)
