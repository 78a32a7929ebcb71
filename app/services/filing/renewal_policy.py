"""When an archived time-stamp needs a successor, and with what: the renewal window and the
weak hash list (``TIMESTAMP_RENEW_BEFORE_DAYS``, ``TIMESTAMP_WEAK_ALGORITHMS``), the hash of
new time-stamps, and the checks that the TSA about to be used outlives the window (the
built-in TSA's certificate; an external ``TSA_URL`` probed once a run). Used by
:mod:`app.services.filing.renewal`."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app

from app.errors import Conflict
from app.models import FilingTimestamp
from app.models.base import utcnow
from app.services.platform import pki

NO_ALGORITHM = ("TIMESTAMP_WEAK_ALGORITHMS 列出了可用于续期的全部哈希算法（%(names)s），"
                "无法续期：请从该设置中移除至少一个")
TSA_PROBE_EXPIRES = ("外部时间戳服务（TSA_URL）的证书将于 %(date)s 到期，未能超出续期窗口"
                     "（%(days)s 天）：续期后的时间戳会立即再次到期，请先更换 TSA 证书")
TSA_PROBE_FAILED = "外部时间戳服务（TSA_URL）未能签发测试时间戳：%(reason)s"
TSA_EXPIRES = ("时间戳服务（TSA）证书将于 %(date)s 到期，已在续期窗口（%(days)s 天）之内："
               "请先运行 flask ca rotate-tsa 签发新的 TSA 证书")


def window() -> timedelta:
    return timedelta(days=current_app.config["TIMESTAMP_RENEW_BEFORE_DAYS"])


def weak() -> list[str]:
    raw = current_app.config["TIMESTAMP_WEAK_ALGORITHMS"]
    return [a.strip().lower() for a in raw.split(",") if a.strip()]


def is_due(version: FilingTimestamp, now: datetime) -> bool:
    """Whether ``version``'s newest time-stamp needs a successor now."""
    if version.tsa_not_after is None:
        return False  # no time-stamp at all: nothing to keep alive
    return version.tsa_not_after < now + window() or (version.md_algorithm or "") in weak()


def renewal_algorithm() -> str:
    """The hash algorithm of new time-stamps: the first strong one not on
    ``TIMESTAMP_WEAK_ALGORITHMS`` (a renewal with a listed one would be due again at once).

    :raises Conflict: the weak list names every algorithm a renewal could use.
    """
    from signing import STRONG_ALGORITHMS, strong_algorithm

    found = strong_algorithm(weak())
    if found is None:
        raise Conflict(NO_ALGORITHM, code="no_strong_algorithm",
                       names=", ".join(STRONG_ALGORITHMS))
    return found


def weak_only(version: FilingTimestamp, now: datetime) -> bool:
    """Due only for its hash algorithm (the TSA certificate is far from expiry)."""
    return version.tsa_not_after is not None and version.tsa_not_after >= now + window()


def check_current_tsa(now: datetime | None = None) -> None:
    """Refuse when the platform's own TSA certificate expires within the renewal window (a
    renewal with it would be due again at once). An external TSA (``TSA_URL``) is checked
    per renewal instead (the new certificate must outlive the old one), and once per run by
    :func:`probe_external_tsa`.

    :raises Conflict: the TSA certificate must be rotated first (``flask ca rotate-tsa``).
    """
    if current_app.config["TSA_URL"]:
        return
    now = now or utcnow()
    expires = pki.tsa().cert.not_valid_after
    if expires < now + window():
        raise Conflict(TSA_EXPIRES, code="tsa_expiring", date=f"{expires:%Y-%m-%d}",
                       days=current_app.config["TIMESTAMP_RENEW_BEFORE_DAYS"])


def probe_external_tsa(now: datetime | None = None) -> None:
    """With an external TSA (``TSA_URL``): one time-stamp request on a dummy digest; its TSA
    certificate must outlive the renewal window (else every renewal would fail on "does not
    outlive", or be due again at once). No-op for the built-in TSA.

    :raises Conflict: the TSA cannot be reached or its certificate expires too soon.
    """
    import hashlib

    from signing._async import run_sync
    from signing.renewal import _token_info

    if not current_app.config["TSA_URL"]:
        return
    now = now or utcnow()
    digest = hashlib.sha256(b"laborsign tsa probe").digest()
    try:
        token = run_sync(pki.timestamper().async_timestamp(digest, "sha256"))
        expires = _token_info(token["content"], 0).tsa_not_after
    except Exception as exc:  # noqa: BLE001 - network, HTTP or token errors alike
        raise Conflict(TSA_PROBE_FAILED, code="tsa_probe_failed", reason=str(exc)[:200]
                       ) from None
    if expires < now + window():
        raise Conflict(TSA_PROBE_EXPIRES, code="tsa_expiring", date=f"{expires:%Y-%m-%d}",
                       days=current_app.config["TIMESTAMP_RENEW_BEFORE_DAYS"])
