"""Helpers for the JSON API: body parsing and API-key authentication."""

from __future__ import annotations

from flask import g, request

from app.errors import Unauthorized, ValidationFailed
from app.models import Organization
from app.services import apikeys, principal
from app.services.principal import Principal


def json_body() -> dict:
    """The request's JSON object; a clear 400/422 when it is missing or malformed."""
    data = request.get_json(silent=True)
    if data is None:
        raise ValidationFailed("请求体必须是 JSON 对象（Content-Type: application/json）",
                               code="malformed_json")
    if not isinstance(data, dict):
        raise ValidationFailed("请求体必须是 JSON 对象", code="malformed_json")
    return data


def api_principal() -> Principal:
    """The principal of the request's API key."""
    api_org()
    return principal.of_api_key(g.api_key)


def api_org() -> Organization:
    """The organization of the request's API key."""
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        raise Unauthorized("缺少 API 密钥（Authorization: Bearer …）", code="missing_api_key")
    key = apikeys.authenticate(header[len("Bearer "):].strip())
    if key is None:
        raise Unauthorized("API 密钥无效或已吊销", code="invalid_api_key")
    g.api_key = key
    return key.organization
