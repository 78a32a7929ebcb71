"""The export's opaque cursor: a position in the export's commit order (the last
``Filing.export_seq`` sent, :mod:`.sequence`) signed with a key derived from ``SECRET_KEY``,
so that a caller can neither forge nor edit it.

``<base64url of the JSON body>.<base64url of 16 bytes of HMAC-SHA256>``; the body is the
position — the last export number sent and the archive-time floor of a ``since`` start, kept
for every later page — and what it was issued for — the exporting actor (a bureau key, or the
CLI's system actor), the region filter and the format — so a cursor works only for the same
key, region and format: another key's cursor, or one from a different region or format, is
refused. It also carries the id of the filing sent with that number, checked at the next
page (:func:`.sequence.rolled_back`), and the export's generation
(:func:`.sequence.generation`), replaced after a database restore: a cursor of an earlier
generation — its number may lie past filings that the restored counter numbers again — is
refused with its own message (``cursor_outdated``), as is one past where the database now is
(a point-in-time recovery or failover) and one of the earlier format (an archive time and a
filing id, before the export read in commit order): start again with ``since``.
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
    """Where an export stopped: after export number ``seq``; ``floor``: only filings archived
    at or after it (a ``since`` start), or None; ``filing``: the id of the filing that held
    number ``seq`` when it was sent (None before the first record), checked at the next page
    (:func:`.sequence.rolled_back`)."""

    seq: int
    floor: datetime | None = None
    filing: int | None = None


def _key() -> bytes:
    return hkdf(current_app.config["SECRET_KEY"], b"laborsign filing export cursor v1")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class Binding:
    """What a cursor was issued for: the actor exporting, its region filter and the format,
    in the export's generation."""

    actor: str
    region: str | None
    fmt: str
    generation: int = 0

    def as_list(self) -> list:
        """The binding as it is written in the signed body."""
        return [self.actor, self.region or "", self.fmt]


def encode(position: Position, binding: Binding) -> str:
    """The opaque, signed cursor of ``position`` for ``binding``."""
    floor = position.floor.astimezone(UTC).isoformat() if position.floor else ""
    body = json.dumps([position.seq, floor, binding.generation, position.filing or 0,
                       *binding.as_list()],
                      separators=(",", ":"),
                      ensure_ascii=False).encode()
    return f"{_b64(body)}.{_b64(hmac.new(_key(), body, sha256).digest()[:16])}"


def _refused() -> ValidationFailed:
    return ValidationFailed("游标无效或已被改动", fields={"cursor": "游标无效或已被改动"},
                            code="invalid_cursor")


def outdated() -> ValidationFailed:
    """The error of a cursor that no longer applies: start again with ``since``."""
    message = "游标已过期（旧格式或数据已恢复），请用起始日期（since）重新开始导出"
    return ValidationFailed(message, fields={"cursor": message}, code="cursor_outdated")


def decode(cursor: str, binding: Binding) -> Position:
    """The position ``cursor`` names, when it was issued for ``binding``.

    :raises ValidationFailed: (field ``cursor``) malformed, forged, edited, issued to another
        actor or for another region or format (``invalid_cursor``), or of the earlier
        archive-time format or an earlier generation (``cursor_outdated``).
    """
    try:
        body_text, _, sig_text = cursor.strip().partition(".")
        if len(cursor) > MAX_CURSOR or not sig_text:
            raise ValueError
        body = _unb64(body_text)
        if not hmac.compare_digest(_unb64(sig_text), hmac.new(_key(), body, sha256).digest()[:16]):
            raise ValueError
        seq, floor, *bound = json.loads(body)
        if isinstance(seq, str) and isinstance(floor, int):  # the archive-time format
            raise outdated() if bound == binding.as_list() else ValueError
        generation, filing, *bound = bound
        if bound != binding.as_list():
            raise ValueError
        if generation != binding.generation:  # issued before a restore
            raise outdated()
        at = datetime.fromisoformat(floor) if floor else None
        if any(isinstance(n, bool) or not isinstance(n, int) or n < 0 for n in (seq, filing)) \
                or (at is not None and at.tzinfo is None):
            raise ValueError
        return Position(seq, at, filing or None)
    except (ValueError, TypeError, UnicodeError):
        raise _refused() from None


def since(day: date) -> Position:
    """The start of the filings archived on or after ``day`` (Beijing calendar)."""
    return Position(0, datetime.combine(day, time.min, BEIJING).astimezone(UTC))
