"""``GET /api/v1/openapi.json``: the OpenAPI 3.1 description of API v1."""

from flask import jsonify

from app.api import bp
from app.domain.terms import FIELD_LABELS, HOURS_SYSTEMS, REQUIRED


def _error(desc: str) -> dict:
    return {"description": desc, "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/Error"}}}}


def _json(ref: str, desc: str = "OK") -> dict:
    return {"description": desc, "content": {"application/json": {
        "schema": {"$ref": f"#/components/schemas/{ref}"}}}}


def _body(schema: dict) -> dict:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


TOKEN = {"name": "token", "in": "path", "required": True, "schema": {"type": "string"},
         "description": "签署链接中的令牌"}
CID = {"name": "contract_id", "in": "path", "required": True, "schema": {"type": "integer"}}
SESSION = {"name": "X-Signing-Session", "in": "header", "required": True,
           "schema": {"type": "string"}, "description": "身份验证后得到的签署会话"}
KEY = [{"apiKey": []}]
ERRORS = {"401": _error("缺少或无效的 API 密钥"), "404": _error("不存在"),
          "422": _error("输入有误（fields 指明字段）")}

REASON = {"type": "object", "required": ["reason"], "properties": {
    "reason": {"type": "string", "minLength": 1, "maxLength": 200}}}

CONTRACT_INPUT = {
    "type": "object", "required": list(REQUIRED),
    "properties": {name: {"type": "string", "description": label}
                   for name, label in FIELD_LABELS.items()},
}
CONTRACT_INPUT["properties"]["hours_system"]["enum"] = list(HOURS_SYSTEMS)
CONTRACT_INPUT["properties"]["probation_months"] = {"type": "integer", "minimum": 0, "maximum": 6}
CONTRACT_INPUT["properties"]["pay_day"] = {"type": "integer", "minimum": 1, "maximum": 31}

SCHEMAS = {
    "Error": {"type": "object", "required": ["error", "message"], "properties": {
        "error": {"type": "string"}, "message": {"type": "string"},
        "fields": {"type": "object", "additionalProperties": {"type": "string"}}}},
    "ContractInput": CONTRACT_INPUT,
    "Contract": {"type": "object", "required": ["id", "contract_no", "status"], "properties": {
        "id": {"type": "integer"}, "contract_no": {"type": "string"},
        "status": {"type": "string", "enum": ["draft", "sent", "signed", "filed", "declined",
                                              "voided", "expired"]},
        "signing_url": {"type": "string", "description": "仅在发送或重新发送时返回一次"},
        "status_reason": {"type": ["string", "null"], "description": "作废或拒签的原因"},
        "status_changed_at": {"type": ["string", "null"], "format": "date-time",
                              "description": "作废或拒签的时间"},
        "filing": {"type": ["object", "null"], "properties": {
            "number": {"type": "string"}, "sha256": {"type": "string"},
            "archived_at": {"type": "string", "format": "date-time"}}}}},
    "Verification": {"type": "object", "properties": {
        "ok": {"type": "boolean"}, "summary_zh": {"type": "string"},
        "summary_en": {"type": "string"}, "signatures": {"type": "array"}}},
}

