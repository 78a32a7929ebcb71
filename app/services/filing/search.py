"""Auditors' search over contracts, within the auditor's scope (jurisdiction or named
employers; nothing without either). Platform admins search everything, and each contract
they open is recorded in its audit trail."""

from __future__ import annotations

from app import pii
from app.domain import typed
from app.domain.ids import id_number_error, normalize_id_number
from app.domain.typed import Msg
from app.errors import Forbidden, ValidationFailed
from app.extensions import db
from app.models import Contract, Filing, Organization, Worker
from app.services.platform import audit, scope
from app.services.platform.principal import Principal

SEARCH_FIELDS = ("worker_name", "id_number", "employer", "filing_number")
LIMITS = {"worker_name": 50, "id_number": 18, "employer": 200, "filing_number": 40}
#: Names typed shorter than this match the start of the name, longer ones anywhere in it.
PREFIX_BELOW = 3
LABELS = {"worker_name": "劳动者姓名", "id_number": "身份证号码", "employer": "用人单位",
          "filing_number": "备案号"}


def _auditing(p: Principal) -> None:
    if not (p.is_auditor or p.is_platform_admin):
        raise Forbidden("您没有权限访问此页面")


def _criteria(params: dict) -> dict[str, str]:
    crit, errors = {}, {}
    for name in SEARCH_FIELDS:
        value, problem = typed.text(params.get(name), limit=LIMITS[name])
        if problem:
            errors[name] = Msg(problem, label=Msg(LABELS[name]), limit=LIMITS[name])
        crit[name] = value
    if errors:
        raise ValidationFailed("查询条件有误，请检查标出的字段", fields=errors)
    if not any(crit.values()):
        raise ValidationFailed("请至少填写一个查询条件", fields={"worker_name": "请至少填写一个查询条件"})
    if crit["id_number"] and (problem := id_number_error(crit["id_number"])):
        raise ValidationFailed(problem, fields={"id_number": problem})
    return crit


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


def search_contracts(p: Principal, params: dict, limit: int = 100) -> list[Contract]:
    """Contracts in ``p``'s scope matching every given criterion (worker name as given on the
    contract, ID number through its keyed hash, employer name or USCC, filing number: that of
    a labor contract or of one of its amendments, termination or certificate).

    :raises ValidationFailed: no criterion, a field too long or not text, a malformed ID number.
    :raises Forbidden: ``p`` is neither an auditor nor a platform admin.
    """
    _auditing(p)
    crit = _criteria(params)
    # a filing number names one filed document: an amendment, termination or certificate is
    # found by its own number; the other criteria list the labor contracts themselves
    base = scope.contracts(p) if crit["filing_number"] else scope.labor_contracts(p)
    query = (base.join(Contract.worker).join(Contract.organization)
             .outerjoin(Filing, Filing.contract_id == Contract.id))
    if crit["worker_name"]:
        query = query.where(name_matches(crit["worker_name"]))
    if crit["id_number"]:
        query = query.where(Worker.id_hash == pii.keyed_hash(normalize_id_number(crit["id_number"])))
    if crit["employer"]:
        query = query.where(Organization.name.contains(crit["employer"], autoescape=True)
                            | (Organization.uscc == crit["employer"].upper()))
    if crit["filing_number"]:
        query = query.where(Filing.number == crit["filing_number"])
    return list(db.session.scalars(query.order_by(Contract.id.desc()).limit(limit)))


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

