"""The employer's contract list: counts by status, filters, sorting, paging, the weekly chart.

Filters: status, template kind, the day the contract was created (from, to; Beijing dates,
both included), project (part of the name of the linked project or of the construction
contract's project_name), the worker's name (part of it) or ID number (through its keyed
hash: the number itself is never stored in clear, nor put into a URL by the page). Only the
employer's labor contracts (lifecycle documents are in their contract's chain), scoped by
the acting principal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select

from app import pii
from app.domain import typed
from app.domain.ids import id_number_error, normalize_id_number
from app.domain.typed import Msg
from app.errors import ValidationFailed
from app.extensions import db
from app.models import CONTRACT_STATUSES, TEMPLATE_KINDS, Contract, Project, Worker
from app.services.platform import scope
from app.services.platform.principal import Principal

BEIJING = ZoneInfo("Asia/Shanghai")
PAGE_SIZE = 50
SORTS = ("newest", "oldest", "term_end", "worker")
LIMITS = {"project": 200, "worker": 50, "id_number": 18}
INVALID = "筛选条件有误，请检查标出的字段"
BAD_CHOICE = "请从列表中选择"
BAD_RANGE = "结束日期不能早于开始日期"
BAD_PAGE = "页码应为正整数"


@dataclass(frozen=True)
class Criteria:
    """Checked filters (empty strings and ``None``: not filtered)."""

    status: str = ""
    kind: str = ""
    created_from: date | None = None
    created_to: date | None = None
    project: str = ""
    worker: str = ""
    id_number: str = ""
    sort: str = "newest"
    page: int = 1


LABELS = {"status": "状态", "kind": "合同类型", "sort": "排序", "page": "页码", "project": "项目",
          "worker": "劳动者姓名", "id_number": "身份证号码", "created_from": "创建日期（起）",
          "created_to": "创建日期（止）"}


def _problem(name: str, problem: str) -> Msg:
    return Msg(problem, label=Msg(LABELS[name]), limit=LIMITS.get(name, 20))


def _day(raw: object, name: str, errors: dict) -> date | None:
    if raw in (None, ""):
        return None
    day, problem = typed.iso_date(raw)
    if problem:
        errors[name] = _problem(name, problem)
    return day


def criteria(params: dict) -> Criteria:
    """The filters of a form or query. :raises ValidationFailed: naming each bad field."""
    errors: dict = {}
    texts = {}
    for name in ("status", "kind", "sort", "page", *LIMITS):
        value, problem = typed.text(params.get(name), limit=LIMITS.get(name, 20))
        if problem:
            errors[name] = _problem(name, problem)
        texts[name] = value or ""
    if texts["status"] and texts["status"] not in CONTRACT_STATUSES:
        errors["status"] = Msg(BAD_CHOICE)
    if texts["kind"] and texts["kind"] not in TEMPLATE_KINDS:
        errors["kind"] = Msg(BAD_CHOICE)
    if texts["sort"] and texts["sort"] not in SORTS:
        errors["sort"] = Msg(BAD_CHOICE)
    page, problem = typed.integer(texts["page"] or "1")
    if problem or page < 1 or page > 100_000:
        errors["page"] = Msg(BAD_PAGE)
    start = _day(params.get("created_from"), "created_from", errors)
    end = _day(params.get("created_to"), "created_to", errors)
    if start and end and end < start:
        errors["created_to"] = Msg(BAD_RANGE)
    if texts["id_number"] and (problem := id_number_error(texts["id_number"])):
        errors["id_number"] = problem
    if errors:
        raise ValidationFailed(INVALID, fields=errors)
    return Criteria(status=texts["status"], kind=texts["kind"], created_from=start,
                    created_to=end, project=texts["project"], worker=texts["worker"],
                    id_number=texts["id_number"], sort=texts["sort"] or "newest",
                    page=page)


def _utc(day: date) -> datetime:
    return datetime.combine(day, time(), BEIJING).astimezone(UTC)


def _filtered(p: Principal, c: Criteria):
    query = scope.labor_contracts(p)
    if c.status:
        query = query.where(Contract.status == c.status)
    if c.kind:
        query = query.where(Contract.template == c.kind)
    if c.created_from:
        query = query.where(Contract.created_at >= _utc(c.created_from))
    if c.created_to:
        query = query.where(Contract.created_at < _utc(c.created_to + timedelta(days=1)))
    if c.project:  # the linked project's name, or the name the terms give
        linked = select(Project.id).where(Project.name.contains(c.project, autoescape=True))
        query = query.where(or_(Contract.project_id.in_(linked), Contract.terms[
            "project_name"].as_string().contains(c.project, autoescape=True)))
    if c.worker:
        query = query.where(Contract.worker_name.contains(c.worker, autoescape=True))
    if c.id_number:
        query = query.join(Contract.worker).where(
            Worker.id_hash == pii.keyed_hash(normalize_id_number(c.id_number)))
    return query


ORDER = {"newest": (Contract.id.desc(),), "oldest": (Contract.id.asc(),),
         "term_end": (Contract.terms["term_end"].as_string().asc(), Contract.id.asc()),
         "worker": (Contract.worker_name.asc(), Contract.id.asc())}


@dataclass(frozen=True)
class Page:
    """One page of the filtered list."""

    items: list[Contract]
    total: int
    page: int
    pages: int


def search(p: Principal, c: Criteria, page_size: int = PAGE_SIZE) -> Page:
    """The page ``c.page`` of the contracts matching ``c`` (a page past the end: the last)."""
    query = _filtered(p, c)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // page_size))
    page = min(c.page, pages)
    items = db.session.scalars(query.order_by(*ORDER[c.sort])
                               .offset((page - 1) * page_size).limit(page_size)).all()
    return Page(list(items), total, page, pages)


def after(p: Principal, c: Criteria, cursor: int | None, limit: int) -> tuple[list, int | None]:
    """Newest first, the contracts matching ``c`` older than the one ``cursor`` names (keyset
    paging: stable while contracts are added); returns them and the next cursor (None: the
    end)."""
    query = _filtered(p, c)
    if cursor is not None:
        query = query.where(Contract.id < cursor)
    items = list(db.session.scalars(query.order_by(Contract.id.desc()).limit(limit + 1)))
    return items[:limit], items[limit - 1].id if len(items) > limit else None


def matching(p: Principal, c: Criteria, limit: int = 10_000) -> list[Contract]:
    """Every contract matching ``c`` in its order, up to ``limit`` (for the export)."""
    return list(db.session.scalars(_filtered(p, c).order_by(*ORDER[c.sort]).limit(limit)))


def counts(p: Principal) -> dict[str, int]:
    """How many of ``p``'s labor contracts are in each status."""
    query = scope.labor_contracts(p).subquery()
    rows = db.session.execute(select(query.c.status, func.count()).group_by(query.c.status))
    return {status: n for status, n in rows}


def signed_per_week(p: Principal, weeks: int = 8, today: date | None = None) -> list[tuple]:
    """``(monday, count)`` of contracts signed in each of the last ``weeks`` weeks (Beijing)."""
    today = today or datetime.now(BEIJING).date()
    first = today - timedelta(days=today.weekday() + 7 * (weeks - 1))
    signed = db.session.scalars(scope.labor_contracts(p).with_only_columns(Contract.signed_at)
                                .where(Contract.signed_at >= _utc(first))).all()
    tally = {first + timedelta(weeks=i): 0 for i in range(weeks)}
    for at in signed:
        day = at.astimezone(BEIJING).date()
        tally[day - timedelta(days=day.weekday())] += 1
    return list(tally.items())
