"""What a principal may see: the one place that turns a :class:`Principal` into query filters.

Employers (and scheduled jobs acting for one employer) see their own organization's rows,
auditors the employers of their jurisdiction (region-code prefix) or the employers named in
their scope — and nothing without either —,
a signing session its one contract, a worker in their own space the documents they signed
that carry the phone they proved (with any employer, whatever its status now), platform admins
everything. Anything else sees nothing:
every filter fails closed.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_, select, true

from app.errors import Forbidden, NotFound
from app.extensions import db
from app.models import Contract, Organization
from app.services.platform.principal import Principal


def organization_filter(p: Principal, column=Organization.id) -> ColumnElement[bool]:
    """A filter on an organization-id ``column``: the employers ``p`` may see."""
    if p.is_platform_admin:
        return true()
    if p.is_employer or p.is_employer_job:
        return column == p.organization_id
    if p.is_auditor:
        conditions = []
        if p.jurisdiction:
            in_region = select(Organization.id).where(
                Organization.region_code.startswith(p.jurisdiction, autoescape=True))
            conditions.append(column.in_(in_region))
        if p.employer_ids:
            conditions.append(column.in_(sorted(p.employer_ids)))
        return or_(*conditions) if conditions else false()
    return false()


def contract_filter(p: Principal) -> ColumnElement[bool]:
    """A filter on :class:`Contract`: the contracts ``p`` may see."""
    if p.kind == "signing":
        return Contract.id == p.contract_id if p.contract_id is not None else false()
    if p.is_person:
        if not p.documents:
            return false()
        ids = sorted(p.documents)
        return (signed_by(p.worker_id)
                & (Contract.id.in_(ids) | Contract.parent_id.in_(ids)))
    return organization_filter(p, Contract.organization_id)


def signed_by(worker_id: int) -> ColumnElement[bool]:
    """The documents ``worker_id`` signed, with any employer (and the certificates issued on
    them). Only for proving who a person is (the portal's sign-in, which then narrows it to the
    documents carrying the phone proved): never a principal's view by itself."""
    return (Contract.worker_id == worker_id) & Contract.signed_at.is_not(None)


def contracts(p: Principal):
    """``SELECT contracts`` limited to what ``p`` may see."""
    return select(Contract).where(contract_filter(p))


def labor_contracts(p: Principal):
    """``SELECT contracts`` limited to what ``p`` may see and to the labor contracts
    themselves (``document_kind == 'contract'``): no amendment, termination or certificate."""
    return contracts(p).where(Contract.document_kind == "contract")


def contract(p: Principal, contract_id: int, message: str = "合同不存在") -> Contract:
    """The contract ``contract_id`` if ``p`` may see it.

    :raises NotFound: it does not exist or is outside ``p``'s scope (the two look the same).
    """
    found = db.session.scalar(contracts(p).where(Contract.id == contract_id))
    if found is None:
        raise NotFound(message, code="contract_not_found")
    return found


def administered_organization(p: Principal) -> int:
    """The id of the employer whose users and API keys ``p`` manages.

    :raises Forbidden: ``p`` is not an employer admin.
    """
    if not p.is_employer_admin or p.organization_id is None:
        raise Forbidden("只有单位管理员可以管理用户和接口密钥")
    return p.organization_id


def bureau_region_filter(p: Principal, column) -> ColumnElement[bool]:
    """A filter on a region-code ``column``: what a bureau system's key (``lbk_…``) reads —
    the rows of its region prefix, as an auditor of that region would; nothing without one."""
    if not p.jurisdiction:
        return false()
    return column.startswith(p.jurisdiction, autoescape=True)
