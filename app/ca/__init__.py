"""Public PKI endpoints: root certificate, CRLs, the RFC 3161 time-stamp authority."""

from app.ca import routes  # noqa: F401 - registers the routes
from app.ca.blueprint import bp

__all__ = ["bp"]
