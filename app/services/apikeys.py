"""Employer API keys: ``lsk_<prefix>_<secret>``; only a hash of the secret is stored."""

from __future__ import annotations

import hmac
import secrets

from sqlalchemy import select

from app.extensions import db
from app.models import ApiKey, Organization
from app.pii import token_hash


def create_key(org: Organization, name: str) -> str:
    """Create a key for ``org`` and return it (shown once); the caller commits."""
    prefix, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
    db.session.add(ApiKey(organization=org, name=name, prefix=prefix,
                          secret_hash=token_hash(secret)))
    return f"lsk_{prefix}_{secret}"


def authenticate(presented: str) -> ApiKey | None:
    """The live key matching ``presented``, or None."""
    parts = presented.split("_", 2)
    if len(parts) != 3 or parts[0] != "lsk":
        return None
    key = db.session.scalar(select(ApiKey).where(ApiKey.prefix == parts[1]))
    if key is None or key.revoked_at is not None:
        return None
    return key if hmac.compare_digest(key.secret_hash, token_hash(parts[2])) else None
