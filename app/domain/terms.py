"""Field-level validation of fixed-term labor-contract terms: types, formats and ranges.

Input is what a person typed (strings from a form or JSON); output is a clean,
JSON-serialisable dict, or a mapping of field name to a message naming the problem. What
labor law says about the values (probation by term, minimum wage, age, ...) is checked
afterwards by the rule engine (:mod:`app.domain.rules`) on the clean terms.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from app.domain import typed
from app.domain.ids import id_number_error, normalize_id_number, phone_error
from app.domain.typed import Msg

HOURS_SYSTEMS = {
    "standard": "标准工时制",
    "comprehensive": "综合计算工时制",
    "flexible": "不定时工作制",
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
    "other_terms": "其他约定", "non_compete_months": "竞业限制期限（月）",
    "confidential_role": "负有保密义务的岗位",
}


MAX_MONTHLY_WAGE = Decimal("1000000")
MAX_NON_COMPETE_TYPED = 120  # the law's two years are the rule engine's to enforce
MAX_TERM_YEARS = 50
EARLIEST_START = date(2000, 1, 1)
MULTILINE = {"social_insurance", "labor_protection", "other_terms", "worker_address"}


def _label(name: str) -> Msg:
    return Msg(FIELD_LABELS[name])


def _typed(raw: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    """Text fields type-checked and stripped; non-text fields passed on as given."""
    data: dict[str, Any] = {}
    for name in FIELD_LABELS:
        value = raw.get(name)
        if name in TEXT_FIELDS:
            value, problem = typed.text(value, limit=TEXT_LIMITS.get(name, 40),
                                        multiline=name in MULTILINE)
            if problem:
                errors[name] = Msg(problem, label=_label(name), limit=TEXT_LIMITS.get(name, 40))
        elif isinstance(value, str):
            value = value.strip()
        data[name] = "" if value is None else value
    for name in REQUIRED:
        if name not in errors and data[name] == "":
            errors[name] = Msg("请填写%(label)s", label=_label(name))
    return data


TEXT_FIELDS = set(TEXT_LIMITS) | {"worker_id_number", "worker_phone", "hours_system"}


def term_end_limit(start: date) -> date:
    """The latest end date accepted for a term starting on ``start`` (MAX_TERM_YEARS)."""
    return date(start.year + MAX_TERM_YEARS, start.month, 28 if (start.month, start.day) == (
        2, 29) else start.day)


def _term(data: dict, errors: dict) -> tuple[date | None, date | None]:
    start = end = None
    for name in ("term_start", "term_end"):
        if data[name] == "" or name in errors:
            continue
        parsed, problem = typed.iso_date(data[name])
        if problem:
            errors[name] = Msg(problem, label=_label(name))
        elif name == "term_start":
            start = parsed
        else:
            end = parsed
    if start and not EARLIEST_START <= start <= date(2100, 12, 31):
        errors["term_start"] = Msg("合同开始日期应在2000年到2100年之间")
        start = None
    if start and end and end <= start:
        errors["term_end"] = Msg("合同终止日期必须晚于开始日期")
    elif start and end and end > term_end_limit(start):
        errors["term_end"] = Msg("合同期限不能超过%(years)s年", years=MAX_TERM_YEARS)
    return start, end


def _amount(data: dict, name: str, errors: dict) -> Decimal | None:
    if data[name] == "" or name in errors:
        return None
    amount, problem = typed.money(data[name], maximum=MAX_MONTHLY_WAGE)
    if problem:
        errors[name] = Msg(problem, label=_label(name), limit=MAX_MONTHLY_WAGE)
    return amount


def _whole(data: dict, name: str, errors: dict, default: int) -> int | None:
    if data[name] == "":
        return default
    number, problem = typed.integer(data[name])
    if problem:
        errors[name] = Msg(problem, label=_label(name))
    return number


YES = (True, "1", "on", "true", "yes")
NO = (False, None, "", "0", "false", "no")


def _yes_no(data: dict, name: str, errors: dict) -> bool:
    value = data[name]
    if value in YES or value in NO:
        return value in YES
    errors[name] = Msg("%(label)s应为是或否", label=_label(name))
    return False


def validate_terms(raw: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Check the types, formats and ranges of contract terms typed by a person.

    :param raw: field name to typed value; text fields must be strings (never coerced).
    :returns: ``(clean, errors)``; ``errors`` maps field names to :class:`Msg` messages.
    """
    errors: dict[str, str] = {}
    data = _typed(raw, errors)
    clean: dict[str, Any] = {k: data[k] for k in TEXT_LIMITS}

    if data["worker_id_number"] and "worker_id_number" not in errors:
        problem = id_number_error(data["worker_id_number"])
        if problem:
            errors["worker_id_number"] = Msg(problem)
        clean["worker_id_number"] = normalize_id_number(data["worker_id_number"])
    if data["worker_phone"] and "worker_phone" not in errors and (
            problem := phone_error(data["worker_phone"])):
        errors["worker_phone"] = Msg(problem)
    clean["worker_phone"] = data["worker_phone"]

    start, end = _term(data, errors)

    if data["hours_system"] and "hours_system" not in errors and (
            data["hours_system"] not in HOURS_SYSTEMS):
        errors["hours_system"] = Msg("工时制度只能是标准工时制、综合计算工时制或不定时工作制")
    clean["hours_system"] = data["hours_system"]

    wage = _amount(data, "monthly_wage", errors)

    pay_day = _whole(data, "pay_day", errors, 0)
    if "pay_day" not in errors and data["pay_day"] != "" and not 1 <= pay_day <= 31:
        errors["pay_day"] = Msg("发薪日应为1到31之间的整数")

    probation = _whole(data, "probation_months", errors, 0)
    probation_wage = _amount(data, "probation_wage", errors) if data["probation_wage"] else wage
    if "probation_months" in errors:
        probation = 0
    elif not 0 <= probation <= 6:
        errors["probation_months"] = Msg("试用期应为0到6个月的整数")
        probation = 0
    non_compete = _whole(data, "non_compete_months", errors, 0)
    if "non_compete_months" not in errors and not 0 <= non_compete <= MAX_NON_COMPETE_TYPED:
        errors["non_compete_months"] = Msg("竞业限制期限应为0到%(limit)s个月的整数",
                                           limit=MAX_NON_COMPETE_TYPED)

    clean.update(
        term_start=start.isoformat() if start else "",
        term_end=end.isoformat() if end else "",
        monthly_wage=str(wage) if wage is not None else "",
        probation_months=probation,
        probation_wage=str(probation_wage if probation > 0 and probation_wage else wage or ""),
        pay_day=pay_day or 0,
        non_compete_months=non_compete if "non_compete_months" not in errors else 0,
        confidential_role=_yes_no(data, "confidential_role", errors),
    )
    return clean, errors
