"""The labor bureau's county-wide pages: the employment register (用工信息库)."""

from app.bureau import routes  # noqa: F401 - registers the routes
from app.bureau.blueprint import bp

__all__ = ["bp"]
