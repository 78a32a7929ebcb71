"""Employer pages: contracts list, new contract, detail, seal and send, expiring contracts and
renewal."""

from app.employer import (  # noqa: F401 - registers the routes
    batches,
    english,
    expiry,
    listing,
    preview,
    print_copy,
    register,
    routes,
    templates,
)
from app.employer.blueprint import bp

__all__ = ["bp"]
