"""Public ``/verify`` page."""

from app.verify import bp  # noqa: F401
