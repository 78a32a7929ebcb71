"""Fake Alibaba Cloud and Tencent Cloud SMS servers on loopback (a thread with http.server).

Each recomputes the request signature independently, from the provider's documented
algorithm (not from the app's code), and refuses a wrong one with the provider's own error;
it checks the template id, the signature name (签名) and the template parameters, answers with
the provider's documented success and error bodies, and can be switched to throttle (one
number's limit, or the account's), to refuse the template, to answer 503, or to stop
listening; it builds the receipts the provider would push.

* Alibaba Cloud: V3 signature ACS3-HMAC-SHA256
  (https://help.aliyun.com/zh/sdk/product-overview/v3-request-structure-and-signature):
  ``host``, ``content-type`` and every ``x-acs-*`` header signed, ``x-acs-date`` exactly
  ``%Y-%m-%dT%H:%M:%SZ`` within 15 minutes of the server's clock (``InvalidTimeStamp.Format``
  / ``InvalidTimeStamp.Expired``), each ``x-acs-signature-nonce`` used once
  (``SignatureNonceUsed``); SendSms 2017-05-25, SmsReport push.
* Tencent Cloud: TC3-HMAC-SHA256 (https://cloud.tencent.com/document/api/382/52072):
  SignedHeaders include at least ``content-type`` and ``host``, ``X-TC-Timestamp`` within five
  minutes of the server's clock (``AuthFailure.SignatureExpire``); SendSms 2021-01-11,
  短信下发状态回调.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import re
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote, urlsplit

import pytest

from tests.ports import free_port

_ids = itertools.count(1)
INCOMPLETE = "The request signature does not conform to Aliyun standards."
TC3_FAILED = "The provided credentials could not be validated. Please check your signature is correct."
TC3_EXPIRED = "签名过期。Timestamp 和服务器时间相差不得超过五分钟，请检查本地时间是否和标准时间同步。"
ACS_DATE = "%Y-%m-%dT%H:%M:%SZ"
ACS_SKEW, TC3_SKEW = timedelta(minutes=15), timedelta(minutes=5)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class FakeProvider:
    """A provider on ``127.0.0.1:port``. ``mode``: ``ok`` | ``throttle`` (this number's
    limit) | ``throttle_account`` (the account's or the API's limit) | ``bad_template`` |
    ``503``; :meth:`down` stops listening, :meth:`up` listens again on the same port."""

    name = "provider"

    def __init__(self, *, key_id: str, secret: str, sign_name: str,
                 templates: dict[str, tuple[str, ...]]):
        self.key_id, self.secret, self.sign_name, self.templates = key_id, secret, sign_name, templates
        self.mode, self.port = "ok", free_port()
        self.sent: list[dict] = []  # every message accepted: phone, template, params, id
        self.refused: list[str] = []  # the error codes answered
        self.nonces: set[str] = set()  # the signature nonces seen (Alibaba Cloud)
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self.up()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def up(self) -> None:
        """Listen (again) on the port."""
        if self._server is not None:
            return
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, answer = provider.handle(self.command, self.path, self.headers, body)
                data = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):  # quiet
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def down(self) -> None:
        """Stop listening: connections are refused (the provider is down)."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def handle(self, method: str, path: str, headers, body: bytes) -> tuple[int, object]:
        raise NotImplementedError

    def messages(self, phone: str | None = None) -> list[dict]:
        """The accepted messages (to ``phone``: its 11 digits)."""
        return [m for m in self.sent if phone is None or m["phone"].endswith(phone)]


