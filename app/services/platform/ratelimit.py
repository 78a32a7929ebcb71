"""Fixed-window rate limiting shared by every app process, counted in the database.

A limit such as ``"20/minute"`` allows 20 requests per client and action in each calendar
window of one minute. The counter is one row per (action, client, window), incremented with a
single atomic ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` in its own short transaction,
so any number of gunicorn workers and app instances on the same database share it. Clients
are identified by a keyed hash of their address: no raw IP address is stored.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, select, update

from app.domain.typed import Msg
from app.errors import TooManyRequests
from app.extensions import db
from app.models import RateLimitCounter
from app.models.base import utcnow

_UNITS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600,
          "hour": 3600, "d": 86400, "day": 86400}
_UNITS_ZH = {1: "秒", 60: "分钟", 3600: "小时", 86400: "天"}
_LIMIT_RE = re.compile(r"^\s*(\d+)\s*(?:/|per)\s*(\d*)\s*([a-z]+?)s?\s*$", re.IGNORECASE)


class RateLimited(TooManyRequests):
    """Too many requests; ``retry_after`` is the number of seconds until the window ends."""

    def __init__(self, message: str, retry_after: int, **params: object):
        super().__init__(message, code="rate_limited", **params)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Limit:
    """``count`` requests per ``seconds``."""

    count: int
    seconds: int

    def describe_zh(self) -> Msg:
        """The limit as a message (Chinese, translated where shown), e.g. ``每分钟 20 次``."""
        unit = _UNITS_ZH.get(self.seconds)
        if unit:
            return Msg("每%(unit)s %(count)s 次", unit=Msg(unit), count=self.count)
        if self.seconds % 60 == 0:
            return Msg("每 %(minutes)s 分钟 %(count)s 次", minutes=self.seconds // 60,
                       count=self.count)
        return Msg("每 %(seconds)s 秒 %(count)s 次", seconds=self.seconds, count=self.count)


def parse_limit(value: str | int | None) -> Limit | None:
    """Parse ``"20/minute"``, ``"20 per minute"``, ``"5/10s"`` or ``"100/hour"``.

    :param value: the configured limit; ``None``, ``""``, ``0``, ``"off"`` mean no limit.
    :raises ValueError: the text is not a limit.
    """
    if value in (None, "", 0, "0") or str(value).strip().lower() in ("off", "none"):
        return None
    match = _LIMIT_RE.match(str(value))
    unit = _UNITS.get(match.group(3).lower()) if match else None
    if match is None or unit is None:
        raise ValueError(f"invalid rate limit {value!r} (expected e.g. '20/minute')")
    return Limit(int(match.group(1)), int(match.group(2) or 1) * unit)


def client_key(scope: str, address: str | None) -> str:
    """The counter key of one client for one action: a keyed hash, not the address itself."""
    secret = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(secret, (address or "unknown").encode(), hashlib.sha256).hexdigest()
    return f"{scope}:{digest[:40]}"


def hit(key: str, limit: Limit, now: datetime | None = None) -> tuple[int, int]:
    """Count one request for ``key``; return ``(count in this window, seconds left in it)``.

    Runs in its own transaction, independent of the request's session.
    """
    now = now or utcnow()
    epoch = int(now.timestamp())
    start = datetime.fromtimestamp(epoch - epoch % limit.seconds, tz=now.tzinfo)
    end = start + timedelta(seconds=limit.seconds)
    with db.engine.begin() as conn:
        count = _increment(conn, key, start, end)
        if count == 1:  # a new window: drop the finished ones (of every client)
            conn.execute(delete(RateLimitCounter).where(RateLimitCounter.expires_at < now))
    return count, max(1, int((end - now).total_seconds() + 0.999))


def _increment(conn, key: str, start: datetime, end: datetime) -> int:
    table = RateLimitCounter.__table__
    dialect = conn.dialect.name
    if dialect in ("postgresql", "sqlite"):
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        stmt = insert(table).values(key=key, window_start=start, expires_at=end, count=1)
        stmt = stmt.on_conflict_do_update(index_elements=["key", "window_start"],
                                          set_={"count": table.c.count + 1})
        return conn.execute(stmt.returning(table.c.count)).scalar_one()
    where = (table.c.key == key) & (table.c.window_start == start)
    if conn.execute(update(table).where(where).values(count=table.c.count + 1)).rowcount == 0:
        conn.execute(table.insert().values(key=key, window_start=start, expires_at=end, count=1))
    return conn.execute(select(table.c.count).where(where)).scalar_one()


ADDRESS_MESSAGE = "请求过于频繁：每个网络地址%(limit)s，请 %(seconds)s 秒后再试"


def enforce(scope: str, address: str | None, setting: str | int | None,
            message: str = ADDRESS_MESSAGE) -> None:
    """Count a request of ``address`` for ``scope`` against ``setting`` (e.g. ``"20/minute"``).

    ``address`` is whatever is being limited (a client IP, a signing link, a username);
    ``message`` may use ``%(limit)s`` and ``%(seconds)s``.

    :raises RateLimited: the client has used up this window's requests (HTTP 429).
    :raises ValueError: ``setting`` is not a limit (see :func:`parse_limit`).
    """
    limit = parse_limit(setting)
    if limit is None:
        return
    count, retry_after = hit(client_key(scope, address), limit)
    if count > limit.count:
        raise RateLimited(message, retry_after, limit=limit.describe_zh(), seconds=retry_after)
