"""Bearer keys of outside systems: ``<tag>_<prefix>_<secret>``, of which only a SHA-256 of
the secret is stored, found by the prefix and compared in constant time. Shared by the
bureau systems' keys (``lbk``, :mod:`app.services.exports.bureau_keys`) and the feed keys of
attendance systems and banks (``lfk``, :mod:`app.services.feeds.keys`)."""

from __future__ import annotations

import hmac
import secrets

from sqlalchemy import select

from app.errors import NotFound
from app.extensions import db
from app.models.base import utcnow
from app.pii import token_hash
from app.services.platform import audit

MAX_PREFIX = 16


def mint(tag: str) -> tuple[str, str, str]:
    """A new key: ``(prefix, secret hash to store, the whole key to show once)``."""
    prefix, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
    return prefix, token_hash(secret), f"{tag}_{prefix}_{secret}"


def create(model, tag: str, actor: str, *, action: str, id_field: str, details: dict,
           **columns):
    """A new key of ``model`` with ``columns``, recorded in the audit trail as ``action``
    (with ``details``; the caller commits); returns it and the whole key (shown once)."""
    prefix, secret_hash, whole = mint(tag)
    key = model(prefix=prefix, secret_hash=secret_hash, created_by=actor[:40], **columns)
    db.session.add(key)
    db.session.flush()
    audit.record(None, actor, action, **{id_field: key.id}, prefix=prefix, **details)
    return key, whole


def prefix_of(given: str, tag: str) -> str:
    """The prefix of ``<tag>_<prefix>_…`` as given (the whole key, or the prefix alone)."""
    parts = (given or "").strip().split("_")
    return parts[1] if len(parts) >= 2 and parts[0] == tag else (given or "").strip()


def find(model, presented: str, tag: str):
    """The live (not revoked) key of ``model`` matching ``presented``, or None."""
    parts = (presented or "").split("_", 2)
    if len(parts) != 3 or parts[0] != tag or len(parts[1]) > MAX_PREFIX:
        return None
    key = db.session.scalar(select(model).where(model.prefix == parts[1]))
    if key is None or key.revoked_at is not None:
        return None
    if not hmac.compare_digest(key.secret_hash, token_hash(parts[2])):
        return None
    return key


def revoke(model, given: str, tag: str, actor: str, *, action: str, id_field: str,
           missing: str):
    """Revoke the key of ``model`` named by ``given`` (the whole key or its prefix), recorded
    in the audit trail as ``action`` (the caller commits); revoking it again changes nothing.

    :raises NotFound: no such key (error code ``missing``).
    """
    key = db.session.scalar(select(model).where(model.prefix == prefix_of(given, tag)))
    if key is None:
        raise NotFound("接口密钥不存在", code=missing)
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        audit.record(None, actor, action, **{id_field: key.id}, prefix=key.prefix)
    return key
