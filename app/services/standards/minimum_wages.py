"""The minimum-wage table: look-up for the rule engine, history and additions for platform admins.

A region table (:mod:`region_tables`): rows are added, never changed; the figure in force in a
region on a day is the most specific region-code prefix's latest row by then.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from app.domain import typed
from app.domain.rules import MinimumWage as WageFacts
from app.domain.typed import Msg
from app.errors import ValidationFailed
from app.extensions import db
from app.models import MinimumWage
from app.services.platform.principal import Principal
from app.services.standards.region_tables import RegionTable, prefix_problem

TABLE = RegionTable(
    MinimumWage, not_admin="只有平台管理员可以维护最低工资标准",
    exists="该地区在此生效日期已有最低工资标准；历史记录不能覆盖，请以新的生效日期新增",
    exists_code="minimum_wage_exists", added_action="minimum_wage.added")
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


def in_force(region_code: str, on: date) -> WageFacts | None:
    """The minimum wage in force in ``region_code`` on ``on`` (``None``: no row applies).

    :param region_code: the 6-digit code of the place of performance.
    """
    row = TABLE.in_force(region_code, on)
    if row is None:
        return None
    return WageFacts(monthly=Decimal(row.monthly), hourly=Decimal(row.hourly),
                     region_prefix=row.region_prefix, effective_from=row.effective_from)


def history(p: Principal) -> list[MinimumWage]:
    """Every row, by region then newest effective date first. :raises Forbidden: not a
    platform admin."""
    return TABLE.history(p)


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
    if "region_prefix" not in errors and (problem := prefix_problem(values["region_prefix"])):
        errors["region_prefix"] = problem
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


def add_minimum_wage(p: Principal, raw: dict) -> MinimumWage:
    """Add a row (a region prefix, the date it takes effect, monthly and hourly amounts);
    recorded in the audit trail. One transaction.

    :raises Forbidden: not a platform admin. :raises ValidationFailed: a bad field.
    :raises Conflict: the prefix already has a row with that effective date (history is
        never overwritten: publish the correction with a later date).
    """
    return TABLE.add(p, lambda: _read(raw),
                     lambda row: {"monthly": str(row.monthly), "hourly": str(row.hourly)})


def seed() -> None:
    """Insert :data:`SEED` (the tests' wiped databases; the migration seeds real ones)."""
    db.session.add_all(MinimumWage(region_prefix=prefix, effective_from=start, monthly=monthly,
                                   hourly=hourly, note=note, created_at=SEEDED_AT)
                       for prefix, start, monthly, hourly, note in SEED)
    db.session.commit()
