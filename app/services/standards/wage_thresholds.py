"""The county's wage-arrears warning thresholds: look-up for the reconciliation, history and
additions for platform admins (the county labor bureau that runs the platform).

A region table like the minimum wages (:mod:`region_tables`): rows are added, never changed;
the thresholds for a project on a day are the most specific region-code prefix's latest row
by then; with no row, the deployment's settings (``WAGE_*`` in config.py) apply.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask import current_app

from app.domain import wages
from app.domain.templates import validate_fields
from app.domain.templates.fields import REQUIRED
from app.domain.typed import Msg
from app.errors import ValidationFailed
from app.models import WageThreshold
from app.services.platform.principal import Principal
from app.services.standards.region_tables import RegionTable, prefix_problem

TABLE = RegionTable(
    WageThreshold, not_admin="只有平台管理员可以设置欠薪预警阈值",
    exists="该地区在此生效日期已有预警阈值；历史记录不能覆盖，请以新的生效日期新增",
    exists_code="wage_threshold_exists", added_action="wage_threshold.added")

HUNDRED = Decimal(100)
MAX_AMOUNT = "100000000"
FIELDS = [
    {"name": "region_prefix", "type": "text", "label": "地区代码", "required": True, "limit": 6},
    {"name": "effective_from", "type": "date", "label": "生效日期", "required": True},
    {"name": "underpaid_percent", "type": "money", "label": "少发预警比例（百分数）", "required": True,
     "maximum": MAX_AMOUNT},
    {"name": "late_days", "type": "integer", "label": "迟发容忍天数", "required": True,
     "minimum": 0, "maximum": 31},
    {"name": "big_month", "type": "money", "label": "单人单月发放上限（元）", "required": True,
     "maximum": MAX_AMOUNT},
    {"name": "big_year", "type": "money", "label": "单人全年发放上限（元）", "required": True,
     "maximum": MAX_AMOUNT},
    {"name": "unpaid_share_percent", "type": "money", "label": "未发薪出勤人员比例（百分数）",
     "required": True, "maximum": MAX_AMOUNT},
    {"name": "note", "type": "text", "label": "说明", "required": False, "limit": 200},
]
LABELS = {f["name"]: f["label"] for f in FIELDS}
BAD_PERCENT = "%(label)s应大于0且不超过100"
NOT_POSITIVE = "%(label)s应大于0"
YEAR_BELOW_MONTH = "%(label)s不能低于单人单月发放上限"


@dataclass(frozen=True)
class InForce:
    """The thresholds in force for a project, and where they come from (``None``: the
    deployment's settings)."""

    thresholds: wages.Thresholds
    row: WageThreshold | None


def defaults() -> wages.Thresholds:
    """The deployment's settings (``WAGE_*``; see config.py): used where no row applies."""
    cfg = current_app.config
    return wages.Thresholds(
        underpaid_share=Decimal(str(cfg.get("WAGE_UNDERPAID_PERCENT", "5"))) / HUNDRED,
        late_days=int(cfg.get("WAGE_LATE_DAYS", 0)),
        big_month=Decimal(str(cfg.get("WAGE_BIG_MONTH", "50000"))),
        big_year=Decimal(str(cfg.get("WAGE_BIG_YEAR", "300000"))),
        unpaid_share=Decimal(str(cfg.get("WAGE_UNPAID_SHARE_PERCENT", "10"))) / HUNDRED)


def of_row(row: WageThreshold) -> wages.Thresholds:
    """The reconciliation's thresholds of a stored row."""
    return wages.Thresholds(
        underpaid_share=Decimal(row.underpaid_percent) / HUNDRED, late_days=row.late_days,
        big_month=Decimal(row.big_month), big_year=Decimal(row.big_year),
        unpaid_share=Decimal(row.unpaid_share_percent) / HUNDRED)


def schedule(region_code: str) -> Callable[[date], InForce]:
    """The thresholds for a project in ``region_code`` by day, its rows read once (a
    reconciliation judges each month by the setting in force at the month's end)."""
    rows = TABLE.schedule(region_code)
    fallback = InForce(defaults(), None)

    def on(day: date) -> InForce:
        row = rows(day)
        return InForce(of_row(row), row) if row else fallback

    return on


def in_force(region_code: str, on: date) -> InForce:
    """The thresholds for a project in ``region_code`` on ``on``."""
    return schedule(region_code)(on)


def history(p: Principal) -> list[WageThreshold]:
    """Every row, by region then newest first. :raises Forbidden: not a platform admin."""
    return TABLE.history(p)


def _read(raw: object) -> dict:
    """The typed row, or :raises ValidationFailed: naming each bad field."""
    if not isinstance(raw, dict):
        raise ValidationFailed("请求体必须是 JSON 对象", code="malformed_json")
    values, errors = validate_fields(FIELDS, raw)
    if "region_prefix" not in errors and (problem := prefix_problem(values["region_prefix"])):
        errors["region_prefix"] = problem
    for name in ("underpaid_percent", "unpaid_share_percent"):  # any problem: a percentage
        if errors.get(name, Msg("")).template == REQUIRED:
            continue
        if name in errors or not 0 < Decimal(values[name]) <= HUNDRED:
            errors[name] = Msg(BAD_PERCENT, label=Msg(LABELS[name]))
    for name in ("big_month", "big_year"):
        if name not in errors and Decimal(values[name]) <= 0:
            errors[name] = Msg(NOT_POSITIVE, label=Msg(LABELS[name]))
    if not {"big_month", "big_year"} & set(errors) and \
            Decimal(values["big_year"]) < Decimal(values["big_month"]):
        errors["big_year"] = Msg(YEAR_BELOW_MONTH, label=Msg(LABELS["big_year"]))
    if errors:
        raise ValidationFailed("请检查标出的项目", fields=errors)
    values["effective_from"] = date.fromisoformat(values["effective_from"])
    for name in ("underpaid_percent", "unpaid_share_percent", "big_month", "big_year"):
        values[name] = Decimal(values[name])
    return values


def add_wage_threshold(p: Principal, raw: object) -> WageThreshold:
    """Add thresholds for a region prefix from an effective date; recorded in the audit
    trail. One transaction.

    :raises Forbidden: not a platform admin. :raises ValidationFailed: a bad field.
    :raises Conflict: the prefix already has a row with that effective date (history is never
        overwritten: publish the change with a later date).
    """
    return TABLE.add(p, lambda: _read(raw), lambda row: {
        "underpaid_percent": str(row.underpaid_percent), "late_days": row.late_days,
        "big_month": str(row.big_month), "big_year": str(row.big_year),
        "unpaid_share_percent": str(row.unpaid_share_percent)})
