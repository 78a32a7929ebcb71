"""The names of the workers a warning list shows by masked ID number: a flag keeps only the
keyed hash of the ID number and the worker's employer; the worker's name is the one given on
their contract with that employer for the project (linked to it, else not linked to another
project, as the reconciliation reads them: the project's roster), else the account holder of
their pay records there."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import or_, select

from app.extensions import db
from app.models import Contract, PayRecord, WageFlag, Worker

#: Where a name came from: the contract on the project, or the payroll's account holder.
CONTRACT, PAYROLL = "contract", "payroll"


def of_flags(flags: Iterable[WageFlag]) -> dict[tuple[int, str], tuple[str, str]]:
    """``(project_id, id_hash)`` -> ``(name, source)`` for the worker flags among ``flags``
    (the caller's flags are already within its scope; project-wide flags have no worker).
    Two queries for the whole list, however long."""
    employers: dict[tuple[int, str], set[int]] = {}
    for f in flags:
        if f.id_hash:
            found = employers.setdefault((f.project_id, f.id_hash), set())
            if f.organization_id:
                found.add(f.organization_id)
    if not employers:
        return {}
    projects = sorted({key[0] for key in employers})
    names: dict[tuple[int, str], tuple[str, str]] = {}
    orgs = sorted(set().union(*employers.values()))
    if orgs:
        rows = db.session.execute(
            select(Contract.project_id, Contract.organization_id, Worker.id_hash,
                   Contract.worker_name)
            .join(Worker, Contract.worker_id == Worker.id)
            .where(Worker.id_hash.in_(sorted({key[1] for key in employers})),
                   Contract.organization_id.in_(orgs), Contract.document_kind == "contract",
                   or_(Contract.project_id.is_(None), Contract.project_id.in_(projects)))
            .order_by(Contract.id.desc())).all()  # the newest contract's name first
        keys_of: dict[str, list[tuple[int, str]]] = {}
        for key in employers:
            keys_of.setdefault(key[1], []).append(key)
        for linked_only in (True, False):  # a contract linked to the project comes first
            for project_id, org_id, id_hash, name in rows:
                for key in keys_of[id_hash]:
                    if (org_id in employers[key] and key not in names
                            and project_id in ((key[0],) if linked_only else (None, key[0]))):
                        names[key] = (name, CONTRACT)
    missing = set(employers) - set(names)
    if missing:
        for project_id, id_hash, holder in db.session.execute(
                select(PayRecord.project_id, PayRecord.id_hash, PayRecord.holder)
                .where(PayRecord.project_id.in_(sorted({k[0] for k in missing})),
                       PayRecord.id_hash.in_(sorted({k[1] for k in missing})))
                .order_by(PayRecord.id.desc())):
            if (project_id, id_hash) in missing and holder:
                names.setdefault((project_id, id_hash), (holder, PAYROLL))
    return names
