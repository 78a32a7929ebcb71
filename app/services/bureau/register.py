"""The county employment register (全县用人单位劳动用工基本信息数据库): every employer an
auditor may see, by region, with its workers in service on a chosen day, new hires and
leavers per month, and the contracts ending within 30 days.

The counts follow the staff register (:mod:`app.services.filing.staff_register`): a worker
is in service on day *d* when a labor contract of the employer was signed (signed, filed, or
since ended), starts on or before *d*, and neither ended (last working day) nor expired
before *d* — both boundary days of the term count. A worker with two such contracts of one
employer counts once. A hire is a labor contract (not a renewal) whose term starts in the
month; a leaver, one whose last working day (termination) or term end (no renewal signed)
falls in the month; both up to the chosen day. A contract ends within 30 days when it is in
force (signed or filed) and its term ends between the day and 30 days later, both included
(:func:`app.domain.expiry.window_end`, as the employer's "expiring" list).

Organizations carry no industry (行业) field yet, so the register groups by region code
only. Each figure is one set-based, grouped statement over the auditor's scope: the page
costs the same few statements for ten employers or five thousand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import String, and_, cast, distinct, exists, func, or_, select
from sqlalchemy.orm import aliased

from app.domain import typed
from app.domain.expiry import today_in_beijing, window_end
from app.domain.typed import Msg
from app.errors import Forbidden, ValidationFailed
from app.extensions import db
from app.models import Contract, Organization
from app.services.platform import scope
from app.services.platform.access_log import BUREAU_SYSTEM
from app.services.platform.principal import Principal

IN_SERVICE = ("signed", "filed", "terminated")  # as the staff register
IN_FORCE = ("signed", "filed")  # as the expiring list
LISTED = ("approved", "suspended")  # employers that have worked on the platform
MONTHS = 12
REGION_RE = re.compile(r"^[0-9]{2,6}$")
LABELS = {"day": "统计日期", "region": "地区代码"}
BAD_REGION = "%(label)s应为2至6位数字"
#: the days the register accepts (later ones overflow the 30-day window and the months)
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)
DAY_RANGE = "%(label)s应在1900-01-01至2999-12-31之间"


@dataclass
class EmployerRow:
    """One employer of the register."""

    id: int
    name: str
    uscc: str
    region_code: str
    in_service: int = 0
    ending: int = 0
    hires: dict[str, int] = field(default_factory=dict)  # month -> count
    leavers: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Criteria:
    """The checked request: the day counted and an optional region-code prefix."""

    day: date
    region: str = ""


@dataclass
class Register:
    """The register as the page, the JSON and the workbook show it."""

    criteria: Criteria
    months: list[str]
    employers: list[EmployerRow]

    def by_region(self) -> list[dict]:
        """Per region code: employers, workers in service, hires, leavers, ending soon."""
        out: dict[str, dict] = {}
        for e in self.employers:
            r = out.setdefault(e.region_code, {"region_code": e.region_code, "employers": 0,
                                               "in_service": 0, "hires": 0, "leavers": 0,
                                               "ending": 0})
            r["employers"] += 1
            r["in_service"] += e.in_service
            r["ending"] += e.ending
            r["hires"] += sum(e.hires.values())
            r["leavers"] += sum(e.leavers.values())
        return [out[k] for k in sorted(out)]

    def per_month(self) -> list[tuple[str, int, int]]:
        """(month, hires, leavers) over every employer."""
        return [(m, sum(e.hires.get(m, 0) for e in self.employers),
                 sum(e.leavers.get(m, 0) for e in self.employers)) for m in self.months]

    def totals(self) -> dict[str, int]:
        """The register's totals."""
        return {"employers": len(self.employers),
                "in_service": sum(e.in_service for e in self.employers),
                "ending": sum(e.ending for e in self.employers),
                "hires": sum(sum(e.hires.values()) for e in self.employers),
                "leavers": sum(sum(e.leavers.values()) for e in self.employers)}


def is_bureau_key(p: Principal) -> bool:
    """A bureau system's key (``lbk_…``): reads its region prefix, as an auditor of it would."""
    return p.kind == "api_key" and p.role == BUREAU_SYSTEM


def auditing(p: Principal) -> None:
    """:raises Forbidden: ``p`` is neither an auditor, a platform admin nor a bureau key."""
    if not (p.is_auditor or p.is_platform_admin or is_bureau_key(p)):
        raise Forbidden("您没有权限访问此页面")


def organization_scope(p: Principal, column=Organization.id):
    """A filter on an organization-id ``column``: the employers ``p`` may see — a bureau key
    those of its region prefix (none without one), anyone else as :mod:`scope` says."""
    if not is_bureau_key(p):
        return scope.organization_filter(p, column)
    return column.in_(select(Organization.id).where(
        scope.bureau_region_filter(p, Organization.region_code)))


