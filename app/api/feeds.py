"""Push APIs of attendance systems and banks under ``/api/v1/feeds`` (feed keys ``lfk_…``)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("feeds", __name__, url_prefix="/feeds")
