"""Request validation and the OpenAPI document of API v1, both from :mod:`app.api.schemas`.

:func:`operation` decorates a view with spectree: the JSON body is parsed into its pydantic
model (``request.context.json``) before the view runs, and the view's path, summary (first
docstring line), body, answers and security go into :data:`spec`, served as
``/api/v1/openapi.json``. A body that is not a JSON object answers 422 ``malformed_json`` (also
where the body is optional or unused: it may be left out, not malformed); a
body that does not fit its model answers 422 ``validation_failed`` naming each bad field by
its JSON property name, in the reader's language (:mod:`app.errors`). Responses are checked
against their models when ``API_VALIDATE_RESPONSES`` is set (default: in testing).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

from flask import current_app
from pydantic import BaseModel, ValidationError
from spectree import Response, SecurityScheme, SecuritySchemeData, SpecTree
from spectree.plugins.flask_plugin import FlaskPlugin
from spectree.utils import get_model_key

from app.api.schemas import LABELS, ErrorOut
from app.api.types import FALLBACK_MESSAGE, MESSAGES
from app.domain.typed import Msg
from app.errors import ValidationFailed

API_KEY = {"apiKey": []}
BUREAU_KEY = {"bureauKey": []}
FEED_KEY = {"feedKey": []}  # feeds (issue 22): attendance systems and banks
SIGNING_SESSION = {"signingSession": []}
PATH_PARAMETERS = {"contract_id": "合同 ID", "template_id": "模板 ID", "token": "签署短信链接中的令牌",
                   "batch_id": "批量任务 ID", "endpoint_id": "Webhook 地址 ID",
                   "delivery_id": "投递记录 ID", "job_id": "档案任务 ID"}
MAX_FIELDS = 50  # fields named in one error answer
MAX_FIELD_NAME = 100  # characters of an unknown field's name echoed back


class _Plugin(FlaskPlugin):
    """spectree's Flask plugin; responses are validated only where configured (the tests)."""

    def validate_response(self, resp, resp_model, skip_validation, force_resp_serialize):
        check = current_app.config.get("API_VALIDATE_RESPONSES", current_app.testing)
        return super().validate_response(resp, resp_model, skip_validation or not check,
                                         force_resp_serialize)


class Answers(Response):
    """The documented answers of an operation; ``binary`` maps codes to a media type (PDF)."""

    def __init__(self, binary: dict[int, str | tuple[str, ...]] | None = None, **models: Any):
        super().__init__(**models)
        self.binary = binary or {}

    def generate_spec(self, naming_strategy=get_model_key) -> dict[str, Any]:
        """The ``responses`` object, with file content for the binary answers."""
        doc = super().generate_spec(naming_strategy)
        for code, media in self.binary.items():
            doc[str(code)]["content"] = {m: {"schema": {"type": "string", "format": "binary"}}
                                         for m in ((media,) if isinstance(media, str) else media)}
        return doc


def field_errors(exc: ValidationError) -> dict[str, Msg]:
    """Field name (the JSON property) -> what is wrong with it (first error of each field),
    as the domain's messages: translated into the reader's language by :mod:`app.errors`."""
    fields: dict[str, Msg] = {}
    for error in exc.errors(include_url=False, include_input=False):
        name = str(error["loc"][0])[:MAX_FIELD_NAME] if error["loc"] else "body"
        if name in fields:
            continue
        if len(fields) >= MAX_FIELDS:
            break
        ctx = {k: v for k, v in (error.get("ctx") or {}).items() if isinstance(v, str | int)}
        if "max_length" in ctx:
            ctx["limit"] = ctx["max_length"]
        template = MESSAGES.get(error["type"], FALLBACK_MESSAGE)
        label = Msg(LABELS[name]) if name in LABELS else name
        try:
            fields[name] = Msg(template, label=label, **ctx)
        except (KeyError, ValueError, TypeError):
            fields[name] = Msg(FALLBACK_MESSAGE, label=label)
    return fields


def _raise_invalid(req_validation_error: Exception | None, also: dict | None = None) -> None:
    if isinstance(req_validation_error, ValidationError):
        fields = field_errors(req_validation_error)
        for name, message in (also or {}).items():
            fields.setdefault(name, message)
        raise ValidationFailed("请求内容有误，请检查标出的字段", fields=fields)


