"""The minimum-wage table: look-up for the rule engine, history and additions for platform admins.

Rows are never changed or deleted: a new figure, or a correction, is a new row with its own
effective date. The figure in force in a region on a day is the row of the most specific
region-code prefix that has one in force then, with the latest effective date not after that
day (``430121`` before ``43``).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.domain import typed
from app.domain.rules import MinimumWage as WageFacts
from app.domain.typed import Msg
from app.errors import Conflict, Forbidden, ValidationFailed
from app.extensions import db
from app.models import MinimumWage
from app.services.platform import audit
from app.services.platform.principal import Principal

PREFIX_RE = re.compile(r"^[0-9]{2}(?:[0-9]{2}){0,2}$")  # province, city or county
MAX_AMOUNT = Decimal("100000")
SEEDED_AT = datetime(2026, 12, 2, tzinfo=UTC)
# The migration's seed (c4e9a7d2b5f1), from LABOR_RULES.md.
SEED = [
    ("430121", date(2022, 4, 1), Decimal("1740.00"), Decimal("17.00"),
     "长沙县（原二档；档次未核实）"),
    ("430121", date(2025, 9, 1), Decimal("2200.00"), Decimal("22.00"),
     "长沙县（档次未核实，LABOR_RULES.md）"),
    ("43", date(2025, 9, 1), Decimal("1800.00"), Decimal("18.00"), "湖南省最低档"),
]
LABELS = {"region_prefix": "地区代码", "effective_from": "生效日期", "monthly": "月最低工资",
          "hourly": "小时最低工资", "note": "说明"}


def region_prefixes(region_code: str) -> list[str]:
    """The prefixes of a region code a table row may name, most specific first."""
    return [region_code[:n] for n in range(len(region_code or ""), 1, -1)]


def in_force(region_code: str, on: date) -> WageFacts | None:
    """The minimum wage in force in ``region_code`` on ``on`` (``None``: no row applies).

    :param region_code: the 6-digit code of the place of performance.
    """
    prefixes = region_prefixes(region_code)
    row = db.session.scalars(
        select(MinimumWage)
        .where(MinimumWage.region_prefix.in_(prefixes), MinimumWage.effective_from <= on)
        .order_by(func.length(MinimumWage.region_prefix).desc(),
                  MinimumWage.effective_from.desc(), MinimumWage.id.desc())
        .limit(1)).first()
    if row is None:
        return None
    return WageFacts(monthly=Decimal(row.monthly), hourly=Decimal(row.hourly),
                     region_prefix=row.region_prefix, effective_from=row.effective_from)


def _require_admin(p: Principal) -> None:
    if not p.is_platform_admin:
        raise Forbidden("只有平台管理员可以维护最低工资标准", code="not_platform_admin")


def history(p: Principal) -> list[MinimumWage]:
    """Every row, by region then newest effective date first. :raises Forbidden: not a
    platform admin."""
    _require_admin(p)
    return list(db.session.scalars(select(MinimumWage).order_by(
        MinimumWage.region_prefix, MinimumWage.effective_from.desc(), MinimumWage.id.desc())))


def _read(raw: dict) -> dict:
    """The typed row, or :raises ValidationFailed: naming each bad field."""
    errors: dict[str, Msg] = {}
    values: dict = {}
    for name in LABELS:
        value, problem = typed.text(raw.get(name), limit=200 if name == "note" else 20)
        if problem:
            errors[name] = Msg(problem, label=Msg(LABELS[name]), limit=200)
        elif not value and name != "note":
            errors[name] = Msg("请填写%(label)s", label=Msg(LABELS[name]))
        values[name] = value
    if "region_prefix" not in errors and not PREFIX_RE.match(values["region_prefix"]):
        errors["region_prefix"] = Msg("地区代码应为行政区划代码的前2、4或6位数字")
    if "effective_from" not in errors:
        values["effective_from"], problem = typed.iso_date(values["effective_from"])
        if problem:
            errors["effective_from"] = Msg(problem, label=Msg(LABELS["effective_from"]))
    for name in ("monthly", "hourly"):
        if name not in errors:
            values[name], problem = typed.money(values[name], maximum=MAX_AMOUNT)
            if problem:
                errors[name] = Msg(problem, label=Msg(LABELS[name]), limit=MAX_AMOUNT)
            elif values[name] <= 0:
                errors[name] = Msg("%(label)s应大于0", label=Msg(LABELS[name]))
    if errors:
        raise ValidationFailed("请检查标出的项目", fields=errors)
    return values


def add(p: Principal, raw: dict) -> MinimumWage:
    """Add a row (a region prefix, the date it takes effect, monthly and hourly amounts);
    recorded in the audit trail. One transaction.

    :raises Forbidden: not a platform admin. :raises ValidationFailed: a bad field.
    :raises Conflict: the prefix already has a row with that effective date (history is
        never overwritten: publish the correction with a later date).
    """
    _require_admin(p)
    values = _read(raw)
    row = MinimumWage(**values, created_by_id=p.user_id)
    db.session.add(row)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict("该地区在此生效日期已有最低工资标准；历史记录不能覆盖，请以新的生效日期新增",
                       code="minimum_wage_exists") from None
    audit.record(None, p.actor, "minimum_wage.added", region_prefix=row.region_prefix,
                 effective_from=row.effective_from.isoformat(), monthly=str(row.monthly),
                 hourly=str(row.hourly))
    db.session.commit()
    return row


def seed() -> None:
    """Insert :data:`SEED` (the tests' wiped databases; the migration seeds real ones)."""
    db.session.add_all(MinimumWage(region_prefix=prefix, effective_from=start, monthly=monthly,
                                   hourly=hourly, note=note, created_at=SEEDED_AT)
                       for prefix, start, monthly, hourly, note in SEED)
    db.session.commit()