def criteria(params: dict) -> Criteria:
    """The day (``YYYY-MM-DD``, default today in Beijing) and region prefix asked for.

    :raises ValidationFailed: naming the field that is wrong.
    """
    errors: dict[str, Msg] = {}
    day = today_in_beijing()
    if params.get("day") not in (None, ""):
        day, problem = typed.iso_date(params.get("day"))
        if problem or not FIRST_DAY <= day <= LAST_DAY:
            errors["day"] = Msg(problem or DAY_RANGE, label=Msg(LABELS["day"]))
    region, problem = typed.text(params.get("region"), limit=6)
    if problem or (region and not REGION_RE.match(region)):
        errors["region"] = Msg(problem or BAD_REGION, label=Msg(LABELS["region"]), limit=6)
    if errors:
        raise ValidationFailed("查询条件有误，请检查标出的字段", fields=errors)
    return Criteria(day or today_in_beijing(), region)


def month_list(day: date, count: int = MONTHS) -> list[str]:
    """The ``count`` months up to ``day``'s, oldest first (``YYYY-MM``)."""
    y, m = day.year, day.month
    out = []
    for _ in range(count):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out[::-1]


def term_start():
    """The contract's first day as stored (``YYYY-MM-DD`` text)."""
    return Contract.terms["term_start"].as_string()


def term_end():
    """The contract's last day as stored (``YYYY-MM-DD``; empty or missing: no end)."""
    return Contract.terms["term_end"].as_string()


def ended_text(column=Contract.ended_on):
    """A date column as ``YYYY-MM-DD`` text on both databases."""
    return cast(column, String)


def _labor(p: Principal):
    seen = organization_scope(p, Contract.organization_id) if is_bureau_key(p) \
        else scope.contract_filter(p)
    return and_(Contract.document_kind == "contract", seen)


def _employers(p: Principal, c: Criteria) -> dict[int, EmployerRow]:
    iso, until = c.day.isoformat(), window_end(c.day).isoformat()
    end = term_end()
    serving = (select(Contract.organization_id.label("org"),
                      func.count(distinct(Contract.worker_id)).label("n"))
               .where(_labor(p), Contract.status.in_(IN_SERVICE), term_start() <= iso,
                      or_(Contract.ended_on.is_(None), Contract.ended_on >= c.day),
                      or_(end.is_(None), end == "", end >= iso))
               .group_by(Contract.organization_id).subquery())
    ending = (select(Contract.organization_id.label("org"), func.count().label("n"))
              .where(_labor(p), Contract.status.in_(IN_FORCE), end >= iso, end <= until)
              .group_by(Contract.organization_id).subquery())
    query = (select(Organization.id, Organization.name, Organization.uscc,
                    Organization.region_code, func.coalesce(serving.c.n, 0),
                    func.coalesce(ending.c.n, 0))
             .outerjoin(serving, serving.c.org == Organization.id)
             .outerjoin(ending, ending.c.org == Organization.id)
             .where(organization_scope(p, Organization.id),
                    Organization.status.in_(LISTED)))
    if c.region:
        query = query.where(Organization.region_code.startswith(c.region, autoescape=True))
    return {row[0]: EmployerRow(*row) for row in db.session.execute(query)}


def _flows(p: Principal, c: Criteria, first: str, rows: dict[int, EmployerRow]) -> None:
    """Hires and leavers per employer and month, from ``first`` (``YYYY-MM-01``) to the day."""
    iso = c.day.isoformat()
    start = term_start()
    month = func.substr(start, 1, 7)
    hires = (select(Contract.organization_id, month, func.count())
             .where(_labor(p), Contract.status.in_(IN_SERVICE), Contract.renewal_of_id.is_(None),
                    start >= first, start <= iso)
             .group_by(Contract.organization_id, month))
    renewal = aliased(Contract)
    renewed = exists().where(renewal.renewal_of_id == Contract.id,
                             renewal.status.in_(IN_SERVICE))
    left = func.coalesce(ended_text(), func.nullif(term_end(), ""))
    out = func.substr(left, 1, 7)
    leavers = (select(Contract.organization_id, out, func.count())
               .where(_labor(p), Contract.status.in_(IN_SERVICE), left >= first, left <= iso,
                      or_(Contract.ended_on.is_not(None), ~renewed))
               .group_by(Contract.organization_id, out))
    for query, attr in ((hires, "hires"), (leavers, "leavers")):
        for org, in_month, n in db.session.execute(query):
            if org in rows:
                getattr(rows[org], attr)[in_month] = n


def build(p: Principal, c: Criteria) -> Register:
    """The register for ``c`` within ``p``'s scope, busiest employers first (3 statements).

    :raises Forbidden: not an auditor or platform admin.
    """
    auditing(p)
    months = month_list(c.day)
    rows = _employers(p, c)
    if rows:
        _flows(p, c, f"{months[0]}-01", rows)
    ordered = sorted(rows.values(), key=lambda e: (-e.in_service, e.region_code, e.name, e.id))
    return Register(c, months, ordered)


def employer_months(register: Register) -> list[tuple[EmployerRow, str, int, int]]:
    """(employer, month, hires, leavers) for each employer-month with either."""
    out = []
    for e in register.employers:
        for m in register.months:
            if e.hires.get(m) or e.leavers.get(m):
                out.append((e, m, e.hires.get(m, 0), e.leavers.get(m, 0)))
    return out

