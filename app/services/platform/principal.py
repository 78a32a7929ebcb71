"""Who is acting: the one object every service of tenant data takes and scopes its queries by.

Routes never scope by hand: they turn the request's credentials (login session, API key,
signing session) into a :class:`Principal` once and pass it to the service, which asks
:mod:`app.services.platform.scope` for the rows that principal may see.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

EMPLOYER_ROLES = ("employer_admin", "employer_hr")
Kind = Literal["anonymous", "user", "api_key", "signing", "person", "system"]


@dataclass(frozen=True)
class Principal:
    """The acting party of one request or job.

    :param kind: how it authenticated.
    :param actor: its name in the audit trail (``user:3``, ``api:7``, ``worker:12``, ``system``).
    :param role: the user's role (employers acting by API key count as ``employer_api``).
    :param organization_id: the employer it acts for (employer users and API keys).
    :param jurisdiction: auditors: region-code prefix they oversee (``None``: none).
    :param employer_ids: auditors: employers named in their scope.
    :param contract_id: signing sessions: the one contract the worker verified for.
    :param worker_id: a worker signed in to their own space (the portal): the
        :class:`app.models.Worker` whose signed contracts, across every employer, they see.
    :param documents: that worker's session: the signed documents carrying the phone number
        the sign-in code went to (their lifecycle documents follow them). Every contract's phone
        is typed by an employer, so a phone proves only the contracts that carry it.
    """

    kind: Kind
    actor: str
    role: str | None = None
    user_id: int | None = None
    organization_id: int | None = None
    api_key_id: int | None = None
    jurisdiction: str | None = None
    employer_ids: frozenset[int] = field(default_factory=frozenset)
    contract_id: int | None = None
    worker_id: int | None = None
    documents: frozenset[int] = field(default_factory=frozenset)

    @property
    def is_employer(self) -> bool:
        """Employer staff or an employer's API key (acts only for ``organization_id``)."""
        return self.organization_id is not None and (
            self.kind == "api_key" or self.role in EMPLOYER_ROLES)

    @property
    def is_employer_job(self) -> bool:
        """A scheduled job acting for one employer (reads only that employer's rows)."""
        return self.kind == "system" and self.organization_id is not None

    @property
    def is_employer_admin(self) -> bool:
        """The employer's administrator (manages its users and API keys)."""
        return self.kind == "user" and self.role == "employer_admin"

    @property
    def is_auditor(self) -> bool:
        """A labor inspector or arbitrator (read-only, within a scope)."""
        return self.kind == "user" and self.role == "auditor"

    @property
    def is_person(self) -> bool:
        """A worker in their own space: sees the contracts they signed, with any employer."""
        return self.kind == "person" and self.worker_id is not None

    @property
    def is_platform_admin(self) -> bool:
        """The platform operator: sees everything; views are recorded in the trail."""
        return self.kind == "user" and self.role == "platform_admin"


ANONYMOUS = Principal(kind="anonymous", actor="anonymous")
SYSTEM = Principal(kind="system", actor="system")


def of_user(user) -> Principal:
    """The principal of a logged-in :class:`app.models.User` (auditor scopes included)."""
    employers = frozenset(getattr(user, "scope_employer_ids", ()) or ())
    return Principal(kind="user", actor=f"user:{user.id}", role=user.role, user_id=user.id,
                     organization_id=user.organization_id if user.role in EMPLOYER_ROLES else None,
                     jurisdiction=user.jurisdiction or None if user.role == "auditor" else None,
                     employer_ids=employers if user.role == "auditor" else frozenset())


def of_api_key(key) -> Principal:
    """The principal of an employer's live :class:`app.models.ApiKey`."""
    return Principal(kind="api_key", actor=f"api:{key.id}", role="employer_api",
                     organization_id=key.organization_id, api_key_id=key.id)


def of_job(organization_id: int, job: str) -> Principal:
    """The principal of a scheduled job (``job``, e.g. ``expiry``) working on one employer's
    rows: the scope filters see that employer only; it is not an employer for the write use
    cases (it cannot create, seal or void contracts)."""
    return Principal(kind="system", actor=f"system:{job}", organization_id=organization_id)


def of_signing(contract_id: int) -> Principal:
    """The principal of a worker holding a verified signing session for ``contract_id``."""
    return Principal(kind="signing", actor=f"worker:{contract_id}", contract_id=contract_id)


def of_person(worker_id: int, documents: frozenset[int] = frozenset()) -> Principal:
    """The principal of a worker signed in to their own space (name, ID number, SMS code),
    seeing the signed ``documents`` that carry the phone the code went to (and theirs)."""
    return Principal(kind="person", actor=f"person:{worker_id}", worker_id=worker_id,
                     documents=frozenset(documents))
