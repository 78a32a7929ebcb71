"""Validation of fixed-term labor-contract terms (Labor Contract Law arts. 17, 19, 20).

Input is what a person typed (strings from a form or JSON); output is a clean,
JSON-serialisable dict, or a mapping of field name to a message naming the problem.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from app.domain.ids import birth_date, id_number_error, normalize_id_number, phone_error

HOURS_SYSTEMS = {
    "standard": "标准工时制",
    "comprehensive": "综合计算工时制",
    "flexible": "不定时工作制",
}

# Monthly minimum wage by region prefix and date (LABOR_RULES.md; Hunan from 2025-09-01).
# The tier of a county is unverified: kept as data, overridable by MIN_WAGE_MONTHLY.
MIN_WAGE_TABLE: dict[str, list[tuple[date, Decimal]]] = {
    "430121": [(date(2022, 4, 1), Decimal("1740")), (date(2025, 9, 1), Decimal("2200"))],
    "43": [(date(2025, 9, 1), Decimal("1800"))],
}

REQUIRED = (
    "worker_name", "worker_id_number", "worker_phone", "term_start", "term_end",
    "post", "work_location", "hours_system", "monthly_wage", "pay_day",
    "social_insurance", "labor_protection",
)
TEXT_LIMITS = {
    "worker_name": 50, "worker_address": 200, "post": 100, "work_location": 200,
    "social_insurance": 500, "labor_protection": 500, "other_terms": 2000,
}
FIELD_LABELS = {
    "worker_name": "劳动者姓名", "worker_id_number": "身份证号码", "worker_phone": "手机号码",
    "worker_address": "劳动者住址", "term_start": "合同开始日期", "term_end": "合同终止日期",
    "probation_months": "试用期", "probation_wage": "试用期工资", "post": "工作岗位",
    "work_location": "工作地点", "hours_system": "工时制度", "monthly_wage": "月工资",
    "pay_day": "发薪日", "social_insurance": "社会保险", "labor_protection": "劳动保护",
    "other_terms": "其他约定",
}


def minimum_wage(region_code: str, on: date) -> Decimal:
    """The monthly minimum wage in force in ``region_code`` on ``on`` (0 when unknown)."""
    for prefix in (region_code, region_code[:2]):
        rows = [amount for start, amount in MIN_WAGE_TABLE.get(prefix, []) if start <= on]
        if rows:
            return rows[-1]
    return Decimal("0")


def max_probation_months(start: date, end: date) -> int:
    """Longest probation allowed for a fixed term from ``start`` to ``end`` (art. 19)."""
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if end.day < start.day:
        months -= 1
    if months < 3:
        return 0
    if months < 12:
        return 1
    if months < 36:
        return 2
    return 6


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None


def _money(value: str) -> Decimal | None:
    try:
        amount = Decimal(value.strip().replace(",", ""))
    except InvalidOperation:
        return None
    return amount.quantize(Decimal("0.01")) if amount.is_finite() and amount >= 0 else None


def validate_terms(
    raw: dict[str, Any], *, region_code: str, min_wage_override: Decimal | None = None
) -> tuple[dict[str, Any], dict[str, str]]:
    """Check contract terms typed by a person.

    :param raw: field name to typed value (strings or numbers).
    :param region_code: the place of performance, for the minimum wage.
    :returns: ``(clean, errors)``; ``errors`` maps field names to Chinese messages.
    """
    data = {k: ("" if raw.get(k) is None else str(raw.get(k)).strip()) for k in FIELD_LABELS}
    errors: dict[str, str] = {}
    for name in REQUIRED:
        if not data[name]:
            errors[name] = f"请填写{FIELD_LABELS[name]}"
    for name, limit in TEXT_LIMITS.items():
        if len(data[name]) > limit:
            errors[name] = f"{FIELD_LABELS[name]}不能超过{limit}个字"
    clean: dict[str, Any] = {k: data[k] for k in TEXT_LIMITS}

    if data["worker_id_number"] and "worker_id_number" not in errors:
        problem = id_number_error(data["worker_id_number"])
        if problem:
            errors["worker_id_number"] = problem
        clean["worker_id_number"] = normalize_id_number(data["worker_id_number"])
    if data["worker_phone"] and (problem := phone_error(data["worker_phone"])):
        errors["worker_phone"] = problem
    clean["worker_phone"] = data["worker_phone"]

    start, end = _date(data["term_start"]), _date(data["term_end"])
    for name, parsed in (("term_start", start), ("term_end", end)):
        if data[name] and parsed is None:
            errors[name] = f"{FIELD_LABELS[name]}格式应为 YYYY-MM-DD"
    if start and end and end <= start:
        errors["term_end"] = "合同终止日期必须晚于开始日期"
    if start and "worker_id_number" not in errors and clean.get("worker_id_number"):
        born = birth_date(clean["worker_id_number"])
        if (start.year - born.year) - ((start.month, start.day) < (born.month, born.day)) < 16:
            errors["worker_id_number"] = "劳动者在合同开始时未满16周岁，禁止招用童工"

    if data["hours_system"] and data["hours_system"] not in HOURS_SYSTEMS:
        errors["hours_system"] = "工时制度只能是标准工时制、综合计算工时制或不定时工作制"
    clean["hours_system"] = data["hours_system"]

    wage = _money(data["monthly_wage"]) if data["monthly_wage"] else None
    if data["monthly_wage"] and wage is None:
        errors["monthly_wage"] = "月工资应为不小于0的金额"
    floor = min_wage_override
    if floor is None and start:
        floor = minimum_wage(region_code, start)
    if wage is not None and floor and wage < floor:
        errors["monthly_wage"] = f"月工资不得低于当地最低工资标准（{floor}元）"

    try:
        pay_day = int(data["pay_day"]) if data["pay_day"] else 0
    except ValueError:
        pay_day = 0
    if data["pay_day"] and not 1 <= pay_day <= 31:
        errors["pay_day"] = "发薪日应为1到31之间的整数"

    try:
        probation = int(data["probation_months"] or "0")
    except ValueError:
        probation = -1
    probation_wage = _money(data["probation_wage"]) if data["probation_wage"] else wage
    if probation < 0 or probation > 6:
        errors["probation_months"] = "试用期应为0到6个月的整数"
    elif start and end and probation > (limit := max_probation_months(start, end)):
        errors["probation_months"] = f"按合同期限，试用期最长{limit}个月（劳动合同法第十九条）"
    if probation > 0 and wage is not None:
        if probation_wage is None:
            errors["probation_wage"] = "试用期工资应为金额"
        elif probation_wage < wage * Decimal("0.8"):
            errors["probation_wage"] = "试用期工资不得低于约定工资的80%（劳动合同法第二十条）"
        elif floor and probation_wage < floor:
            errors["probation_wage"] = f"试用期工资不得低于当地最低工资标准（{floor}元）"

    clean.update(
        term_start=start.isoformat() if start else "",
        term_end=end.isoformat() if end else "",
        monthly_wage=str(wage) if wage is not None else "",
        probation_months=max(probation, 0),
        probation_wage=str(probation_wage if probation > 0 and probation_wage else wage or ""),
        pay_day=pay_day,
    )
    return clean, errors