def _before_json(req, resp, req_validation_error, instance, model_adapter, model=None) -> None:
    """spectree's hook after parsing: a JSON object is required, then it must fit its model
    (with the fields a model requires only in some cases — ``missing_required(body)``, e.g.
    a contract template's required fields — named in the same answer)."""
    body = req.get_json(silent=True)
    if not isinstance(body, dict):
        raise ValidationFailed("请求体必须是 JSON 对象（Content-Type: application/json）",
                               code="malformed_json")
    also = model.missing_required(body) if hasattr(model, "missing_required") else None
    _raise_invalid(req_validation_error, also)


def _before(req, resp, req_validation_error, instance, model_adapter) -> None:
    """spectree's hook of an operation whose body is optional or unused: the body may be
    left out, but a body that is sent must be a JSON object (``[`` is not "no body")."""
    if req.method not in ("GET", "HEAD") and req.get_data(cache=True).strip() \
            and not isinstance(req.get_json(silent=True), dict):
        raise ValidationFailed("请求体必须是 JSON 对象（Content-Type: application/json）",
                               code="malformed_json")
    _raise_invalid(req_validation_error)


spec = SpecTree(
    "flask", backend=_Plugin, mode="strict", annotations=False,
    title="智慧星用工 LaborSign API", version="1.0.0",
    description=("电子劳动合同：创建、盖章、短信签署、自动备案、验证。"
                 "CA root certificate: GET /ca/root.pem; RFC 3161 TSA: POST /tsa."),
    validation_error_model=ErrorOut,
    naming_strategy=lambda model: model.__name__,
    nested_naming_strategy=lambda _parent, child: child,
    security_schemes=[
        SecurityScheme(name="apiKey", data=SecuritySchemeData(
            type="http", scheme="bearer", description="用人单位 API 密钥 lsk_…")),
        SecurityScheme(name="bureauKey", data=SecuritySchemeData(
            type="http", scheme="bearer", description="人社部门系统密钥 lbk_…（按行政区划）")),
        SecurityScheme(name="signingSession", data=SecuritySchemeData(
            type="apiKey", name="X-Signing-Session", field_in="header",
            description="劳动者完成身份验证后得到的签署会话")),
        SecurityScheme(name="feedKey", data=SecuritySchemeData(  # feeds (issue 22)
            type="http", scheme="bearer",
            description="考勤系统或银行的推送密钥 lfk_…（按项目或按银行）")),
    ],
)


def operation(*, answers: dict[int, Any], json: type[BaseModel] | None = None,
              security: dict | list | None = None, tags: Sequence[str] = (),
              binary: dict[int, str | tuple[str, ...]] | None = None,
              optional_body: bool = False,
              query: type[BaseModel] | None = None) -> Callable:
    """Validate and document a view of API v1.

    :param answers: status code -> response model, ``(model, description)`` or ``None``.
    :param json: the request body's model (then the body must be a JSON object).
    :param security: :data:`API_KEY`, :data:`BUREAU_KEY` or :data:`SIGNING_SESSION`
        (``None``: public).
    :param binary: status code -> media type of a file answer (``application/pdf``).
    :param optional_body: the body may be left out (then it is the model's defaults).
    :param query: the query string's model (``request.context.query``).

    The view's name is the ``operationId``.
    """
    documented = {422: (ErrorOut, "输入有误（fields 指明字段）"), **answers}
    if json is not None:  # app.request_guard, before any view
        documented.setdefault(400, (ErrorOut, "JSON 嵌套过深（json_too_deep）"))
    models = {f"HTTP_{code}": model for code, model in documented.items()}

    def decorate(view: Callable) -> Callable:
        return spec.validate(json=json, query=query, resp=Answers(binary=binary, **models),
                             tags=tags,
                             security=security,
                             before=functools.partial(_before_json, model=json)
                             if json and not optional_body else _before,
                             operation_id=view.__name__,
                             path_parameter_descriptions=PATH_PARAMETERS)(view)

    return decorate
