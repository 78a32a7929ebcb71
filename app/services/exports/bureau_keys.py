"""Bureau system keys: ``lbk_<prefix>_<secret>``, scoped to a region-code prefix; only a
hash of the secret is stored (as for employers' keys, :mod:`app.services.accounts.apikeys`).
Created and revoked by the platform operator (``flask bureau-key create|revoke``).
"""

from __future__ import annotations

import hmac
import re
import secrets

from sqlalchemy import select

from app.errors import NotFound, ValidationFailed
from app.extensions import db
from app.models.base import utcnow
from app.models.bureau import BureauKey
from app.pii import token_hash
from app.services.exports.records import BUREAU_ROLE
from app.services.platform import audit
from app.services.platform.principal import Principal

REGION = re.compile(r"\d{2,6}")


def create_key(region: str, name: str, actor: str) -> tuple[BureauKey, str]:
    """A new key for the bureau system ``name`` reading ``region``; returns it and the secret
    (shown once).

    :raises ValidationFailed: the region is not 2–6 digits, or the name is empty or too long.
    """
    region, name = (region or "").strip(), (name or "").strip()
    fields = {}
    if not REGION.fullmatch(region):
        fields["region"] = "地区代码应为 2 到 6 位数字"
    if not name or len(name) > 100:
        fields["name"] = "请填写名称（不超过 100 字）"
    if fields:
        raise ValidationFailed("请检查标出的字段", fields=fields)
    prefix, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
    key = BureauKey(name=name, region_prefix=region, prefix=prefix,
                    secret_hash=token_hash(secret), created_by=actor[:40])
    db.session.add(key)
    db.session.flush()
    audit.record(None, actor, "bureau_key.created", bureau_key_id=key.id, prefix=prefix,
                 name=name, region=region)
    db.session.commit()
    return key, f"lbk_{prefix}_{secret}"


def revoke_key(prefix: str, actor: str) -> BureauKey:
    """Revoke the key ``lbk_<prefix>_…`` (the whole key may be given).

    :raises NotFound: no such key.
    """
    parts = (prefix or "").strip().split("_")
    wanted = parts[1] if len(parts) >= 2 and parts[0] == "lbk" else (prefix or "").strip()
    key = db.session.scalar(select(BureauKey).where(BureauKey.prefix == wanted))
    if key is None:
        raise NotFound("接口密钥不存在", code="bureau_key_not_found")
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        audit.record(None, actor, "bureau_key.revoked", bureau_key_id=key.id, prefix=key.prefix)
        db.session.commit()
    return key


def authenticate(presented: str) -> BureauKey | None:
    """The live bureau key matching ``presented``, or None."""
    parts = (presented or "").split("_", 2)
    if len(parts) != 3 or parts[0] != "lbk" or len(parts[1]) > 16:
        return None
    key = db.session.scalar(select(BureauKey).where(BureauKey.prefix == parts[1]))
    if key is None or key.revoked_at is not None:
        return None
    if not hmac.compare_digest(key.secret_hash, token_hash(parts[2])):
        return None
    return key


def principal_of(key: BureauKey) -> Principal:
    """The principal of a live bureau key: reads its region's filings export only."""
    return Principal(kind="api_key", actor=f"bureau:{key.id}", role=BUREAU_ROLE,
                     jurisdiction=key.region_prefix)
