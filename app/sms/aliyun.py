"""Alibaba Cloud SMS (Dysmsapi 2017-05-25, ``SendSms``) over its documented signed HTTP API.

The official SDK (``alibabacloud-dysmsapi20170525``) is not used: it pins
``cryptography<51`` and brings aiohttp, apscheduler and websocket-client. The request is
signed with Alibaba Cloud's current signature method, V3 (``ACS3-HMAC-SHA256``), as
documented in "V3版本请求体&签名机制 / Request syntax and signature method V3":
https://help.aliyun.com/zh/sdk/product-overview/v3-request-structure-and-signature
(English: https://www.alibabacloud.com/help/en/sdk/product-overview/v3-request-structure-and-signature)

1. ``CanonicalRequest = Method \\n CanonicalURI \\n CanonicalQueryString \\n CanonicalHeaders
   \\n SignedHeaders \\n HashedRequestPayload`` where CanonicalURI is ``/`` (RPC style),
   the query string is empty (the parameters go in a form body), CanonicalHeaders are
   ``name:value\\n`` for ``host``, ``content-type`` and every ``x-acs-*`` header, lower-cased
   and sorted, SignedHeaders their names joined by ``;`` and HashedRequestPayload the hex
   SHA-256 of the body (also sent as ``x-acs-content-sha256``);
2. ``StringToSign = "ACS3-HMAC-SHA256" \\n hex(SHA-256(CanonicalRequest))``;
3. ``Signature = hex(HMAC-SHA256(AccessKeySecret, StringToSign))``, sent as
   ``Authorization: ACS3-HMAC-SHA256 Credential=<AccessKeyId>,SignedHeaders=<...>,Signature=<...>``.

The parameters (number, template parameters: codes and links) travel in the body, never in
the URL, so that no access or debug log shows them. Error codes are those of the SendSms
reference (https://help.aliyun.com/zh/sms/developer-reference/api-dysmsapi-2017-05-25-sendsms)
and its error-code list.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime
from urllib.parse import quote, urlsplit

import requests

from app.sms.base import NO_TEMPLATE, OutgoingSms, SmsError, SmsGateway, parse_templates

ALGORITHM = "ACS3-HMAC-SHA256"
ACTION, VERSION = "SendSms", "2017-05-25"
FORM = "application/x-www-form-urlencoded"
#: our account or the API is throttled (another provider may send the message)
THROTTLED = {"isv.DAY_LIMIT_CONTROL", "Throttling", "Throttling.User", "Throttling.Api",
             "Throttling.Tps"}
#: the per-number flow control (minute / hour / day per mobile number; carriers' anti-spam
#: limits): retried later, never sent through another provider instead
NUMBER_THROTTLED = {"isv.BUSINESS_LIMIT_CONTROL"}
TEMPLATE = {"isv.SMS_TEMPLATE_ILLEGAL", "isv.SMS_SIGNATURE_ILLEGAL", "isv.SMS_SIGN_ILLEGAL",
            "isv.TEMPLATE_MISSING_PARAMETERS", "isv.TEMPLATE_PARAMS_ILLEGAL",
            "isv.INVALID_JSON_PARAM", "isv.PARAM_LENGTH_LIMIT", "isv.SMS_CONTENT_ILLEGAL",
            "isv.SMS_SIGNATURE_SCENE_ILLEGAL", "isv.BLACK_KEY_CONTROL_LIMIT"}
REJECTED = {"isv.MOBILE_NUMBER_ILLEGAL", "isv.MOBILE_COUNT_OVER_LIMIT",
            "isv.EXTEND_CODE_ERROR", "isv.DOMESTIC_NUMBER_NOT_SUPPORTED"}
AUTH = {"SignatureDoesNotMatch", "IncompleteSignature", "InvalidAccessKeyId.NotFound",
        "InvalidAccessKeyId.Inactive", "SignatureNonceUsed", "InvalidTimeStamp.Expired",
        "Forbidden.RAM", "isp.RAM_PERMISSION_DENY", "isv.ACCOUNT_NOT_EXISTS",
        "isv.ACCOUNT_ABNORMAL"}


def percent_encode(value: str) -> str:
    """RFC 3986 encoding of the V3 signature (UTF-8; only ``A-Za-z0-9-_.~`` left as is)."""
    return quote(value, safe="-_.~")


def form_body(params: Mapping[str, str]) -> str:
    """The form body: ``key=value`` pairs, sorted by key, both percent-encoded."""
    return "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in sorted(params.items()))


def signed_headers(*, access_key_id: str, access_key_secret: str, host: str, body: bytes,
                   now: datetime | None = None, nonce: str | None = None) -> dict[str, str]:
    """The headers of a signed ``POST /`` carrying ``body`` (V3, ``ACS3-HMAC-SHA256``)."""
    payload_hash = hashlib.sha256(body).hexdigest()
    headers = {
        "host": host,
        "content-type": FORM,
        "x-acs-action": ACTION,
        "x-acs-version": VERSION,
        "x-acs-date": (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "x-acs-signature-nonce": nonce or secrets.token_hex(16),
        "x-acs-content-sha256": payload_hash,
    }
    names = sorted(headers)
    canonical = "\n".join(["POST", "/", "", "".join(f"{n}:{headers[n].strip()}\n" for n in names),
                           ";".join(names), payload_hash])
    to_sign = f"{ALGORITHM}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    signature = hmac.new(access_key_secret.encode(), to_sign.encode(), hashlib.sha256).hexdigest()
    headers["Authorization"] = (f"{ALGORITHM} Credential={access_key_id},"
                                f"SignedHeaders={';'.join(names)},Signature={signature}")
    return headers


def classify(code: str, message: str = "") -> SmsError:
    """The :class:`SmsError` for an Alibaba Cloud error code."""
    if code in NUMBER_THROTTLED:
        reason = "number_throttled"
    elif code in THROTTLED:
        reason = "throttled"
    elif code in TEMPLATE:
        reason = "template"
    elif code in REJECTED:
        reason = "rejected"
    elif code in AUTH or code.startswith("InvalidAccessKeyId"):
        reason = "auth"
    else:  # isp.SYSTEM_ERROR, isv.AMOUNT_NOT_ENOUGH, isv.OUT_OF_SERVICE: cannot send now
        reason = "unavailable"
    return SmsError(reason, code, message[:200])


class AliyunSmsGateway(SmsGateway):
    """Sends through Alibaba Cloud SMS; returns the ``BizId`` as the message id."""

    name = "aliyun"

    def __init__(self, *, access_key_id: str, access_key_secret: str, sign_name: str,
                 templates: Mapping[str, str], endpoint: str = "dysmsapi.aliyuncs.com",
                 timeout: float = 10.0):
        self.access_key_id, self._secret = access_key_id, access_key_secret
        self.sign_name, self.templates, self.timeout = sign_name, dict(templates), timeout
        url = endpoint if "://" in endpoint else f"https://{endpoint}"
        self.url, self.host = url.rstrip("/") + "/", urlsplit(url).netloc

    @classmethod
    def from_config(cls, config: Mapping) -> AliyunSmsGateway:
        """The gateway of the ``ALIYUN_SMS_*`` settings."""
        return cls(access_key_id=config.get("ALIYUN_SMS_ACCESS_KEY_ID") or "",
                   access_key_secret=config.get("ALIYUN_SMS_ACCESS_KEY_SECRET") or "",
                   sign_name=config.get("ALIYUN_SMS_SIGN_NAME") or "",
                   templates=parse_templates(config.get("ALIYUN_SMS_TEMPLATES") or ""),
                   endpoint=config.get("ALIYUN_SMS_ENDPOINT") or "dysmsapi.aliyuncs.com",
                   timeout=float(config.get("SMS_TIMEOUT_SECONDS") or 10))

    def __repr__(self) -> str:  # never the secret
        return f"AliyunSmsGateway(host={self.host!r}, key={self.access_key_id!r})"

    def deliver(self, message: OutgoingSms) -> str:
        """Send ``message`` with the template of its kind.

        :raises SmsError: see :func:`classify`; ``template`` when no template is configured.
        """
        template = self.templates.get(message.kind)
        if not template:
            raise SmsError("template", NO_TEMPLATE, f"no Alibaba Cloud template for {message.kind}")
        params = {"PhoneNumbers": message.to, "SignName": self.sign_name,
                  "TemplateCode": template,
                  "TemplateParam": json.dumps(message.params, ensure_ascii=False)}
        if message.ref:
            params["OutId"] = message.ref
        body = form_body(params).encode()
        headers = signed_headers(access_key_id=self.access_key_id,
                                 access_key_secret=self._secret, host=self.host, body=body)
        try:
            response = requests.post(self.url, data=body, headers=headers, timeout=self.timeout)
        except requests.RequestException as exc:
            raise SmsError("unavailable", type(exc).__name__) from None
        if response.status_code >= 500:
            raise SmsError("unavailable", f"http_{response.status_code}")
        try:
            answer = response.json()
        except ValueError:
            raise SmsError("unavailable", f"http_{response.status_code}_not_json") from None
        code = answer.get("Code") if isinstance(answer, dict) else None
        if code == "OK" and answer.get("BizId"):
            return answer["BizId"]
        raise classify(code or f"http_{response.status_code}", answer.get("Message") or ""
                       if isinstance(answer, dict) else "")
