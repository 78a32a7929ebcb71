"""Chinese identifiers: resident ID numbers (GB 11643-1999), USCC (GB 32100-2015), phones."""

from __future__ import annotations

import re
from datetime import date

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_PHONE_RE = re.compile(r"^1[3-9][0-9]{9}$")


def _ascii_digits(text: str) -> bool:
    """Only the digits 0-9 (``str.isdigit`` also takes full-width and other scripts' digits)."""
    return bool(text) and all("0" <= c <= "9" for c in text)


def id_number_error(value: str) -> str | None:
    """Return why ``value`` is not a valid 18-character resident ID number, or None."""
    v = value.strip().upper()
    if len(v) != 18:
        return "身份证号码应为18位"
    if not _ascii_digits(v[:17]) or not (_ascii_digits(v[17]) or v[17] == "X"):
        return "身份证号码前17位应为数字，最后一位为数字或X"
    try:
        date(int(v[6:10]), int(v[10:12]), int(v[12:14]))
    except ValueError:
        return "身份证号码中的出生日期无效"
    total = sum(int(c) * w for c, w in zip(v[:17], _ID_WEIGHTS, strict=True))
    if _ID_CHECK[total % 11] != v[17]:
        return "身份证号码校验位不正确"
    return None


def birth_date(id_number: str) -> date:
    """The birth date encoded in a (valid) resident ID number."""
    return date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


def normalize_id_number(value: str) -> str:
    """Upper-case and strip an ID number (the check character may be typed as 'x')."""
    return value.strip().upper()


def uscc_error(value: str) -> str | None:
    """Return why ``value`` is not a valid unified social credit code, or None."""
    v = value.strip().upper()
    if len(v) != 18:
        return "统一社会信用代码应为18位"
    if any(c not in _USCC_CHARS for c in v):
        return "统一社会信用代码含有无效字符（不使用 I、O、Z、S、V）"
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(v[:17], _USCC_WEIGHTS, strict=True))
    if _USCC_CHARS[(31 - total % 31) % 31] != v[17]:
        return "统一社会信用代码校验位不正确"
    return None


def phone_error(value: str) -> str | None:
    """Return why ``value`` is not a mainland mobile number, or None."""
    if not _PHONE_RE.match(value.strip()):
        return "手机号码应为11位，以1开头"
    return None


def mask_id(value: str) -> str:
    """Mask an ID number for display: first 4 and last 4 characters kept."""
    return value[:4] + "*" * (len(value) - 8) + value[-4:] if len(value) > 8 else "****"


def mask_phone(value: str) -> str:
    """Mask a phone number for display: ``138****5678``."""
    return value[:3] + "****" + value[-4:] if len(value) >= 7 else "****"


def uscc_with_check(first17: str) -> str:
    """Complete a 17-character USCC body with its check character (for demos and tests)."""
    body = first17.upper()
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(body, _USCC_WEIGHTS, strict=True))
    return body + _USCC_CHARS[(31 - total % 31) % 31]


def id_with_check(first17: str) -> str:
    """Complete a 17-digit ID number body with its check character (for demos and tests)."""
    total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True))
    return first17 + _ID_CHECK[total % 11]
