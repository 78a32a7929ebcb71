"""The export's opaque cursor: a position ``(archived_at, filing id)`` signed with a key
derived from ``SECRET_KEY``, so that a caller can neither forge nor edit it.

``<base64url of the JSON body>.<base64url of 16 bytes of HMAC-SHA256>``; the body is the
position and what it was issued for — the exporting actor (a bureau key, or the CLI's system
actor), the region filter and the format — so a cursor works only for the same key, region
and format: another key's cursor, or one from a different region or format, is refused. Filings are read
in ``(archived_at, id)`` order strictly after the position: two filings of the same second are
told apart by their id, and a filing is never returned twice.
"""

from __future__ import annotations

import base64
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from hashlib import sha256

from flask import current_app

from app.domain.beijing import BEIJING
from app.errors import ValidationFailed
from app.pii import hkdf

MAX_CURSOR = 400  # characters a cursor may have


@dataclass(frozen=True)
class Position:
    """Where an export stopped: after the filing ``filing_id`` archived at ``archived_at``."""

    archived_at: datetime
    filing_id: int


def _key() -> bytes:
    return hkdf(current_app.config["SECRET_KEY"], b"laborsign filing export cursor v1")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class Binding:
    """What a cursor was issued for: the actor exporting, its region filter and the format."""

    actor: str
    region: str | None
    fmt: str

    def as_list(self) -> list:
        """The binding as it is written in the signed body."""
        return [self.actor, self.region or "", self.fmt]


def encode(position: Position, binding: Binding) -> str:
    """The opaque, signed cursor of ``position`` for ``binding``."""
    body = json.dumps([position.archived_at.astimezone(UTC).isoformat(), position.filing_id,
                       *binding.as_list()], separators=(",", ":"), ensure_ascii=False).encode()
    return f"{_b64(body)}.{_b64(hmac.new(_key(), body, sha256).digest()[:16])}"


def _refused() -> ValidationFailed:
    return ValidationFailed("游标无效或已被改动", fields={"cursor": "游标无效或已被改动"},
                            code="invalid_cursor")


def decode(cursor: str, binding: Binding) -> Position:
    """The position ``cursor`` names, when it was issued for ``binding``.

    :raises ValidationFailed: (field ``cursor``) malformed, forged, edited, or issued to
        another actor or for another region or format.
    """
    try:
        body_text, _, sig_text = cursor.strip().partition(".")
        if len(cursor) > MAX_CURSOR or not sig_text:
            raise ValueError
        body = _unb64(body_text)
        if not hmac.compare_digest(_unb64(sig_text), hmac.new(_key(), body, sha256).digest()[:16]):
            raise ValueError
        moment, filing_id, *bound = json.loads(body)
        at = datetime.fromisoformat(moment)
        if at.tzinfo is None or not isinstance(filing_id, int) or bound != binding.as_list():
            raise ValueError
        return Position(at, filing_id)
    except (ValueError, TypeError, UnicodeError):
        raise _refused() from None


def since(day: date) -> Position:
    """The position before every filing archived on or after ``day`` (Beijing calendar)."""
    return Position(datetime.combine(day, time.min, BEIJING).astimezone(UTC), 0)
