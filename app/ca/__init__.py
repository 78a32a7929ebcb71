"""Public PKI endpoints: root certificate, CRLs, the RFC 3161 time-stamp authority."""

from flask import Blueprint

bp = Blueprint("ca", __name__)

from app.ca import routes  # noqa: E402,F401
