"""The blueprint of ``app.worker``; each route module attaches its views to it."""

from flask import Blueprint

bp = Blueprint("worker", __name__)
