"""What an archive job works on, scoped by the acting principal: the filed contracts of an
auditor's search (the very search of :mod:`app.services.filing.search`, over all its pages),
or the filings of an employer or a period to re-verify.

An archive job acts with the scope its asker had at request time (:func:`acting`): an
auditor's jurisdiction and named employers, everything for a platform admin, a bureau key's
region (as a jurisdiction).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select

from app.domain.beijing import BEIJING
from app.extensions import db
from app.models import Contract, Filing, Organization
from app.services.filing import search
from app.services.platform import scope
from app.services.platform.principal import Principal


def scope_of(p: Principal) -> dict:
    """``p``'s scope as an archive job keeps it (resolved now, used when the job runs)."""
    return {"role": p.role, "jurisdiction": p.jurisdiction,
            "employer_ids": sorted(p.employer_ids), "user_id": p.user_id}


def acting(actor: str, kept: dict) -> Principal:
    """The principal a job searches as: its asker (``actor``) with the scope ``kept`` at
    request time (:func:`scope_of`). A platform admin (or the command line) sees everything;
    anyone else — an auditor, a bureau system's key — exactly the jurisdiction and employers
    recorded (nothing without either)."""
    if kept.get("role") == "platform_admin":
        return Principal(kind="user", actor=actor, role="platform_admin",
                         user_id=kept.get("user_id"))
    return Principal(kind="user", actor=actor, role="auditor", user_id=kept.get("user_id"),
                     jurisdiction=kept.get("jurisdiction") or None,
                     employer_ids=frozenset(kept.get("employer_ids") or ()))


def search_filings(p: Principal, params: dict):
    """``SELECT contracts.id, filings.id`` of the filed contracts of the search ``params``,
    by contract id.

    :raises ValidationFailed: the criteria are refused by the search (named per field).
    :raises Forbidden: ``p`` is neither an auditor nor a platform admin.
    """
    ids = search.matching(p, params).scalar_subquery()
    return (select(Contract.id, Filing.id).join(Filing, Filing.contract_id == Contract.id)
            .where(Contract.id.in_(ids)).order_by(Contract.id))


def _day_start(day: date) -> datetime:
    """Midnight starting the Beijing day ``day``, in UTC."""
    return datetime.combine(day, time.min, BEIJING).astimezone(UTC)


def employer_in_scope(p: Principal, uscc: str) -> Organization | None:
    """The employer with this USCC if ``p`` may see it."""
    return db.session.scalar(select(Organization).where(
        Organization.uscc == uscc.upper(), scope.organization_filter(p)))


def filings_to_verify(p: Principal, organization_id: int | None, since: date | None,
                      until: date | None):
    """``SELECT filings.id`` in ``p``'s scope: the employer's, archived between the Beijing days
    ``since`` and ``until`` (both included; each optional), by filing id."""
    query = (select(Filing.id).join(Contract, Contract.id == Filing.contract_id)
             .where(scope.contract_filter(p)).order_by(Filing.id))
    if organization_id is not None:
        query = query.where(Contract.organization_id == organization_id)
    if since is not None:
        query = query.where(Filing.archived_at >= _day_start(since))
    if until is not None:
        query = query.where(Filing.archived_at < _day_start(until + timedelta(days=1)))
    return query


def count(query, at_most: int | None = None) -> int:
    """How many rows ``query`` selects, counted up to ``at_most`` (a cap check need not read
    every match: ``at_most`` = cap + 1 tells "over the cap")."""
    query = query.order_by(None)
    if at_most is not None:
        query = query.limit(at_most)
    return db.session.scalar(select(func.count()).select_from(query.subquery()))


def covers(now: dict, kept: dict) -> bool:
    """True when the scope ``now`` (:func:`scope_of` the asker today) still covers the scope
    ``kept`` by a job: a platform admin covers everything; otherwise the kept jurisdiction lies
    within today's, and each kept employer is still named or lies in today's jurisdiction."""
    if now.get("role") == "platform_admin":
        return True
    if kept.get("role") == "platform_admin":
        return False
    region = now.get("jurisdiction") or None
    if kept.get("jurisdiction") and not (region and kept["jurisdiction"].startswith(region)):
        return False
    others = set(kept.get("employer_ids") or ()) - set(now.get("employer_ids") or ())
    if not others:
        return True
    if not region:
        return False
    inside = db.session.scalar(select(func.count()).select_from(Organization).where(
        Organization.id.in_(sorted(others)),
        Organization.region_code.startswith(region, autoescape=True)))
    return inside == len(others)
