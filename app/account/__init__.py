"""An employer admin's users and API keys; every user's own password."""

from flask import Blueprint

bp = Blueprint("account", __name__, url_prefix="/account")

from app.account import routes, webhooks  # noqa: E402,F401
