"""Rules on the contract's own terms: clauses, kind, probation, pay, age, non-compete.

Each check returns ``None`` when the contract complies, else the message's parameters.
Amounts in parameters are yuan with two decimals; months and hours are numbers.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from app.domain.rules.base import ACTIVE_STATUSES, KINDS, Facts, age_on, rule
from app.domain.rules.base import term_at_least as _at_least
from app.domain.typed import Msg

# art. 17 clause -> (label msgid, the form field it is typed in; None: the employer profile)
CLAUSES = {
    "employer_name": ("用人单位名称", None),
    "employer_address": ("用人单位住所", None),
    "employer_legal_rep": ("法定代表人或主要负责人", None),
    "worker_name": ("劳动者姓名", "worker_name"),
    "worker_address": ("劳动者住址", "worker_address"),
    "worker_id_number": ("身份证号码", "worker_id_number"),
    "term": ("合同期限", "term_start"),
    "post": ("工作岗位", "post"),
    "work_location": ("工作地点", "work_location"),
    "hours_system": ("工时制度", "hours_system"),
    "wage": ("劳动报酬", "monthly_wage"),
    "social_insurance": ("社会保险", "social_insurance"),
    "labor_protection": ("劳动保护", "labor_protection"),
}
PROBATION_RATIO = Decimal("0.8")
NON_COMPETE_MAX_MONTHS = 24
MINIMUM_AGE = 16
TERM_KINDS = ("fixed_term", "construction_simple")  # probation follows the agreed term


def _yuan(amount: Decimal) -> str:
    return str(amount.quantize(Decimal("0.01")))


def max_probation_months(start: date, end: date | None) -> int:
    """Longest probation for a term from ``start`` to ``end``, both days included (art. 19):
    under three months none; three months to under a year 1; a year to under three years 2;
    three years and more, or no end (open-ended), 6. "以上" includes the number, "不满"
    excludes it."""
    if end is None:
        return 6
    for months, limit in ((36, 6), (12, 2), (3, 1)):
        if _at_least(start, end, months):
            return limit
    return 0


@rule("LCL17.mandatory_clauses", "error", "劳动合同法第十七条", "缺少劳动合同必备条款：%(clause)s")
def mandatory_clauses(f: Facts) -> list[dict] | None:
    """One finding per art. 17 clause that is missing or blank."""
    return [{"clause": Msg(label), "field": field} for name, (label, field) in CLAUSES.items()
            if not str(f.clauses.get(name) or "").strip()] or None


@rule("LCL12.kind_valid", "error", "劳动合同法第十二条",
      "劳动合同类型无效（%(kind)s）：应为固定期限、无固定期限、以完成一定工作任务为期限、非全日制或建筑业简易劳动合同")
def kind_valid(f: Facts) -> dict | None:
    """The kind is one of :data:`KINDS`."""
    return None if f.kind in KINDS else {"kind": f.kind[:40]}


@rule("LCL19.probation_by_term", "error", "劳动合同法第十九条",
      "按合同期限，试用期最长%(limit)s个月（劳动合同法第十九条）", "probation_months")
def probation_by_term(f: Facts) -> dict | None:
    """Probation longer than the term allows (terms of three months and more)."""
    if f.kind not in (*TERM_KINDS, "open_ended") or not f.start or f.probation_months <= 0:
        return None
    if f.kind in TERM_KINDS and f.end is None:
        return None  # no term: handled like project-based work below
    limit = max_probation_months(f.start, None if f.kind == "open_ended" else f.end)
    return {"limit": limit} if 0 < limit < f.probation_months else None


@rule("LCL19.no_probation_short_term", "error", "劳动合同法第十九条",
      "合同期限不满三个月的，不得约定试用期（劳动合同法第十九条）", "probation_months")
def no_probation_short_term(f: Facts) -> dict | None:
    """Any probation in a term under three months."""
    if f.kind in TERM_KINDS and f.start and f.end and f.probation_months > 0:
        return {} if max_probation_months(f.start, f.end) == 0 else None
    return None


@rule("LCL19.no_probation_project", "error", "劳动合同法第十九条",
      "以完成一定工作任务为期限的劳动合同不得约定试用期（劳动合同法第十九条）", "probation_months")
def no_probation_project(f: Facts) -> dict | None:
    """Any probation in a project-based contract (or a simple construction contract without
    an end date: it ends with its task)."""
    task = f.kind == "project_based" or (f.kind == "construction_simple" and f.end is None)
    return {} if task and f.probation_months > 0 else None


@rule("LCL70.no_probation_part_time", "error", "劳动合同法第七十条",
      "非全日制用工双方当事人不得约定试用期（劳动合同法第七十条）", "probation_months")
def no_probation_part_time(f: Facts) -> dict | None:
    """Any probation in a part-time contract."""
    return {} if f.kind == "part_time" and f.probation_months > 0 else None


@rule("LCL19.probation_once", "error", "劳动合同法第十九条",
      "该劳动者此前已在本单位约定过试用期（%(contract_no)s），同一用人单位与同一劳动者只能约定一次试用期"
      "（劳动合同法第十九条）", "probation_months")
def probation_once(f: Facts) -> dict | None:
    """A probation when another active contract of the pair already had one."""
    if f.probation_months <= 0:
        return None
    earlier = [p for p in f.prior if p.status in ACTIVE_STATUSES and p.probation_months > 0]
    return {"contract_no": earlier[0].contract_no} if earlier else None


@rule("LCL20.probation_pay_ratio", "error", "劳动合同法第二十条；劳动合同法实施条例第十五条",
      "试用期工资不得低于约定工资的80%%（%(floor)s元）（劳动合同法第二十条）", "probation_wage")
def probation_pay_ratio(f: Facts) -> dict | None:
    """Probation pay under 80% of the contract wage."""
    if f.probation_months <= 0 or f.monthly_wage is None:
        return None
    pay = f.monthly_wage if f.probation_wage is None else f.probation_wage
    floor = f.monthly_wage * PROBATION_RATIO
    return {"floor": _yuan(floor)} if pay < floor else None


@rule("LCL20.probation_pay_minimum", "error", "劳动合同法第二十条；劳动合同法实施条例第十五条",
      "试用期工资不得低于当地最低工资标准（%(floor)s元）", "probation_wage")
def probation_pay_minimum(f: Facts) -> dict | None:
    """Probation pay under the local monthly minimum wage."""
    if f.probation_months <= 0 or f.monthly_wage is None or not f.minimum_wage:
        return None
    pay = f.monthly_wage if f.probation_wage is None else f.probation_wage
    floor = f.minimum_wage.monthly
    return {"floor": _yuan(floor)} if floor and pay < floor else None


@rule("LL48.minimum_wage_monthly", "error", "劳动法第四十八条；劳动合同法实施条例第十四条",
      "月工资不得低于当地最低工资标准（%(floor)s元）", "monthly_wage")
def minimum_wage_monthly(f: Facts) -> dict | None:
    """A monthly wage under the minimum wage of the place of performance."""
    if f.kind == "part_time" or f.monthly_wage is None or not f.minimum_wage:
        return None
    floor = f.minimum_wage.monthly
    return {"floor": _yuan(floor)} if floor and f.monthly_wage < floor else None


@rule("LL15.minimum_age", "error", "劳动法第十五条；禁止使用童工规定第二条",
      "劳动者在合同开始时未满16周岁，禁止招用童工", "worker_id_number")
def minimum_age(f: Facts) -> dict | None:
    """A worker under 16 on the start date (the birth date from the ID number)."""
    if f.worker_birth_date and f.start and age_on(f.worker_birth_date, f.start) < MINIMUM_AGE:
        return {}
    return None


@rule("LCL24.non_compete_role", "error", "劳动合同法第二十四条",
      "竞业限制仅限于高级管理人员、高级技术人员和其他负有保密义务的人员（劳动合同法第二十四条）",
      "non_compete_months")
def non_compete_role(f: Facts) -> dict | None:
    """A non-compete for a role not flagged as bound by confidentiality."""
    return {} if f.non_compete_months > 0 and not f.confidential_role else None


@rule("LCL24.non_compete_length", "error", "劳动合同法第二十四条",
      "竞业限制期限不得超过二年（约定%(months)s个月）（劳动合同法第二十四条）", "non_compete_months")
def non_compete_length(f: Facts) -> dict | None:
    """A non-compete longer than two years after the contract ends."""
    months = f.non_compete_months
    return {"months": months} if months > NON_COMPETE_MAX_MONTHS else None
