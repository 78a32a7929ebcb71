"""Auditors' search over contracts, within the auditor's scope (jurisdiction or named
employers; nothing without either). Platform admins search everything, and each contract
they open is recorded in its audit trail.

Built for a county archive of a million contracts: one page is at most three statements —
the employers and projects the employer and project criteria name (only with those criteria),
the page itself (worker and employer joined in, nothing loaded per row) with a *capped* count
(matches are counted up to :data:`COUNT_CAP`, shown as "1000+" beyond; counting every match of
"status: filed" would read a million rows), and the filing numbers of the page (the route's).
A few employers (those named, or the auditor's own) or projects are paged one by one, each
read in order from its own index (migration ``a2207idx0007``), and merged; other pages are read
in order from the indexes of ``a2203idx0003``. Paging is by offset, bounded to :data:`.search_form.MAX_PAGE`
pages (an auditor narrows the criteria rather than reading page 400). :func:`matching` is the
same scoped filter over the whole result, unpaged (for jobs over every match).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, literal, select, union_all
from sqlalchemy.orm import joinedload

from app import pii
from app.domain.beijing import BEIJING
from app.domain.ids import normalize_id_number
from app.errors import Forbidden
from app.extensions import db
from app.models import Contract, Filing, Organization, Project, Worker
from app.services.filing import search_form
from app.services.filing.search_form import (
    COUNT_CAP,
    PAGE_SIZE,
    PREFIX_BELOW,
    SORTS,
    SearchPage,
    order_by,
    read_criteria,
)
from app.services.platform import audit, scope
from app.services.platform.principal import Principal

#: the form's fields, sorts and paging (:mod:`.search_form`), as this module's names too
SEARCH_FIELDS, CRITERIA = search_form.SEARCH_FIELDS, search_form.CRITERIA
#: An employer criterion matching at most this many employers (or an auditor's named employers,
#: or a project criterion matching this many projects) is paged employer by employer: a page
#: reads page × 50 rows of each from its index instead of sorting every contract of a big one.
SPLIT_AT_MOST = 20


def _auditing(p: Principal) -> None:
    if not (p.is_auditor or p.is_platform_admin):
        raise Forbidden("您没有权限访问此页面")


def name_matches(part: str):
    """The worker's name (as given on the contract) holds ``part``, typed by an auditor.

    One or two characters match the start of the name (a surname: 李, 欧阳), three or more
    anywhere in it (李秀兰 in 王李秀兰); wildcards typed (``%``, ``_``, ``\\``) are plain
    characters. On PostgreSQL the indexes of migration ``c1d7e9f3a2b4`` serve both (a
    prefix btree with pattern ops, a pg_trgm GIN for three characters or more);
    SQLite scans with LIKE.
    """
    escaped = part.replace("/", "//").replace("%", "/%").replace("_", "/_")
    pattern = f"{escaped}%" if len(part) < PREFIX_BELOW else f"%{escaped}%"
    return Contract.worker_name.like(pattern, escape="/")


def _day_start(day: date) -> datetime:
    """Midnight starting ``day`` in Beijing (signing dates are Beijing calendar days), in UTC
    (SQLite compares the stored UTC wall time)."""
    return datetime.combine(day, time.min, BEIJING).astimezone(UTC)


def _filtered(p: Principal, crit: dict):
    """``SELECT contracts`` in ``p``'s scope matching every criterion (no order, no limit).

    Criteria on other tables are ``IN (subquery)``: the statement stays one over contracts,
    which the indexes of ``a2203idx0003`` and ``c1d7e9f3a2b4`` serve together with the order.
    """
    # a filing number names one filed document: an amendment, termination or certificate is
    # found by its own number; the other criteria list the labor contracts themselves
    query = scope.contracts(p) if crit["filing_number"] else scope.labor_contracts(p)
    if crit["worker_name"]:
        query = query.where(name_matches(crit["worker_name"]))
    if crit["id_number"]:
        hashed = pii.keyed_hash(normalize_id_number(crit["id_number"]))
        query = query.where(Contract.worker_id.in_(select(Worker.id).where(Worker.id_hash == hashed)))
    if crit["employer"]:
        query = query.where(Contract.organization_id.in_(
            select(Organization.id).where(_employer_matches(crit["employer"]))))
    if crit["filing_number"]:
        query = query.where(Contract.id.in_(select(Filing.contract_id).where(
            Filing.number == crit["filing_number"])))
    if crit["project"]:
        query = query.where(Contract.project_id.in_(
            select(Project.id).where(_project_matches(crit["project"]))))
    if crit["kind"]:
        query = query.where(Contract.template == crit["kind"])
    if crit["status"]:
        query = query.where(Contract.status == crit["status"])
    if crit["signed_from"]:
        query = query.where(Contract.signed_at >= _day_start(crit["signed_from"]))
    if crit["signed_to"]:
        query = query.where(Contract.signed_at < _day_start(crit["signed_to"] + timedelta(days=1)))
    return query


def _employer_matches(part: str):
    return Organization.name.contains(part, autoescape=True) | (Organization.uscc == part.upper())


def _project_matches(part: str):
    return Project.name.contains(part, autoescape=True) | (Project.permit_no == part)


#: the criteria naming other tables, resolved first: criterion → (table id, contracts column)
RESOLVED = {"employer": (Organization.id, Contract.organization_id),
            "project": (Project.id, Contract.project_id)}


def _resolved(p: Principal, crit: dict) -> dict[str, list[int]]:
    """The employers (in ``p``'s scope) and projects the employer and project criteria name,
    at most :data:`SPLIT_AT_MOST` + 1 of each, in one statement (none without either)."""
    wanted = {"employer": lambda: _employer_matches(crit["employer"])
              & scope.organization_filter(p),
              "project": lambda: _project_matches(crit["project"])}
    parts = [select(literal(name).label("what"), RESOLVED[name][0].label("id"))
             .where(wanted[name]()).limit(SPLIT_AT_MOST + 1).subquery()
             for name in RESOLVED if crit[name]]
    if not parts:
        return {}
    found: dict[str, list[int]] = {name: [] for name in RESOLVED if crit[name]}
    for what, key in db.session.execute(union_all(*(select(part) for part in parts))):
        found[what].append(key)
    return found


def _narrowed(query, few: dict[str, list[int]], skip: str | None = None):
    """``query`` limited to the employers and projects resolved (but the ``skip`` one)."""
    for name, ids in few.items():
        if name != skip:
            query = query.where(RESOLVED[name][1].in_(ids))
    return query


def _one(p: Principal, crit: dict, few: dict, name: str, key: int):
    """``p``'s search narrowed to one employer or project ``key`` (one of ``few[name]``, all in
    ``p``'s scope): an auditor's scope becomes that one employer, so the statement names the
    employer once and PostgreSQL estimates its rows (not those of a list *and* the one)."""
    if name == "employer" and p.is_auditor:
        return _narrowed(_filtered(replace(p, jurisdiction=None, employer_ids=frozenset([key])),
                                   crit), few, skip=name)
    return _narrowed(_filtered(p, crit), few, skip=name).where(RESOLVED[name][1] == key)


def _split_page(p: Principal, crit: dict, few: dict, offset: int, limit: int):
    """The page's contract ids as a subquery: the first ``offset + limit`` of each employer's
    (or project's) contracts, each read in order from an index led by it, merged."""
    name, keys = min(few.items(), key=lambda item: len(item[1]))
    firsts = [select(_one(p, crit, few, name, key).with_only_columns(
        Contract.id, Contract.signed_at).order_by(*SORTS[crit["sort"]]).limit(offset + limit)
        .subquery()) for key in keys]
    merged = union_all(*firsts).subquery()
    return (select(merged.c.id).order_by(*order_by(crit["sort"], merged.c)).offset(offset)
            .limit(limit).subquery())


def search_contracts(p: Principal, params: dict, limit: int = PAGE_SIZE) -> SearchPage:
    """One page of the contracts in ``p``'s scope matching every given criterion (worker name
    as given on the contract, ID number through its keyed hash, employer name part or USCC,
    filing number: that of a labor contract or of one of its amendments, termination or
    certificate; project name part or permit number; contract kind; status; signing dates),
    in the order ``sort`` names (newest first by default), page ``page``.

    At most two statements: the employers and projects named (only with those criteria), then
    the page with the worker and the employer of each row and the matches counted up to
    :data:`COUNT_CAP`. Up to :data:`SPLIT_AT_MOST` employers (those named, or an auditor's
    own) or projects are paged one by one and merged, each from its own index.

    :raises ValidationFailed: no criterion, a field too long, not text or not one of the
        choices, a malformed ID number or date, a page out of range.
    :raises Forbidden: ``p`` is neither an auditor nor a platform admin.
    """
    _auditing(p)
    crit = read_criteria(params)
    offset = (crit["page"] - 1) * limit
    few = {name: ids for name, ids in _resolved(p, crit).items() if len(ids) <= SPLIT_AT_MOST}
    if any(not ids for ids in few.values()):
        return SearchPage([], total=0, page=crit["page"])
    crit = {**crit, **dict.fromkeys(few)}  # resolved: their ids instead of the subqueries
    query = _narrowed(_filtered(p, crit), few)
    capped = query.with_only_columns(Contract.id).limit(COUNT_CAP + 1).subquery()
    total = select(func.count()).select_from(capped).scalar_subquery()
    if (p.is_auditor and not p.jurisdiction and "employer" not in few
            and 0 < len(p.employer_ids) <= SPLIT_AT_MOST):
        few["employer"] = sorted(p.employer_ids)
    if few:
        ids = _split_page(p, crit, few, offset, limit)
        page = select(Contract, total).join(ids, Contract.id == ids.c.id)
    else:
        page = query.add_columns(total).offset(offset).limit(limit)
    rows = db.session.execute(page.order_by(*SORTS[crit["sort"]]).options(
        joinedload(Contract.worker, innerjoin=True),
        joinedload(Contract.organization, innerjoin=True))).all()
    counted = rows[0][1] if rows else 0 if offset == 0 else db.session.scalar(select(total))
    return SearchPage([row[0] for row in rows], total=counted, page=crit["page"])


def matching(p: Principal, params: dict):
    """``SELECT contracts.id`` of every contract in ``p``'s scope matching the criteria
    ``params`` (all pages, no order, no cap): what :func:`search_contracts` pages through, for
    work over a whole result (e.g. an archive job's evidence ZIP).

    :raises ValidationFailed: criteria the search refuses (named per field).
    :raises Forbidden: ``p`` is neither an auditor nor a platform admin.
    """
    _auditing(p)
    crit = read_criteria({**params, "page": "1", "sort": "newest"})
    return _filtered(p, crit).with_only_columns(Contract.id)


def auditable_contract(p: Principal, contract_id: int, *, purpose: str = "view") -> Contract:
    """A contract in ``p``'s scope; a platform admin's access is recorded in its trail.

    :param purpose: what is being looked at (``view``, ``pdf``, ``verification``, ``evidence``).
    :raises NotFound: outside the scope (same answer as a missing contract).
    """
    _auditing(p)
    contract = scope.contract(p, contract_id, "合同不存在或不在您的管辖范围内")
    if p.is_platform_admin:
        audit.record(contract.id, p.actor, "contract.viewed_by_admin", what=purpose)
        db.session.commit()
    return contract


def in_scope(p: Principal) -> bool:
    """True when ``p`` has any scope at all (an auditor with none sees nothing)."""
    return p.is_platform_admin or bool(p.jurisdiction or p.employer_ids)
