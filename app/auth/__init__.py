"""Logging in and out, self-registration, forgotten passwords; role checks for the others."""

from app.auth import password, register, routes  # noqa: F401 - registers the routes
from app.auth.blueprint import bp

__all__ = ["bp"]
