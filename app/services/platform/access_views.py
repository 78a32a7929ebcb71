"""Reading the access log: the bureau's page (who looked at what, filtered, paged, scoped) and
the worker's view of who opened their contracts. Reads, no transaction.

An auditor sees the entries about contracts and employers in their own scope, and their own
searches; a platform admin sees everything. A worker sees who opened the documents they see in
their space — as a role and the office acting (e.g. 劳动监察（长沙县人社局）), never the
official's personal account.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, or_, select

from app.domain import labels, typed
from app.domain.beijing import BEIJING
from app.domain.typed import Msg
from app.errors import Forbidden, ValidationFailed
from app.extensions import db
from app.models import Filing, User
from app.models.access_log import AccessLogEntry
from app.services.platform import scope
from app.services.platform.access_log import ACTIONS
from app.services.platform.principal import Principal

PAGE_SIZE = 50
#: the dates a filter accepts, and the largest contract id (PostgreSQL ``integer``)
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)
DAY_RANGE = "%(label)s应在1900-01-01至2999-12-31之间"
MAX_ID = 2**31 - 1
FILTERS = ("actor", "action", "date_from", "date_to", "contract")
LABELS = {"actor": "查看人账号", "action": "操作", "date_from": "开始日期", "date_to": "结束日期",
          "contract": "合同编号或备案号", "page": "页码"}


@dataclass(frozen=True)
class Page:
    """One page of entries, newest first."""

    entries: list[AccessLogEntry]
    page: int
    pages: int
    total: int


def _fail(name: str, problem: str, **params) -> ValidationFailed:
    msg = Msg(problem, label=Msg(LABELS[name]), **params)
    return ValidationFailed("筛选条件有误，请检查标出的字段", fields={name: msg})


def _conditions(params: dict) -> list:
    out = []
    actor, problem = typed.text(params.get("actor"), limit=80)
    if problem:
        raise _fail("actor", problem, limit=80)
    if actor:
        user_id = db.session.scalar(select(User.id).where(User.username == actor))
        out.append(AccessLogEntry.actor == (f"user:{user_id}" if user_id else actor))
    action, problem = typed.text(params.get("action"), limit=40)
    if problem or (action and action not in ACTIONS):
        raise _fail("action", "%(label)s不是可选的操作")
    if action:
        out.append(AccessLogEntry.action == action)
    for name, edge in (("date_from", time.min), ("date_to", None)):
        raw = params.get(name)
        if raw in (None, ""):
            continue
        day, problem = typed.iso_date(raw)
        if problem or not FIRST_DAY <= day <= LAST_DAY:
            raise _fail(name, problem or DAY_RANGE)
        moment = datetime.combine(day if edge else day + timedelta(days=1), time.min, BEIJING)
        out.append(AccessLogEntry.at >= moment if edge else AccessLogEntry.at < moment)
    ref, problem = typed.text(params.get("contract"), limit=40)
    if problem:
        raise _fail("contract", problem, limit=40)
    if ref and ref.isdigit() and ref.isascii():
        if int(ref) > MAX_ID:
            raise _fail("contract", "%(label)s中的合同编号不能超过%(limit)s", limit=MAX_ID)
        out.append(AccessLogEntry.contract_id == int(ref))
    elif ref:
        by_filing = select(Filing.contract_id).where(Filing.number == ref).scalar_subquery()
        out.append(AccessLogEntry.contract_id == by_filing)
    return out


def _visible(p: Principal):
    if p.is_platform_admin:
        return None
    if not p.is_auditor:
        raise Forbidden("您没有权限访问此页面")
    return or_(scope.organization_filter(p, AccessLogEntry.organization_id),
               AccessLogEntry.actor == p.actor)


def entries(p: Principal, params: dict) -> Page:
    """The entries ``p`` may see matching ``params`` (:data:`FILTERS`, ``page``), newest first.

    :raises ValidationFailed: a filter malformed (named by field).
    :raises Forbidden: ``p`` is neither an auditor nor a platform admin.
    """
    visible = _visible(p)
    conditions = _conditions(params) + ([visible] if visible is not None else [])
    page, problem = typed.integer(params.get("page") or "1")
    if problem or page < 1 or page > 100_000:
        raise _fail("page", "%(label)s应为正整数")
    total = db.session.scalar(select(func.count()).select_from(AccessLogEntry)
                              .where(*conditions)) or 0
    rows = db.session.scalars(select(AccessLogEntry).where(*conditions)
                              .order_by(AccessLogEntry.seq.desc())
                              .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE))
    return Page(list(rows), page, max(1, -(-total // PAGE_SIZE)), total)


def reader(entry: AccessLogEntry) -> Msg:
    """Who read, as a worker is shown it: the role and the office acting, never the person."""
    if entry.role == "platform_admin":
        return Msg("平台管理员（平台运营方）")
    region = next((part.split(":", 1)[1] for part in (entry.scope or "").split(",")
                   if part.startswith("region:")), None)
    if region:
        name = labels.REGION_BUREAUS.get(region)
        office = Msg(name) if name else Msg("行政区划 %(code)s 人社部门", code=region)
        return Msg("劳动监察（%(office)s）", office=office)
    return Msg("劳动监察（人社部门）")