class FakeAliyun(FakeProvider):
    """Alibaba Cloud Dysmsapi ``SendSms`` with V3 signatures."""

    name = "aliyun"

    def _error(self, status: int, code: str, message: str) -> tuple[int, dict]:
        self.refused.append(code)
        return status, {"RequestId": f"req-{next(_ids)}", "Code": code, "Message": message}

    def handle(self, method, path, headers, body):
        if self.mode == "503":
            return 503, b"Service Unavailable"
        auth = headers.get("Authorization") or ""
        match = re.fullmatch(r"ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([^,]+),"
                             r"Signature=([0-9a-f]{64})", auth)
        if match is None:
            return self._error(400, "IncompleteSignature", INCOMPLETE)
        key_id, signed, signature = match.groups()
        if key_id != self.key_id:
            return self._error(404, "InvalidAccessKeyId.NotFound",
                               "Specified access key is not found.")
        names = signed.split(";")
        lower = {k.lower(): v for k, v in headers.items()}
        needed = {"host", "content-type"} | {k for k in lower if k.startswith("x-acs-")}
        hashed = lower.get("x-acs-content-sha256") == _sha256(body)
        if not needed <= set(names) or names != sorted(names) or not hashed:
            return self._error(400, "IncompleteSignature", INCOMPLETE)
        url = urlsplit(path)
        query = "&".join(f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}"
                         for k, v in sorted(parse_qsl(url.query, keep_blank_values=True)))
        canonical = "\n".join([method, url.path or "/", query,
                               "".join(f"{n}:{lower.get(n, '').strip()}\n" for n in names),
                               signed, _sha256(body)])
        to_sign = "ACS3-HMAC-SHA256\n" + _sha256(canonical.encode())
        expected = hmac.new(self.secret.encode(), to_sign.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, signature):
            return self._error(400, "SignatureDoesNotMatch",
                               "Specified signature is not matched with our calculation.")
        try:
            date = datetime.strptime(lower.get("x-acs-date", ""), ACS_DATE).replace(tzinfo=UTC)
        except ValueError:
            return self._error(400, "InvalidTimeStamp.Format",
                               "Specified time stamp or date value is not well formatted.")
        if abs(datetime.now(UTC) - date) > ACS_SKEW:
            return self._error(400, "InvalidTimeStamp.Expired",
                               "Specified time stamp or date value is expired.")
        nonce = lower.get("x-acs-signature-nonce", "")
        with self._lock:
            used = nonce in self.nonces
            self.nonces.add(nonce)
        if not nonce or used:
            return self._error(400, "SignatureNonceUsed",
                               "Specified signature nonce was used already.")
        if lower.get("x-acs-action") != "SendSms" or lower.get("x-acs-version") != "2017-05-25":
            return self._error(400, "InvalidAction.NotFound", "Specified api is not found.")
        return self._send(dict(parse_qsl(body.decode(), keep_blank_values=True)))

    def _send(self, form: dict):
        if self.mode == "throttle":
            return self._error(200, "isv.BUSINESS_LIMIT_CONTROL", "触发分钟级流控Permits:1")
        if self.mode == "throttle_account":
            return self._error(400, "Throttling.User", "Request was denied due to user flow control.")
        names = self.templates.get(form.get("TemplateCode", ""))
        if self.mode == "bad_template" or names is None:
            return self._error(200, "isv.SMS_TEMPLATE_ILLEGAL", "模板不合法(不存在或被拉黑)")
        if form.get("SignName") != self.sign_name:
            return self._error(200, "isv.SMS_SIGNATURE_ILLEGAL", "签名不合法(不存在或被拉黑)")
        params = json.loads(form.get("TemplateParam") or "{}")
        if set(params) != set(names) or not all(isinstance(v, str) for v in params.values()):
            return self._error(200, "isv.TEMPLATE_MISSING_PARAMETERS", "模板缺少变量")
        if not re.fullmatch(r"1[3-9][0-9]{9}", form.get("PhoneNumbers", "")):
            return self._error(200, "isv.MOBILE_NUMBER_ILLEGAL", "非法手机号")
        biz_id = f"{next(_ids):06d}^0"
        self.sent.append({"phone": form["PhoneNumbers"], "template": form["TemplateCode"],
                          "params": params, "id": biz_id, "out_id": form.get("OutId")})
        return 200, {"Code": "OK", "Message": "OK", "BizId": biz_id, "RequestId": f"req-{next(_ids)}"}

    @staticmethod
    def receipt(biz_id: str, phone: str, delivered: bool = True) -> list[dict]:
        """The SmsReport HTTP batch push body for one message."""
        now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
        return [{"phone_number": phone, "send_time": now, "report_time": now,
                 "success": delivered, "err_code": "DELIVERED" if delivered else "MK:0012",
                 "err_msg": "用户接收成功" if delivered else "空号", "sms_size": "1",
                 "biz_id": biz_id, "out_id": ""}]


