"""Construction-project pages: projects, their archives and completeness board, the county
view."""

from flask import Blueprint

bp = Blueprint("projects", __name__, url_prefix="/projects")

from app.projects import routes, wages  # noqa: E402,F401
