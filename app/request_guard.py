"""Reject request input that no view can store or parse safely, before any view runs.

* NUL characters in a query parameter, a form field or any JSON string (PostgreSQL cannot
  store NUL) and lone UTF-16 surrogates in JSON strings (``"\\ud800"``: not encodable as
  UTF-8) → 422 ``validation_failed`` with ``fields`` naming the offending field
  (``a.b.0`` for nested JSON);
* JSON nested deeper than :data:`MAX_JSON_DEPTH` (100,000 levels would overflow the parser's
  recursion) → 400 ``json_too_deep``;
* NUL in the URL path → 404.

Malformed JSON is left to the view (``app.api.common.json_body`` answers 422). Multipart
bodies are not parsed here (the public /verify upload keeps its own in-memory parser).
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from flask import Flask, abort, request

from app.errors import AppError, ValidationFailed

MAX_JSON_DEPTH = 32
NUL_MESSAGE = "不能包含 NUL 字符"
SURROGATE_MESSAGE = "包含无效的 Unicode 字符（不成对的代理项）"


class JsonTooDeep(AppError):
    status, code = 400, "json_too_deep"


def init_app(app: Flask) -> None:
    """Check every request before its view."""
    app.before_request(check_request)


def check_request() -> None:
    """The before-request guard (raises the errors described in the module docstring)."""
    if "\x00" in request.path:
        abort(404)
    problems = _fields_problems(request.args.items(multi=True))
    if request.mimetype == "application/x-www-form-urlencoded":
        problems.update(_fields_problems(request.form.items(multi=True)))
    if request.is_json:
        data = request.get_data(cache=True)
        if data:
            problems.update(json_problems(data))
    if problems:
        raise ValidationFailed("请求包含不允许的字符，请删除后重试", fields=problems)


def _bad_text(text: str) -> str | None:
    """The problem with ``text`` (a message msgid), or None."""
    if "\x00" in text:
        return NUL_MESSAGE
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return SURROGATE_MESSAGE
    return None


def _fields_problems(items: Iterable[tuple[str, str]]) -> dict[str, str]:
    problems = {}
    for key, value in items:
        problem = _bad_text(value) or _bad_text(key)
        if problem:
            problems["field" if _bad_text(key) else key] = problem
    return problems


def json_problems(data: bytes) -> dict[str, str]:
    """``field path -> problem`` for a JSON body (empty when it is fine or not JSON at all).

    :raises JsonTooDeep: nested deeper than :data:`MAX_JSON_DEPTH`.
    """
    try:
        value = json.loads(data)
    except RecursionError:
        raise _too_deep() from None
    except ValueError:
        return {}
    problems: dict[str, str] = {}
    stack: list[tuple[object, str, int]] = [(value, "", 0)]
    while stack:
        item, path, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise _too_deep()
        if isinstance(item, str):
            if problem := _bad_text(item):
                problems.setdefault(path or "body", problem)
        elif isinstance(item, dict):
            for key, child in item.items():
                child_path = f"{path}.{key}" if path else str(key)
                if problem := _bad_text(key):
                    problems.setdefault(path or "body", problem)
                    child_path = path or "body"
                stack.append((child, child_path, depth + 1))
        elif isinstance(item, list):
            stack.extend((child, f"{path}.{i}" if path else str(i), depth + 1)
                         for i, child in enumerate(item))
    return problems


def _too_deep() -> JsonTooDeep:
    return JsonTooDeep("JSON 嵌套层数过深（最多 %(max)s 层）", max=MAX_JSON_DEPTH)
