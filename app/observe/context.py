"""The request id of the work in progress: a request, or a job queued by one.

A context variable (not ``flask.g``) so that log records of any code — services, jobs run by
``flask jobs work``, threads started with a copied context — carry it without a request.
Only the standard library is used here: the job runner and gunicorn's config import it.
"""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar, Token

#: X-Request-ID values taken from a client or proxy: 8–128 characters, letters, digits, ``._:-``
SANE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,127}")
HEADER = "X-Request-ID"
_current: ContextVar[str | None] = ContextVar("laborsign_request_id", default=None)


def new_id() -> str:
    """A fresh request id (32 hex digits, like nginx's ``$request_id``)."""
    return uuid.uuid4().hex


def accept(incoming: str | None) -> str:
    """``incoming`` when it is a sane id (length and characters checked), else a new one."""
    if incoming and SANE_ID.fullmatch(incoming):
        return incoming
    return new_id()


def current() -> str | None:
    """The request id of the work in progress, None outside a request or job."""
    return _current.get()


def bind(request_id: str | None) -> Token:
    """Make ``request_id`` current; pass the returned token to :func:`unbind` afterwards."""
    return _current.set(request_id)


def unbind(token: Token) -> None:
    """Restore the request id that was current before :func:`bind`."""
    _current.reset(token)
