"""Employer API keys: ``lsk_<prefix>_<secret>``; only a hash of the secret is stored.

A key works while it is not revoked and its employer is approved. Its last use is recorded
at most once a minute, in a short transaction of its own.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError

from app.errors import NotFound
from app.extensions import db
from app.models import ApiKey, Organization
from app.models.base import utcnow
from app.pii import token_hash
from app.services.accounts.formdata import Fields
from app.services.platform import audit, scope
from app.services.platform.principal import Principal

log = logging.getLogger(__name__)
TOUCH_EVERY = timedelta(seconds=60)


def create_key(org: Organization, name: str) -> str:
    """Create a key for ``org`` and return it (shown once); the caller commits."""
    return new_key(org, name)[1]


def new_key(org: Organization, name: str) -> tuple[ApiKey, str]:
    """Add a key for ``org`` to the session; returns it and its secret (shown once)."""
    prefix, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
    key = ApiKey(organization=org, name=name, prefix=prefix, secret_hash=token_hash(secret))
    db.session.add(key)
    return key, f"lsk_{prefix}_{secret}"


def authenticate(presented: str) -> ApiKey | None:
    """The live key matching ``presented`` (of an approved employer), or None."""
    parts = (presented or "").split("_", 2)
    if len(parts) != 3 or parts[0] != "lsk" or len(parts[1]) > 16:
        return None
    key = db.session.scalar(select(ApiKey).where(ApiKey.prefix == parts[1]))
    if key is None or key.revoked_at is not None or not key.organization.is_approved:
        return None
    if not hmac.compare_digest(key.secret_hash, token_hash(parts[2])):
        return None
    now = utcnow()
    if key.last_used_at is None or now - key.last_used_at > TOUCH_EVERY:
        _touch(key.id, now)
    return key


def _touch(key_id: int, now) -> None:
    try:
        with db.engine.begin() as conn:
            conn.execute(update(ApiKey).where(ApiKey.id == key_id).values(last_used_at=now))
    except SQLAlchemyError:  # pragma: no cover - a busy database only delays the record
        log.warning("could not record the use of API key %s", key_id)


def keys(p: Principal) -> list[ApiKey]:
    """The employer's keys, newest first (revoked ones included)."""
    org_id = scope.administered_organization(p)
    return list(db.session.scalars(select(ApiKey).where(ApiKey.organization_id == org_id)
                                   .order_by(ApiKey.created_at.desc(), ApiKey.id.desc())))


def create(p: Principal, data: dict) -> tuple[ApiKey, str]:
    """A new named key for the admin's employer; returns it and the secret (shown once).

    :raises ValidationFailed: the name is missing or too long.
    """
    org_id = scope.administered_organization(p)
    fields = Fields(data)
    name = fields.text("name", 100)
    fields.check()
    key, secret = new_key(db.session.get(Organization, org_id), name)
    db.session.flush()
    audit.record(None, p.actor, "api_key.created", api_key_id=key.id, prefix=key.prefix,
                 name=name, organization_id=org_id)
    db.session.commit()
    return key, secret


def revoke(p: Principal, key_id: int) -> ApiKey:
    """Revoke one of the employer's keys (it stops working at once).

    :raises NotFound: no such key of this employer (other employers' keys look the same).
    """
    org_id = scope.administered_organization(p)
    key = db.session.scalar(select(ApiKey).where(ApiKey.id == key_id,
                                                 ApiKey.organization_id == org_id))
    if key is None:
        raise NotFound("接口密钥不存在", code="api_key_not_found")
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        audit.record(None, p.actor, "api_key.revoked", api_key_id=key.id, prefix=key.prefix)
        db.session.commit()
    return key


def revoke_by_prefix(prefix: str, actor: str) -> ApiKey:
    """Revoke the key ``lsk_<prefix>_…`` (CLI; the whole key may be given).

    :raises NotFound: no key with this prefix.
    """
    parts = prefix.strip().split("_")
    wanted = parts[1] if len(parts) >= 2 and parts[0] == "lsk" else prefix.strip()
    key = db.session.scalar(select(ApiKey).where(ApiKey.prefix == wanted))
    if key is None:
        raise NotFound("接口密钥不存在", code="api_key_not_found")
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        audit.record(None, actor, "api_key.revoked", api_key_id=key.id, prefix=key.prefix)
        db.session.commit()
    return key


def create_for_organization(org: Organization, name: str, actor: str) -> tuple[ApiKey, str]:
    """A new key for ``org`` (CLI); returns it and the secret (shown once)."""
    key, secret = new_key(org, name)
    db.session.flush()
    audit.record(None, actor, "api_key.created", api_key_id=key.id, prefix=key.prefix,
                 name=name, organization_id=org.id)
    db.session.commit()
    return key, secret
