"""The blueprint of ``app.account``; each route module attaches its views to it."""

from flask import Blueprint

bp = Blueprint("account", __name__, url_prefix="/account")