PATHS = {
    "/contracts": {"post": {"summary": "创建固定期限劳动合同", "security": KEY,
                            "requestBody": _body({"$ref": "#/components/schemas/ContractInput"}),
                            "responses": {"201": _json("Contract", "已创建"), **ERRORS}}},
    "/contracts/{contract_id}": {"get": {"summary": "合同状态（备案后含备案号与 SHA-256）",
                                         "security": KEY, "parameters": [CID],
                                         "responses": {"200": _json("Contract"), **ERRORS}}},
    "/contracts/{contract_id}/send": {"post": {
        "summary": "用人单位盖章并短信发送签署链接", "security": KEY, "parameters": [CID],
        "responses": {"200": _json("Contract"), "409": _error("合同不是草稿"), **ERRORS}}},
    "/contracts/{contract_id}/resend": {"post": {
        "summary": "撤回原签署链接并短信发送新链接（每分钟最多一次）", "security": KEY,
        "parameters": [CID],
        "responses": {"200": _json("Contract"), "409": _error("合同不是待签署状态"),
                      "429": _error("重发过于频繁（Retry-After）"), **ERRORS}}},
    "/contracts/{contract_id}/void": {"post": {
        "summary": "作废草稿或待签署的合同（签署链接失效，已发送的短信通知劳动者）",
        "security": KEY, "parameters": [CID], "requestBody": _body(REASON),
        "responses": {"200": _json("Contract"), "409": _error("合同已签署或已作废"), **ERRORS}}},
    "/contracts/{contract_id}/pdf": {"get": {
        "summary": "合同 PDF（当前版本）", "security": KEY, "parameters": [CID],
        "responses": {"200": {"description": "PDF", "content": {"application/pdf": {}}},
                      **ERRORS}}},
    "/contracts/{contract_id}/verification": {"get": {
        "summary": "签名验证报告", "security": KEY, "parameters": [CID],
        "responses": {"200": _json("Verification"), **ERRORS}}},
    "/sign/{token}/otp": {"post": {
        "summary": "核对姓名与身份证号码并发送短信验证码", "parameters": [TOKEN],
        "requestBody": _body({"type": "object", "required": ["name", "id_number"], "properties": {
            "name": {"type": "string"}, "id_number": {"type": "string"}}}),
        "responses": {"200": {"description": "已发送（手机号脱敏）"}, "404": _error("链接无效"),
                      "409": _error("已签署"), "410": _error("链接过期"),
                      "422": _error("身份不符"), "429": _error("发送过于频繁")}}},
    "/sign/{token}/verify": {"post": {
        "summary": "校验短信验证码，返回签署会话", "parameters": [TOKEN],
        "requestBody": _body({"type": "object", "required": ["code"], "properties": {
            "code": {"type": "string", "pattern": "^[0-9]{6}$"}}}),
        "responses": {"200": {"description": "session 与过期时间"}, "410": _error("验证码失效"),
                      "422": _error("验证码错误"), "429": _error("错误次数过多")}}},
    "/sign/{token}/contract": {"get": {"summary": "验证后查看合同条款",
                                       "parameters": [TOKEN, SESSION],
                                       "responses": {"200": _json("Contract"),
                                                     "401": _error("未验证身份")}}},
    "/sign/{token}/pdf": {"get": {"summary": "验证后下载合同 PDF", "parameters": [TOKEN, SESSION],
                                  "responses": {"200": {"description": "PDF"},
                                                "401": _error("未验证身份")}}},
    "/sign/{token}": {"post": {
        "summary": "劳动者手写签名并签署", "parameters": [TOKEN],
        "requestBody": _body({"type": "object", "required": ["session", "signature", "consent"],
                              "properties": {
                                  "session": {"type": "string"},
                                  "signature": {"type": "string",
                                                "description": "data:image/png;base64,…"},
                                  "consent": {"type": "boolean", "const": True}}}),
        "responses": {"200": {"description": "已签署，自动备案"}, "401": _error("未验证身份"),
                      "409": _error("已签署"), "422": _error("签名或同意项缺失")}}},
    "/sign/{token}/decline": {"post": {
        "summary": "劳动者验证身份后拒绝签署（须填写原因）", "parameters": [TOKEN],
        "requestBody": _body({"type": "object", "required": ["session", "reason"], "properties": {
            "session": {"type": "string"}, **REASON["properties"]}}),
        "responses": {"200": {"description": "已拒签"}, "401": _error("未验证身份"),
                      "409": _error("已签署"), "410": _error("链接已撤回或过期"),
                      "422": _error("原因缺失或过长")}}},
}

DOCUMENT = {
    "openapi": "3.1.0",
    "info": {"title": "智慧星用工 LaborSign API", "version": "1.0.0",
             "description": "电子劳动合同：创建、盖章、短信签署、自动备案、验证。"},
    "servers": [{"url": "/api/v1"}],
    "paths": PATHS,
    "components": {"schemas": SCHEMAS, "securitySchemes": {
        "apiKey": {"type": "http", "scheme": "bearer", "description": "lsk_… 用人单位 API 密钥"}}},
    "externalDocs": {"description": "CA root certificate: GET /ca/root.pem; RFC 3161 TSA: POST /tsa",
                     "url": "/ca/root.pem"},
}


@bp.get("/openapi.json")
def openapi():
    return jsonify(DOCUMENT)
