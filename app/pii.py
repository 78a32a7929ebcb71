"""Encryption at rest and keyed hashes for personal data (ID numbers, phones).

Two separate keys, both derived with HKDF-SHA256 (different ``info`` strings):

* the **field-encryption key** (Fernet) from each secret of ``PII_FIELD_KEYS`` (newest first;
  default: ``PII_KEY``). A :class:`~cryptography.fernet.MultiFernet` encrypts with the first
  and decrypts with any of them, and with the legacy key of releases before key separation
  (``sha256("laborsign-pii:" + PII_KEY)``), so old ciphertext stays readable;
  ``flask keys rotate`` re-encrypts every stored value under the newest key.
* the **keyed-hash key** (HMAC-SHA256) from ``PII_KEY``; it is not rotated (searchable hashes
  such as ``workers.id_hash`` would no longer match). The migration that introduced it
  recomputed the stored hashes from the encrypted ID numbers.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

FIELD_INFO = b"laborsign/pii/field-encryption/v1"
HASH_INFO = b"laborsign/pii/keyed-hash/v1"


@dataclass(frozen=True)
class Keys:
    """The derived personal-data keys of one app."""

    fernet: MultiFernet  # encrypts with the newest field key, decrypts with all + legacy
    primary: Fernet  # the newest field key alone (tells whether a token is current)
    hash_key: bytes


def hkdf(secret: str, info: bytes) -> bytes:
    """32 bytes derived from ``secret`` for the purpose named by ``info``."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(secret.encode())


def legacy_key(secret: str) -> bytes:
    """The single key of releases before key separation (decrypting old ciphertext only)."""
    return hashlib.sha256(("laborsign-pii:" + secret).encode()).digest()


def derive_keys(config: Mapping[str, Any]) -> Keys:
    """Derive the field-encryption and keyed-hash keys from the config.

    :raises ValueError: neither ``PII_KEY`` nor ``SECRET_KEY`` is set.
    """
    secret = config.get("PII_KEY") or config.get("SECRET_KEY")
    if not secret:
        raise ValueError("PII_KEY is not set")
    field_secrets = [s.strip() for s in str(config.get("PII_FIELD_KEYS") or "").split(",")]
    field_secrets = [s for s in field_secrets if s] or [secret]
    fernets = [Fernet(base64.urlsafe_b64encode(hkdf(s, FIELD_INFO))) for s in field_secrets]
    legacy = Fernet(base64.urlsafe_b64encode(legacy_key(secret)))
    return Keys(fernet=MultiFernet([*fernets, legacy]), primary=fernets[0],
                hash_key=hkdf(secret, HASH_INFO))


#: where the app keeps its derived keys: ``app.extensions[STATE]`` (set by
#: ``app.extensions.pii_ext``; this module stays below the extensions it serves)
STATE = "laborsign.pii"


def _keys() -> Keys:
    try:
        return current_app.extensions[STATE]
    except KeyError:
        raise RuntimeError("the personal-data keys are not initialised on this app "
                           "(use app.create_app)") from None


def encrypt(value: str) -> str:
    """Encrypt a personal-data string for storage (under the newest field key)."""
    return _keys().fernet.encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    """Decrypt a value produced by :func:`encrypt` (with any configured or the legacy key)."""
    return _keys().fernet.decrypt(token.encode()).decode()


def is_current(token: str) -> bool:
    """True when ``token`` is encrypted under the newest field key already."""
    try:
        _keys().primary.decrypt(token.encode())
    except InvalidToken:
        return False
    return True


def reencrypt(token: str) -> str:
    """``token`` encrypted again under the newest field key (same plaintext)."""
    return _keys().fernet.rotate(token.encode()).decode()


def keyed_hash(value: str, purpose: str = "id") -> str:
    """A searchable keyed hash (HMAC-SHA256) of ``value``; never reversible without the key."""
    return hmac.new(_keys().hash_key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def legacy_keyed_hash(value: str, purpose: str = "id") -> str:
    """The keyed hash as releases before key separation computed it (migrations only)."""
    secret = current_app.config.get("PII_KEY") or current_app.config["SECRET_KEY"]
    return hmac.new(legacy_key(secret), f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def token_hash(token: str) -> str:
    """SHA-256 of a random bearer token (links, sessions, API keys)."""
    return hashlib.sha256(token.encode()).hexdigest()
