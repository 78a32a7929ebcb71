"""Logging in and out, self-registration, forgotten passwords; role checks for the others."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from app.auth import password, register, routes  # noqa: E402,F401
