"""An employer admin's users and API keys; every user's own password."""

from app.account import routes, webhooks  # noqa: F401 - registers the routes
from app.account.blueprint import bp

__all__ = ["bp"]
