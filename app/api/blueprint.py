"""The blueprints of ``app.api``; each route module attaches its views to them."""

from flask import Blueprint

bp = Blueprint("api", __name__)
employer_bp = Blueprint("employer", __name__)
signing_bp = Blueprint("sign", __name__, url_prefix="/sign")