class FakeTencent(FakeProvider):
    """Tencent Cloud SMS ``SendSms`` 2021-01-11 with TC3-HMAC-SHA256 signatures."""

    name = "tencent"

    def __init__(self, *, sdk_app_id: str, **kwargs):
        self.sdk_app_id = sdk_app_id
        super().__init__(**kwargs)

    def _error(self, code: str, message: str) -> tuple[int, dict]:
        self.refused.append(code)
        return 200, {"Response": {"Error": {"Code": code, "Message": message},
                                  "RequestId": f"req-{next(_ids)}"}}

    def handle(self, method, path, headers, body):
        if self.mode == "503":
            return 503, b"Service Unavailable"
        auth = headers.get("Authorization") or ""
        match = re.fullmatch(r"TC3-HMAC-SHA256 Credential=([^/]+)/(\d{4}-\d{2}-\d{2})/sms/"
                             r"tc3_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})",
                             auth)
        if match is None:
            return self._error("AuthFailure.SignatureFailure", TC3_FAILED)
        secret_id, date, signed, signature = match.groups()
        if secret_id != self.key_id:
            return self._error("AuthFailure.SecretIdNotFound", "The SecretId is not found.")
        stamp = headers.get("X-TC-Timestamp") or ""
        if not re.fullmatch(r"[0-9]{1,11}", stamp):
            return self._error("AuthFailure.SignatureFailure", TC3_FAILED)
        timestamp = int(stamp)
        if abs(datetime.now(UTC) - datetime.fromtimestamp(timestamp, UTC)) > TC3_SKEW:
            return self._error("AuthFailure.SignatureExpire", TC3_EXPIRED)
        if datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d") != date:
            return self._error("AuthFailure.SignatureFailure", "The credential date does not match.")
        lower = {k.lower(): v for k, v in headers.items()}
        canonical = "\n".join([method, urlsplit(path).path or "/", urlsplit(path).query,
                               "".join(f"{n}:{lower.get(n, '').strip().lower()}\n"
                                       for n in signed.split(";")),
                               signed, _sha256(body)])
        to_sign = (f"TC3-HMAC-SHA256\n{timestamp}\n{date}/sms/tc3_request\n"
                   f"{_sha256(canonical.encode())}")
        key = hmac.new(("TC3" + self.secret).encode(), date.encode(), hashlib.sha256).digest()
        key = hmac.new(key, b"sms", hashlib.sha256).digest()
        key = hmac.new(key, b"tc3_request", hashlib.sha256).digest()
        expected = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
        if not {"content-type", "host"} <= set(signed.split(";")) or \
                not hmac.compare_digest(expected, signature):
            return self._error("AuthFailure.SignatureFailure", TC3_FAILED)
        if headers.get("X-TC-Action") != "SendSms" or headers.get("X-TC-Version") != "2021-01-11":
            return self._error("InvalidAction", "The action is not found.")
        return self._send(json.loads(body))

    def _send(self, req: dict):
        if req.get("SmsSdkAppId") != self.sdk_app_id:
            return self._error("InvalidParameterValue.SdkAppIdNotExist", "SdkAppId not exist.")
        names = self.templates.get(req.get("TemplateId", ""))
        if self.mode == "bad_template" or names is None:
            return self._error("FailedOperation.TemplateIncorrectOrUnapproved",
                               "template is not approved or request content does not match "
                               "the approved template content.")
        if req.get("SignName") != self.sign_name:
            return self._error("FailedOperation.SignatureIncorrectOrUnapproved",
                               "signature is not approved.")
        params = req.get("TemplateParamSet") or []
        if len(params) != len(names) or not all(isinstance(v, str) for v in params):
            return self._error("InvalidParameterValue.TemplateParameterFormatError",
                               "the number of template parameters does not match.")
        if self.mode == "throttle_account":
            return self._error("RequestLimitExceeded", "请求的次数超过了频率限制。")
        statuses = []
        for phone in req.get("PhoneNumberSet") or []:
            if self.mode == "throttle":
                code = "LimitExceeded.PhoneNumberThirtySecondLimit"
                message = "too many messages to this number within 30 seconds"
            elif not re.fullmatch(r"\+861[3-9][0-9]{9}", phone):
                code, message = "InvalidParameterValue.IncorrectPhoneNumber", "invalid mobile number"
            else:
                code, message = "Ok", "send success"
            serial = f"2433:{next(_ids):012d}" if code == "Ok" else ""
            if code == "Ok":
                self.sent.append({"phone": phone, "template": req["TemplateId"],
                                  "params": dict(zip(names, params, strict=True)), "id": serial,
                                  "out_id": req.get("SessionContext")})
            else:
                self.refused.append(code)
            statuses.append({"SerialNo": serial, "PhoneNumber": phone, "Fee": 1 if serial else 0,
                             "SessionContext": req.get("SessionContext", ""), "Code": code,
                             "Message": message, "IsoCode": "CN"})
        return 200, {"Response": {"SendStatusSet": statuses, "RequestId": f"req-{next(_ids)}"}}

    @staticmethod
    def receipt(sid: str, phone: str, delivered: bool = True) -> list[dict]:
        """The 短信下发状态回调 body for one message."""
        return [{"user_receive_time": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S"),
                 "nationcode": "86", "mobile": phone,
                 "report_status": "SUCCESS" if delivered else "FAIL",
                 "errmsg": "DELIVRD" if delivered else "MK:0012",
                 "description": "用户短信送达成功" if delivered else "空号", "sid": sid}]


@pytest.fixture
def fake_aliyun():
    """A fake Alibaba Cloud SMS (templates filled in by the test's app fixture)."""
    provider = FakeAliyun(key_id="LTAI-test-key", secret="aliyun-secret-for-tests",
                          sign_name="智慧星用工", templates={})
    yield provider
    provider.down()


@pytest.fixture
def fake_tencent():
    """A fake Tencent Cloud SMS (templates filled in by the test's app fixture)."""
    provider = FakeTencent(key_id="AKID-test-id", secret="tencent-secret-for-tests",
                           sign_name="智慧星用工", templates={}, sdk_app_id="1400000001")
    yield provider
    provider.down()


@pytest.fixture
def providers(ctx, monkeypatch, fake_aliyun, fake_tencent):
    """The app sending through Alibaba Cloud, falling back to Tencent Cloud
    (:class:`tests.app.sms_helpers.Providers`)."""
    from app.extensions import sms_ext
    from tests.app.sms_helpers import configure

    yield configure(ctx, monkeypatch, fake_aliyun, fake_tencent)
    sms_ext.use_fallback(None, app=ctx)
