"""Auditors (labor inspectors, arbitrators): search, retrieve and verify archives."""

from app.audit import access, archive_jobs, late, routes  # noqa: F401 - registers the routes
from app.audit.blueprint import bp

__all__ = ["bp"]
