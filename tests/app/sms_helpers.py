"""The app wired to the fake SMS providers (tests/plugins/sms_providers.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from app.extensions import db, sms_ext
from app.models import Job, SmsDelivery
from app.models.base import utcnow
from app.services.messaging import kinds
from app.services.platform import jobs
from tests.plugins.sms_providers import FakeAliyun, FakeTencent

CALLBACK_SECRET = "cb-" + "7" * 40


@dataclass
class Providers:
    """The two fakes by name; ``primary`` / ``fallback`` as the app is configured."""

    aliyun: FakeAliyun
    tencent: FakeTencent
    primary: str
    fallback: str

    def __getitem__(self, name: str):
        return {"aliyun": self.aliyun, "tencent": self.tencent}[name]

    def all_sent(self) -> list[dict]:
        return [*self.aliyun.sent, *self.tencent.sent]


def template_ids(prefix: str) -> dict[str, str]:
    """kind -> a template id of the provider (``SMS_1001`` / ``1001`` ...)."""
    return {kind: f"{prefix}{1001 + n}" for n, kind in enumerate(kinds.kinds())}


def configure(app, monkeypatch, aliyun: FakeAliyun, tencent: FakeTencent, *,
              primary: str = "aliyun", fallback: str = "tencent") -> Providers:
    """Point the app at the fakes (each provider's templates registered in its fake)."""
    ali, ten = template_ids("SMS_"), template_ids("")
    aliyun.templates = {code: kinds.names_of(kind) for kind, code in ali.items()}
    tencent.templates = {code: kinds.names_of(kind) for kind, code in ten.items()}
    settings = {
        "SMS_BACKEND": primary, "SMS_FALLBACK_BACKEND": fallback, "SMS_TIMEOUT_SECONDS": 3,
        "SMS_CALLBACK_SECRET": CALLBACK_SECRET,
        "ALIYUN_SMS_ACCESS_KEY_ID": aliyun.key_id, "ALIYUN_SMS_ACCESS_KEY_SECRET": aliyun.secret,
        "ALIYUN_SMS_ENDPOINT": aliyun.endpoint, "ALIYUN_SMS_SIGN_NAME": aliyun.sign_name,
        "ALIYUN_SMS_TEMPLATES": ",".join(f"{k}={v}" for k, v in ali.items()),
        "TENCENT_SMS_SECRET_ID": tencent.key_id, "TENCENT_SMS_SECRET_KEY": tencent.secret,
        "TENCENT_SMS_SDK_APP_ID": tencent.sdk_app_id, "TENCENT_SMS_ENDPOINT": tencent.endpoint,
        "TENCENT_SMS_SIGN_NAME": tencent.sign_name,
        "TENCENT_SMS_TEMPLATES": ",".join(f"{k}={v}" for k, v in ten.items()),
    }
    for key, value in settings.items():
        monkeypatch.setitem(app.config, key, value)
    sms_ext.use(None, app=app)
    sms_ext.use_fallback(None, app=app)
    return Providers(aliyun, tencent, primary, fallback)


def sms_jobs() -> list[Job]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(Job).where(Job.kind == "sms").order_by(Job.id)))


def deliveries() -> list[SmsDelivery]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(SmsDelivery).order_by(SmsDelivery.id)))


def run_due_later(minutes: float = 61) -> int:
    """Run every sms job as a worker would once its backoff has passed; how many ran."""
    ran = 0
    while (job := jobs.claim("test-worker", utcnow() + timedelta(minutes=minutes))) is not None:
        jobs.execute(job)
        ran += 1
        if ran > 200:
            raise AssertionError("jobs keep coming")
    return ran
