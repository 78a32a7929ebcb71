"""The fake providers refuse what the real ones refuse: requests signed by hand (not with the
app's code) with a stale clock, a reused nonce or too few signed headers get the provider's
documented error; the same request signed correctly and on time is accepted (so each refusal
is for that one reason)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import UTC, datetime, timedelta

import pytest
import requests

from app.sms.aliyun import form_body

TEMPLATE = {"SMS_1": ("code", "minutes")}


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _aliyun(fake, *, date: str, nonce: str, signed: tuple[str, ...] | None = None) -> dict:
    """POST a SendSms signed by hand (ACS3-HMAC-SHA256) with the given x-acs-date and nonce."""
    body = form_body({"PhoneNumbers": "13800138000", "SignName": fake.sign_name,
                      "TemplateCode": "SMS_1",
                      "TemplateParam": json.dumps({"code": "123456", "minutes": "10"})}).encode()
    headers = {"host": f"127.0.0.1:{fake.port}", "content-type": "application/x-www-form-urlencoded",
               "x-acs-action": "SendSms", "x-acs-version": "2017-05-25", "x-acs-date": date,
               "x-acs-signature-nonce": nonce, "x-acs-content-sha256": _sha(body)}
    names = sorted(signed or headers)
    canonical = "\n".join(["POST", "/", "", "".join(f"{n}:{headers[n]}\n" for n in names),
                           ";".join(names), _sha(body)])
    signature = hmac.new(fake.secret.encode(), f"ACS3-HMAC-SHA256\n{_sha(canonical.encode())}"
                         .encode(), hashlib.sha256).hexdigest()
    headers["Authorization"] = (f"ACS3-HMAC-SHA256 Credential={fake.key_id},"
                                f"SignedHeaders={';'.join(names)},Signature={signature}")
    return requests.post(fake.endpoint + "/", data=body, headers=headers, timeout=5).json()


def _tencent(fake, *, timestamp: int, signed: tuple[str, ...] = ("content-type", "host")) -> dict:
    """POST a SendSms signed by hand (TC3-HMAC-SHA256) at ``timestamp``."""
    body = json.dumps({"PhoneNumberSet": ["+8613800138000"], "SmsSdkAppId": fake.sdk_app_id,
                       "SignName": fake.sign_name, "TemplateId": "SMS_1",
                       "TemplateParamSet": ["123456", "10"]}).encode()
    headers = {"content-type": "application/json; charset=utf-8",
               "host": f"127.0.0.1:{fake.port}"}
    date = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")
    canonical = "\n".join(["POST", "/", "", "".join(f"{n}:{headers[n].lower()}\n" for n in signed),
                           ";".join(signed), _sha(body)])
    to_sign = f"TC3-HMAC-SHA256\n{timestamp}\n{date}/sms/tc3_request\n{_sha(canonical.encode())}"
    key = hmac.new(("TC3" + fake.secret).encode(), date.encode(), hashlib.sha256).digest()
    for part in (b"sms", b"tc3_request"):
        key = hmac.new(key, part, hashlib.sha256).digest()
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    headers |= {"Authorization": f"TC3-HMAC-SHA256 Credential={fake.key_id}/{date}/sms/tc3_request, "
                                 f"SignedHeaders={';'.join(signed)}, Signature={signature}",
                "X-TC-Action": "SendSms", "X-TC-Version": "2021-01-11",
                "X-TC-Timestamp": str(timestamp), "X-TC-Region": "ap-guangzhou"}
    answer = requests.post(fake.endpoint + "/", data=body, headers=headers, timeout=5).json()
    error = answer["Response"].get("Error")
    return error["Code"] if error else answer["Response"]["SendStatusSet"][0]["Code"]


def _acs_date(shift: timedelta = timedelta(0)) -> str:
    return (datetime.now(UTC) + shift).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
def aliyun(fake_aliyun):
    fake_aliyun.templates = dict(TEMPLATE)
    return fake_aliyun


@pytest.fixture
def tencent(fake_tencent):
    fake_tencent.templates = dict(TEMPLATE)
    return fake_tencent


def test_alibaba_cloud_refuses_a_stale_or_malformed_date(aliyun):
    assert _aliyun(aliyun, date=_acs_date(), nonce="n1")["Code"] == "OK"
    for shift in (timedelta(minutes=-16), timedelta(minutes=16)):
        answer = _aliyun(aliyun, date=_acs_date(shift), nonce=f"n{shift}")
        assert answer["Code"] == "InvalidTimeStamp.Expired"
        assert answer["Message"] == "Specified time stamp or date value is expired."
    assert _aliyun(aliyun, date=_acs_date(timedelta(minutes=-14)), nonce="n2")["Code"] == "OK"
    loose = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")  # ISO, not the format
    assert _aliyun(aliyun, date=loose, nonce="n3")["Code"] == "InvalidTimeStamp.Format"
    assert len(aliyun.sent) == 2


def test_alibaba_cloud_refuses_a_reused_nonce(aliyun):
    assert _aliyun(aliyun, date=_acs_date(), nonce="same")["Code"] == "OK"
    answer = _aliyun(aliyun, date=_acs_date(), nonce="same")
    assert (answer["Code"], answer["Message"]) == (
        "SignatureNonceUsed", "Specified signature nonce was used already.")
    assert len(aliyun.sent) == 1


@pytest.mark.parametrize("left_out", ["host", "content-type"])
def test_alibaba_cloud_needs_host_and_content_type_signed(aliyun, left_out):
    names = ("host", "content-type", "x-acs-action", "x-acs-version", "x-acs-date",
             "x-acs-signature-nonce", "x-acs-content-sha256")
    signed = tuple(n for n in names if n != left_out)
    assert _aliyun(aliyun, date=_acs_date(), nonce="n", signed=signed)["Code"] == \
        "IncompleteSignature"
    assert aliyun.sent == []


def test_tencent_cloud_refuses_a_timestamp_beyond_five_minutes(tencent):
    now = int(time.time())
    assert _tencent(tencent, timestamp=now) == "Ok"
    assert _tencent(tencent, timestamp=now - 301) == "AuthFailure.SignatureExpire"
    assert _tencent(tencent, timestamp=now + 301) == "AuthFailure.SignatureExpire"
    assert _tencent(tencent, timestamp=now - 290) == "Ok"
    assert len(tencent.sent) == 2


@pytest.mark.parametrize("signed", [("content-type",), ("host",)])
def test_tencent_cloud_needs_host_and_content_type_signed(tencent, signed):
    assert _tencent(tencent, timestamp=int(time.time()), signed=signed) == \
        "AuthFailure.SignatureFailure"
    assert tencent.sent == []
