"""Encryption at rest and keyed hashes for personal data (ID numbers, phones)."""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet
from flask import current_app


def _key_material() -> bytes:
    key = current_app.config.get("PII_KEY") or current_app.config["SECRET_KEY"]
    return hashlib.sha256(("laborsign-pii:" + key).encode()).digest()


def _fernet() -> Fernet:
    fernet = current_app.extensions.get("pii_fernet")
    if fernet is None:
        fernet = Fernet(base64.urlsafe_b64encode(_key_material()))
        current_app.extensions["pii_fernet"] = fernet
    return fernet


def encrypt(value: str) -> str:
    """Encrypt a personal-data string for storage."""
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    """Decrypt a value produced by :func:`encrypt`."""
    return _fernet().decrypt(token.encode()).decode()


def keyed_hash(value: str, purpose: str = "id") -> str:
    """A searchable keyed hash (HMAC-SHA256) of ``value``; never reversible without the key."""
    return hmac.new(_key_material(), f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def token_hash(token: str) -> str:
    """SHA-256 of a random bearer token (links, sessions, API keys)."""
    return hashlib.sha256(token.encode()).hexdigest()
