"""Public verification: anyone uploads a signed PDF and gets the report (nothing is stored)."""

from app.verify import routes  # noqa: F401 - registers the routes
from app.verify.blueprint import bp

__all__ = ["bp"]
