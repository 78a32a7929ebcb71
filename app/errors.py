"""Application errors and the one handler that turns them into HTTP answers."""

from __future__ import annotations

import logging

from flask import Flask, has_request_context, jsonify, render_template, request
from flask_babel import gettext
from werkzeug.exceptions import HTTPException

from app.domain.typed import Msg
from app.extensions import db
from app.logging_redact import redact

log = logging.getLogger(__name__)


class AppError(Exception):
    """An error a user can act on; ``code`` is stable for API clients."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, fields: dict[str, str] | None = None, code: str = "",
                 **params: object):
        """:param message: Chinese text, a gettext msgid; ``%(name)s`` placeholders are filled
        from ``params`` after translation into the reader's language."""
        super().__init__(message % params if params else message)
        self.template, self.params = message, params
        self.fields = fields or {}
        if code:
            self.code = code

    @property
    def message(self) -> str:
        """The message in the current request's language (Chinese by default)."""
        return _translate(self.template, self.params)

    def to_dict(self) -> dict:
        """The JSON body of the error answer."""
        body: dict = {"error": self.code, "message": self.message}
        if self.fields:
            body["fields"] = {k: _translate(v, {}) for k, v in self.fields.items()}
        return body


def _translate(text: str, params: dict) -> str:
    """``text`` (a msgid) in the request's language; a :class:`Msg` brings its own params."""
    if isinstance(text, Msg):
        text, params = text.template, text.params
    params = {k: _translate(v, {}) if isinstance(v, Msg) else v for k, v in params.items()}
    if has_request_context():
        return gettext(text, **params)
    return text % params if params else text


def translate(text: str) -> str:
    """``text`` (a msgid or a :class:`Msg`) in the request's language (Chinese outside one)."""
    return _translate(text, {})


def translated_fields(fields: dict[str, str]) -> dict[str, str]:
    """Field messages in the request's language (for form pages)."""
    return {name: _translate(message, {}) for name, message in fields.items()}


class ValidationFailed(AppError):
    status, code = 422, "validation_failed"


class Unauthorized(AppError):
    status, code = 401, "unauthorized"


class Forbidden(AppError):
    status, code = 403, "forbidden"


class NotFound(AppError):
    status, code = 404, "not_found"


class Conflict(AppError):
    status, code = 409, "conflict"


class Gone(AppError):
    status, code = 410, "gone"


class TooManyRequests(AppError):
    status, code = 429, "too_many_requests"


def wants_json() -> bool:
    """True when the client should get JSON rather than an HTML page."""
    if request.path.startswith(("/api/", "/tsa", "/ca/")):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes[
        "text/html"
    ]


def _answer(status: int, body: dict):
    """The error ``body`` as JSON or as the error page, by what the client asked."""
    if wants_json():
        return jsonify(body), status
    return render_template("errors/error.html", status=status, error=body), status


def register_error_handlers(app: Flask) -> None:
    """Map AppError, HTTP errors and unexpected exceptions to clear answers."""

    @app.errorhandler(AppError)
    def _app_error(exc: AppError):
        db.session.rollback()
        body, status = _answer(exc.status, exc.to_dict())
        headers = {"Retry-After": str(exc.retry_after)} if getattr(exc, "retry_after", None) else {}
        return body, status, headers

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        code = (exc.name or "error").lower().replace(" ", "_")
        message = exc.description
        if exc.code == 413:
            limit = (request.max_content_length or 0) / (1024 * 1024)
            message = gettext("请求内容过大（最大 %(mb)s MB）", mb=f"{limit:g}")
        return _answer(exc.code or 500, {"error": code, "message": message})

    from sqlalchemy.exc import OperationalError

    from signing import KeyProviderError, TimestampError

    @app.errorhandler(OperationalError)
    def _database_down(exc: OperationalError):
        """PostgreSQL unreachable, restarting or cutting the session: nothing was committed."""
        _rollback_quietly()
        log.error("database unavailable on %s %s: %s", request.method, redact(request.path),
                  type(exc.orig).__name__ if exc.orig is not None else type(exc).__name__)
        return _answer(503, {"error": "database_unavailable", "message": gettext(DATABASE_DOWN)})

    @app.errorhandler(KeyProviderError)
    @app.errorhandler(TimestampError)
    def _signing_down(exc: Exception):
        """The signing key (token or key file) or the time-stamp authority is unavailable:
        nothing was signed or recorded."""
        _rollback_quietly()
        log.error("signing unavailable on %s %s: %s: %s", request.method, redact(request.path),
                  type(exc).__name__, exc)
        return _answer(503, {"error": "signing_unavailable", "message": gettext(SIGNING_DOWN)})

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        db.session.rollback()
        log.exception("unhandled error on %s %s", request.method, redact(request.path))
        return _answer(500, {"error": "internal_error", "message": gettext("服务器内部错误，请稍后再试")})


answer = _answer

DATABASE_DOWN = "数据库暂时无法访问，本次操作未生效，请稍后再试"
SIGNING_DOWN = "签名服务暂时不可用（签名密钥或时间戳服务无法访问），本次签署未生效，请稍后再试"


def _rollback_quietly() -> None:
    """Roll the session back; a connection already gone is no further error."""
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the database is what failed
        log.warning("rollback after a failure failed too")


class ServiceUnavailable(AppError):
    status, code = 503, "service_unavailable"
