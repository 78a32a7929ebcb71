"""Role checks for views."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask_login import current_user, login_required

from app.errors import Forbidden
from app.services.platform import principal


def current_principal() -> principal.Principal:
    """The principal of the logged-in user (anonymous when nobody is logged in)."""
    if not current_user.is_authenticated:
        return principal.ANONYMOUS
    return principal.of_user(current_user)


def role_required(*roles: str) -> Callable:
    """Only logged-in users with one of ``roles`` may call the view."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                raise Forbidden("您没有权限访问此页面")
            return view(*args, **kwargs)

        return wrapped

    return decorate
