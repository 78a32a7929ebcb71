"""The worker's phone page behind the SMS link."""

from app.worker import routes  # noqa: F401 - registers the routes
from app.worker.blueprint import bp

__all__ = ["bp"]
