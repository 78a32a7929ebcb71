"""The blueprint of ``app.projects``; each route module attaches its views to it."""

from flask import Blueprint

bp = Blueprint("projects", __name__, url_prefix="/projects")
