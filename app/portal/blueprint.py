"""The blueprint of ``app.portal`` (the worker's own space, under ``/me``)."""

from flask import Blueprint

bp = Blueprint("portal", __name__, url_prefix="/me")
