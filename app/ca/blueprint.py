"""The blueprint of ``app.ca``; each route module attaches its views to it."""

from flask import Blueprint

bp = Blueprint("ca", __name__)
