"""Tables of figures by region and effective date: the minimum wages and the county's
wage-arrears thresholds are both kept this way.

Rows are never changed or deleted: a new figure, or a correction, is a new row with its own
effective date. What is in force in a region on a day is the row of the most specific
region-code prefix that has one in force then, with the latest effective date not after that
day (``430121`` before ``43``). Platform admins read the history and add rows; each addition
is audited.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.domain.typed import Msg
from app.errors import Conflict, Forbidden
from app.extensions import db
from app.services.platform import audit
from app.services.platform.principal import Principal

PREFIX_RE = re.compile(r"^[0-9]{2}(?:[0-9]{2}){0,2}$")  # province, city or county
BAD_PREFIX = "地区代码应为行政区划代码的前2、4或6位数字"

Row = TypeVar("Row")


def region_prefixes(region_code: str) -> list[str]:
    """The prefixes of a region code a table row may name, most specific first."""
    return [region_code[:n] for n in range(len(region_code or ""), 1, -1)]


def prefix_problem(value: str) -> Msg | None:
    """What is wrong with a typed region prefix (2, 4 or 6 digits), or None."""
    return None if PREFIX_RE.match(value or "") else Msg(BAD_PREFIX)


@dataclass(frozen=True)
class RegionTable(Generic[Row]):
    """One such table: its model (``region_prefix``, ``effective_from``, ``created_by_id``)
    and its messages (constant Chinese msgids)."""

    model: type[Row]
    not_admin: str  #: Forbidden: who may not maintain it
    exists: str  #: Conflict: the prefix has a row from that date already
    exists_code: str
    added_action: str  #: the audit action of an addition

    def _in_order(self, query):
        m = self.model
        return query.order_by(func.length(m.region_prefix).desc(), m.effective_from.desc(),
                              m.id.desc())

    def in_force(self, region_code: str, on: date) -> Row | None:
        """The row in force in ``region_code`` on ``on`` (one query), or None."""
        m = self.model
        return db.session.scalars(self._in_order(select(m).where(
            m.region_prefix.in_(region_prefixes(region_code)), m.effective_from <= on))
            .limit(1)).first()

    def schedule(self, region_code: str) -> Callable[[date], Row | None]:
        """The row in force by day for ``region_code``, its rows read once (for judging many
        days, e.g. every month of a reconciliation)."""
        m = self.model
        rows = list(db.session.scalars(self._in_order(select(m).where(
            m.region_prefix.in_(region_prefixes(region_code))))))
        return lambda day: next((r for r in rows if r.effective_from <= day), None)

    def require_admin(self, p: Principal) -> None:
        """:raises Forbidden: ``p`` is not a platform admin."""
        if not p.is_platform_admin:
            raise Forbidden(self.not_admin, code="not_platform_admin")

    def history(self, p: Principal) -> list[Row]:
        """Every row, by region then newest effective date first.

        :raises Forbidden: not a platform admin.
        """
        self.require_admin(p)
        m = self.model
        return list(db.session.scalars(select(m).order_by(
            m.region_prefix, m.effective_from.desc(), m.id.desc())))

    def add(self, p: Principal, read: Callable[[], dict[str, Any]],
            details: Callable[[Row], dict[str, Any]]) -> Row:
        """Add the row ``read()`` types (only once ``p`` is known to be an admin); audited
        with ``details(row)``. One transaction.

        :raises Forbidden: not a platform admin. :raises ValidationFailed: from ``read``.
        :raises Conflict: the prefix has a row from that date already (history is never
            overwritten: a correction is added with a later date).
        """
        self.require_admin(p)
        row = self.model(**read(), created_by_id=p.user_id)
        db.session.add(row)
        try:
            db.session.flush()
        except IntegrityError:
            db.session.rollback()
            raise Conflict(self.exists, code=self.exists_code) from None
        audit.record(None, p.actor, self.added_action, region_prefix=row.region_prefix,
                     effective_from=row.effective_from.isoformat(), **details(row))
        db.session.commit()
        return row
