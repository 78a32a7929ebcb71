"""Tencent Cloud SMS (API 2021-01-11, ``SendSms``) through the official SDK
(``tencentcloud-sdk-python-sms``), which signs every request with TC3-HMAC-SHA256.

Tencent's templates take positional parameters ({1}, {2}, ...): they are the message's named
parameters in the order the Chinese text uses them. Error codes are those of the SendSms
reference (https://cloud.tencent.com/document/product/382/55981) and of its per-number
``SendStatus.Code``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from urllib.parse import urlsplit

from tencentcloud.common import credential
from tencentcloud.common.abstract_client import LOGGER_NAME
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.sms.v20210111 import models, sms_client

from app.sms.base import NO_TEMPLATE, OutgoingSms, SmsError, SmsGateway, parse_templates

# the SDK's debug log prints whole requests and answers (numbers, codes): never below INFO
logging.getLogger(LOGGER_NAME).setLevel(logging.INFO)

REJECTED = {"InvalidParameterValue.IncorrectPhoneNumber", "FailedOperation.PhoneNumberInBlacklist",
            "FailedOperation.PhoneNumberParseFail", "FailedOperation.PhoneNumberOnBlacklist",
            "UnsupportedOperation.ChineseMainlandTemplateToGlobalPhone",
            "UnsupportedOperation.UnsupportedRegion"}
UNAVAILABLE = {"ClientNetworkError", "ServerNetworkError", "FailedOperation.InsufficientBalanceInSmsPackage",
               "FailedOperation.JsonParseFail", "InternalError"}


def classify(code: str, message: str = "") -> SmsError:
    """The :class:`SmsError` for a Tencent Cloud error code: ``LimitExceeded.PhoneNumber*``
    (30 s / hour / day / same content per number) is the per-number limit (retried later on
    the same provider); ``RequestLimitExceeded*`` and the app's daily limits throttle the
    account (another provider may send)."""
    if code.startswith("LimitExceeded.PhoneNumber") and code != "LimitExceeded.PhoneNumberCountLimit":
        reason = "number_throttled"
    elif code.startswith(("LimitExceeded", "RequestLimitExceeded")):
        reason = "throttled"
    elif code.startswith(("AuthFailure", "UnauthorizedOperation", "InvalidParameterValue.SdkAppId")):
        reason = "auth"
    elif code in REJECTED:
        reason = "rejected"
    elif code not in UNAVAILABLE and ("Template" in code or "Sign" in code):
        reason = "template"
    else:  # network errors, InternalError.*, balance, anything unknown
        reason = "unavailable"
    return SmsError(reason, code, message[:200])


class TencentSmsGateway(SmsGateway):
    """Sends through Tencent Cloud SMS; returns the ``SerialNo`` as the message id."""

    name = "tencent"

    def __init__(self, *, secret_id: str, secret_key: str, sdk_app_id: str, sign_name: str,
                 templates: Mapping[str, str], region: str = "ap-guangzhou",
                 endpoint: str = "sms.tencentcloudapi.com", timeout: float = 10.0):
        self.secret_id, self._secret_key = secret_id, secret_key
        self.sdk_app_id, self.sign_name, self.region = sdk_app_id, sign_name, region
        self.templates, self.timeout = dict(templates), timeout
        parts = urlsplit(endpoint if "://" in endpoint else f"https://{endpoint}")
        self.scheme, self.host = parts.scheme, parts.netloc

    @classmethod
    def from_config(cls, config: Mapping) -> TencentSmsGateway:
        """The gateway of the ``TENCENT_SMS_*`` settings."""
        return cls(secret_id=config.get("TENCENT_SMS_SECRET_ID") or "",
                   secret_key=config.get("TENCENT_SMS_SECRET_KEY") or "",
                   sdk_app_id=config.get("TENCENT_SMS_SDK_APP_ID") or "",
                   sign_name=config.get("TENCENT_SMS_SIGN_NAME") or "",
                   templates=parse_templates(config.get("TENCENT_SMS_TEMPLATES") or ""),
                   region=config.get("TENCENT_SMS_REGION") or "ap-guangzhou",
                   endpoint=config.get("TENCENT_SMS_ENDPOINT") or "sms.tencentcloudapi.com",
                   timeout=float(config.get("SMS_TIMEOUT_SECONDS") or 10))

    def __repr__(self) -> str:  # never the secret key
        return f"TencentSmsGateway(host={self.host!r}, app={self.sdk_app_id!r})"

    def _client(self) -> sms_client.SmsClient:
        http = HttpProfile(protocol=self.scheme, endpoint=self.host,
                           reqTimeout=max(1, int(self.timeout)))
        return sms_client.SmsClient(credential.Credential(self.secret_id, self._secret_key),
                                    self.region, ClientProfile(httpProfile=http))

    def deliver(self, message: OutgoingSms) -> str:
        """Send ``message`` with the template of its kind.

        :raises SmsError: see :func:`classify`; ``template`` when no template is configured.
        """
        template = self.templates.get(message.kind)
        if not template:
            raise SmsError("template", NO_TEMPLATE, f"no Tencent Cloud template for {message.kind}")
        request = models.SendSmsRequest()
        request.PhoneNumberSet = [message.to if message.to.startswith("+") else f"+86{message.to}"]
        request.SmsSdkAppId, request.SignName = self.sdk_app_id, self.sign_name
        request.TemplateId = template
        order = message.order or tuple(message.params)
        request.TemplateParamSet = [message.params[name] for name in order]
        request.SessionContext = message.ref
        try:
            answer = self._client().SendSms(request)
        except TencentCloudSDKException as exc:
            raise classify(exc.get_code() or "ClientNetworkError", exc.get_message() or "") from None
        status = (answer.SendStatusSet or [None])[0]
        if status is None:
            raise SmsError("unavailable", "no_send_status")
        if status.Code == "Ok":
            return status.SerialNo
        raise classify(status.Code, status.Message or "")
