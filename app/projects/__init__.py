"""Construction-project pages: projects, their archives and completeness board, the county
view."""

from app.projects import feed_keys, routes, wages  # noqa: F401 - registers the routes
from app.projects.blueprint import bp

__all__ = ["bp"]
