"""What every surface does around a use case and a file it sends, in one place.

A use case owns its transaction: it commits, or raises an :class:`~app.errors.AppError` having
written nothing that stays. A route calls it through :func:`attempt`: on an AppError the
session is rolled back and the route's page is shown again — with the field messages, the
banner and what the user typed, and ``Retry-After`` when throttled — instead of the route's own
answer, with the refusal's status (a page that must not show a refusal, e.g. a 404 for what
is another tenant's, re-raises it from ``again``)::

    user = attempt(accounts.invite_user, me, request.form.to_dict(), again=_users_page)
    flash(...)
    return redirect(...)

JSON routes need none of this: an AppError they let through becomes a JSON error (and a
rollback) in :func:`app.errors.register_error_handlers`.

Files (contract PDFs, reports, exports) leave through :func:`download`: the services hand over
bytes and names, never a Flask response.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flask import Flask, Response, make_response

from app.errors import AppError, translated_fields
from app.extensions import db
from app.services.contracts.queries import ContractPdf

T = TypeVar("T")


@dataclass(frozen=True)
class Refusal:
    """A use case's refusal as a page shows it: each field's message and the banner in the
    reader's language, and the HTTP status (nothing refused: :data:`NOTHING`)."""

    fields: dict[str, str] = field(default_factory=dict)
    message: str | None = None
    status: int = 200
    error: AppError | None = None

    @classmethod
    def of(cls, error: AppError) -> Refusal:
        """The refusal of ``error``."""
        return cls(translated_fields(error.fields), error.message, error.status, error)

    @property
    def headers(self) -> dict[str, str]:
        """``Retry-After`` when the refusal was a rate limit."""
        seconds = getattr(self.error, "retry_after", None)
        return {"Retry-After": str(seconds)} if seconds else {}

    def banner_only(self) -> Refusal:
        """The same refusal without field messages (for a page whose form was not the one
        submitted: the message goes above it, its fields stay as they were)."""
        return Refusal(message=self.message, status=self.status, error=self.error)

    def __bool__(self) -> bool:
        return self.error is not None


#: No refusal: a page shown for the first time.
NOTHING = Refusal()


class ShownAgain(Exception):
    """Raised by :func:`attempt`: the answer to send instead of the route's own."""

    def __init__(self, response: Response):
        super().__init__(response.status)
        self.response = response


def attempt(use_case: Callable[..., T], *args: Any, again: Callable[[Refusal], Any],
            **kwargs: Any) -> T:
    """``use_case(*args, **kwargs)``; when it refuses (AppError), roll back and answer with
    ``again(refusal)`` — the form shown again with what was typed.

    :raises ShownAgain: carrying that answer (handled by :func:`init_app`'s handler).
    """
    try:
        return use_case(*args, **kwargs)
    except AppError as exc:
        db.session.rollback()
        refusal = Refusal.of(exc)
        response = make_response(again(refusal))
        for name, value in refusal.headers.items():
            response.headers.setdefault(name, value)
        raise ShownAgain(response) from None


def download(data: bytes, mimetype: str, filename: str, *, inline: bool = False,
             sha256: str | None = None) -> Response:
    """A file as the answer: saved under ``filename`` (or shown, ``inline``), never kept by a
    shared cache; ``sha256`` is sent as ``X-Content-SHA256`` for the reader to check.

    :param filename: ASCII (contract and filing numbers, dates): it is quoted as given.
    """
    resp = Response(data, mimetype=mimetype)
    resp.headers["Content-Disposition"] = \
        f'{"inline" if inline else "attachment"}; filename="{filename}"'
    resp.headers["Cache-Control"] = "private, no-store"
    if sha256:
        resp.headers["X-Content-SHA256"] = sha256
    return resp


def contract_pdf(pdf: ContractPdf) -> Response:
    """A contract's current PDF, shown in the browser, with its SHA-256."""
    return download(pdf.data, "application/pdf", f"{pdf.contract_no}.pdf", inline=True,
                    sha256=pdf.sha256)


def init_app(app: Flask) -> None:
    """Answer a :class:`ShownAgain` with the page it carries."""
    app.register_error_handler(ShownAgain, lambda exc: exc.response)
