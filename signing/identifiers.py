"""Identifier checks used when certifying signers (GB 32100-2015 USCC, GB 11643 ID numbers)."""

from __future__ import annotations

import re

__all__ = ["ID_HASH", "ID_NUMBER", "is_valid_uscc"]

#: A resident ID number (18 characters, last may be X) -- never allowed in a certificate.
ID_NUMBER = re.compile(r"\d{17}[\dXx]")
#: What a keyed hash of an ID number looks like (hex/base64/base64url, 16-64 characters).
ID_HASH = re.compile(r"[A-Za-z0-9+/=_:.-]{16,64}")
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def is_valid_uscc(code: str) -> bool:
    """Check a unified social credit code (GB 32100-2015) including its check character.

    :param code: the 18-character code.
    """
    if len(code) != 18 or any(ch not in _USCC_ALPHABET for ch in code):
        return False
    total = sum(_USCC_ALPHABET.index(ch) * w for ch, w in zip(code, _USCC_WEIGHTS, strict=False))
    return _USCC_ALPHABET[(31 - total % 31) % 31] == code[17]
