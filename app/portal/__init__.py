"""The worker's own space: sign in by SMS code, every signed contract, pay, history."""

from app.portal import routes, signin  # noqa: F401 - registers the routes
from app.portal.blueprint import bp

__all__ = ["bp"]
