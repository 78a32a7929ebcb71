"""The portal's own cookies (path ``/me``, HttpOnly): the code step's token and the session's.

They are separate from the employers' login session (Flask-Login): an employer's login does
not open the portal and a portal session opens no employer page.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import current_app, redirect, request, url_for

from app.errors import Unauthorized
from app.services.platform.principal import Principal
from app.services.worker_space import sign_in

SESSION = "portal_session"
PENDING = "portal_pending"
PATH = "/me"


def put(response, name: str, value: str, max_age: int | None = None):
    """Set one of the portal's cookies on ``response``."""
    response.set_cookie(name, value, max_age=max_age, path=PATH, httponly=True, samesite="Lax",
                        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")))
    return response


def drop(response, name: str):
    """Remove one of the portal's cookies."""
    response.delete_cookie(name, path=PATH, httponly=True, samesite="Lax",
                           secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")))
    return response


def person_required(view: Callable) -> Callable:
    """The view gets the signed-in person's principal first; without a live portal session
    the browser goes to the portal's sign-in page."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        try:
            person: Principal = sign_in.session_principal(request.cookies.get(SESSION))
        except Unauthorized:
            return drop(redirect(url_for("portal.sign_in")), SESSION)
        return view(person, *args, **kwargs)

    return wrapped
