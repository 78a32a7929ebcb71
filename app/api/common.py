"""Helpers of the JSON API: the employer's API key, the worker's signing session."""

from __future__ import annotations

import re

from flask import g, request

from app.errors import Unauthorized
from app.services.accounts import apikeys
from app.services.platform.principal import of_api_key

_PRINTABLE = re.compile(r"[\x21-\x7e]{1,200}")


def authenticate_api_key() -> None:
    """Before every employer route: ``Authorization: Bearer lsk_…`` -> ``g.principal``.

    :raises Unauthorized: no key (``missing_api_key``), or an unknown, malformed or revoked one
        (``invalid_api_key``).
    """
    scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
    presented = presented.strip()
    if scheme.lower() != "bearer" or not presented:
        raise Unauthorized("缺少 API 密钥（Authorization: Bearer …）", code="missing_api_key")
    key = apikeys.authenticate(presented) if _PRINTABLE.fullmatch(presented) else None
    if key is None:
        raise Unauthorized("API 密钥无效或已吊销", code="invalid_api_key")
    g.principal = of_api_key(key)


def signing_session(body_session: str | None = None) -> str:
    """The signing session from the body or the ``X-Signing-Session`` header ("" if none)."""
    return body_session or request.headers.get("X-Signing-Session", "")
