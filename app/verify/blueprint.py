"""The blueprint of ``app.verify``; each route module attaches its views to it."""

from flask import Blueprint

bp = Blueprint("verify", __name__)
