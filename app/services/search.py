"""Auditors' search over contracts, within the auditor's jurisdiction."""

from __future__ import annotations

from sqlalchemy import select

from app import pii
from app.domain.ids import id_number_error, normalize_id_number
from app.errors import NotFound, ValidationFailed
from app.extensions import db
from app.models import Contract, Filing, Organization, User, Worker

SEARCH_FIELDS = ("worker_name", "id_number", "employer", "filing_number")


def _scoped(query, user: User):
    if user.role == "auditor" and user.jurisdiction:
        query = query.where(Organization.region_code.startswith(user.jurisdiction))
    return query


def search_contracts(user: User, params: dict[str, str], limit: int = 100) -> list[Contract]:
    """Contracts matching every given criterion (worker name, ID number, employer, filing no.).

    :raises ValidationFailed: no criterion, or a malformed ID number.
    """
    crit = {k: (params.get(k) or "").strip() for k in SEARCH_FIELDS}
    if not any(crit.values()):
        raise ValidationFailed("请至少填写一个查询条件", fields={"worker_name": "请至少填写一个查询条件"})
    query = (select(Contract).join(Contract.worker).join(Contract.organization)
             .outerjoin(Filing, Filing.contract_id == Contract.id))
    if crit["worker_name"]:
        query = query.where(Worker.name == crit["worker_name"])
    if crit["id_number"]:
        if problem := id_number_error(crit["id_number"]):
            raise ValidationFailed(problem, fields={"id_number": problem})
        query = query.where(Worker.id_hash == pii.keyed_hash(normalize_id_number(crit["id_number"])))
    if crit["employer"]:
        term = crit["employer"].replace("%", r"\%").replace("_", r"\_")
        query = query.where((Organization.name.contains(term, autoescape=False))
                            | (Organization.uscc == crit["employer"].upper()))
    if crit["filing_number"]:
        query = query.where(Filing.number == crit["filing_number"])
    query = _scoped(query, user).order_by(Contract.id.desc()).limit(limit)
    return list(db.session.scalars(query))


def auditable_contract(user: User, contract_id: int) -> Contract:
    """A contract the auditor may see; NotFound outside the jurisdiction."""
    query = _scoped(select(Contract).join(Contract.organization).where(Contract.id == contract_id),
                    user)
    contract = db.session.scalar(query)
    if contract is None:
        raise NotFound("合同不存在或不在您的管辖范围内", code="contract_not_found")
    return contract
