"""Pluggable SMS gateways; the app's own ones are ``app.extensions.sms_ext.gateway()`` (chosen
by ``SMS_BACKEND``) and ``sms_ext.fallback()`` (``SMS_FALLBACK_BACKEND``). No Flask here.

* ``file`` (embedded default) appends JSON lines to ``SMS_OUTBOX``; ``log`` only logs (masked);
  both deliver the Chinese text itself.
* ``aliyun`` (Alibaba Cloud Dysmsapi ``SendSms``, signed HTTP API, :mod:`app.sms.aliyun`) and
  ``tencent`` (Tencent Cloud SMS ``SendSms`` 2021-01-11 through its official SDK,
  :mod:`app.sms.tencent`) send a provider template per message *kind* with the message's
  named parameters: each has its own template ids and signature name (签名) from the config.

A gateway raises :class:`SmsError` (``reason`` one of :data:`REASONS`) when the provider does
not take a message; the delivery service decides between fallback, retry and giving up.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from app.sms.base import (
    NO_TEMPLATE,
    REASONS,
    OutgoingSms,
    SmsConfigError,
    SmsError,
    SmsGateway,
    parse_templates,
)
from app.sms.local import FileSmsGateway, LogSmsGateway


def _aliyun(config: Mapping) -> SmsGateway:
    from app.sms.aliyun import AliyunSmsGateway

    return AliyunSmsGateway.from_config(config)


def _tencent(config: Mapping) -> SmsGateway:
    from app.sms.tencent import TencentSmsGateway

    return TencentSmsGateway.from_config(config)


#: ``SMS_BACKEND`` -> the gateway it builds from the app's config
BACKENDS: dict[str, Callable[[Mapping], SmsGateway]] = {
    "file": lambda config: FileSmsGateway(config["SMS_OUTBOX"]),
    "log": lambda config: LogSmsGateway(),
    "aliyun": _aliyun,
    "tencent": _tencent,
}

#: the settings each provider backend cannot work without
REQUIRED_SETTINGS: dict[str, tuple[str, ...]] = {
    "aliyun": ("ALIYUN_SMS_ACCESS_KEY_ID", "ALIYUN_SMS_ACCESS_KEY_SECRET",
               "ALIYUN_SMS_SIGN_NAME", "ALIYUN_SMS_TEMPLATES"),
    "tencent": ("TENCENT_SMS_SECRET_ID", "TENCENT_SMS_SECRET_KEY", "TENCENT_SMS_SDK_APP_ID",
                "TENCENT_SMS_SIGN_NAME", "TENCENT_SMS_TEMPLATES"),
}


#: the setting holding each provider backend's templates (``kind=template_id,...``)
TEMPLATE_SETTINGS = {name: keys[-1] for name, keys in REQUIRED_SETTINGS.items()}


def config_problems(config: Mapping, kinds: Iterable[str] | None = None) -> list[str]:
    """What is wrong with the SMS settings (unknown backend, fallback equal to the backend,
    a provider backend without its credentials, sign name or templates, or without a
    template for one of the message ``kinds``); empty when fine.

    :param kinds: the message kinds every provider backend needs a template for; default:
        the kinds registered in :mod:`app.services.messaging.kinds` (filled in at start-up).
    """
    problems = []
    backend, fallback = config.get("SMS_BACKEND"), config.get("SMS_FALLBACK_BACKEND") or ""
    if backend not in BACKENDS:
        problems.append(f"unknown SMS_BACKEND {backend!r}: expected one of "
                        + ", ".join(repr(name) for name in BACKENDS))
    if fallback and fallback not in BACKENDS:
        problems.append(f"unknown SMS_FALLBACK_BACKEND {fallback!r}")
    if fallback and fallback == backend:
        problems.append("SMS_FALLBACK_BACKEND must differ from SMS_BACKEND")
    if kinds is None:
        from app.services.messaging import kinds as registry  # no Flask, no database

        kinds = registry.kinds()
    needed = sorted(set(kinds))
    for name in (backend, fallback):
        missing = [key for key in REQUIRED_SETTINGS.get(name, ()) if not config.get(key)]
        if missing:
            problems.append(f"SMS backend {name!r} needs " + ", ".join(missing))
        key = TEMPLATE_SETTINGS.get(name)
        if key is None or not config.get(key):
            continue
        try:
            templates = parse_templates(config[key])
        except ValueError as exc:
            problems.append(f"{key}: {exc}")
            continue
        if absent := [kind for kind in needed if kind not in templates]:
            problems.append(f"{key} has no template for the message kinds " + ", ".join(absent))
    return problems


__all__ = ["BACKENDS", "NO_TEMPLATE", "REASONS", "REQUIRED_SETTINGS", "TEMPLATE_SETTINGS",
           "FileSmsGateway", "LogSmsGateway",
           "OutgoingSms", "SmsConfigError", "SmsError", "SmsGateway", "config_problems",
           "parse_templates"]
