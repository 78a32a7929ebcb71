"""The records of the filings export: one per filed labor contract, renewal, amendment or
termination, read in the cursor's ``(archived_at, id)`` order (certificates are not exported).

A record is plain and typed (:class:`FilingRecord`); the exporters (:mod:`.formats`) turn
records into bytes. Field names, their 人社 codes and what is masked: README "Filings out to
the 人社 systems". The ID number is exported in full — it is the registration's key, and the
bureau is entitled to it —; the phone never is.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import ColumnElement, Select, and_, false, or_, select, true
from sqlalchemy.orm import joinedload

from app.domain.beijing import beijing_date, in_beijing
from app.extensions import db
from app.models import Contract, Filing, Organization
from app.pii import decrypt
from app.services.exports import deadlines
from app.services.exports.cursor import Position
from app.services.platform import scope
from app.services.platform.principal import Principal

BUREAU_ROLE = "bureau_api"
#: document kind -> (record type, change type)
TYPES = {"amendment": ("change", "amendment"), "termination": ("deregistration", None)}


@dataclass(frozen=True)
class FilingRecord:
    """One employment registration, change or deregistration, as the bureau receives it."""

    record_id: int
    record_type: str  # registration | change | deregistration
    change_type: str | None  # renewal | amendment (changes only)
    filing_number: str
    filed_at: str  # Beijing time, ISO 8601
    contract_no: str
    original_contract_no: str | None
    employer_uscc: str
    employer_name: str
    region_code: str
    worker_name: str
    worker_id_number: str
    worker_sex: str | None  # 1 male, 2 female (from the ID number)
    worker_birth_date: str | None
    contract_type: str
    term_start: str | None
    term_end: str | None
    post: str | None
    last_working_day: str | None
    due_on: str | None
    days_late: int | None
    late: bool | None

    def as_dict(self) -> dict:
        """The record as a dict of its fields, in order."""
        return asdict(self)


FIELDS = tuple(FilingRecord.__dataclass_fields__)


def visible(p: Principal, region: str | None = None) -> ColumnElement[bool]:
    """A filter on :class:`Contract`: what ``p`` may export, narrowed to ``region`` if given.

    A bureau key sees its region prefix; the command line (the system principal) everything;
    auditors and platform admins what they see elsewhere."""
    if p.role == BUREAU_ROLE:
        allowed = (Organization.region_code.startswith(p.jurisdiction, autoescape=True)
                   if p.jurisdiction else false())
    elif p.kind == "system" and p.organization_id is None:
        allowed = true()
    else:
        allowed = scope.organization_filter(p, Contract.organization_id)
    if region:
        allowed = and_(allowed, Organization.region_code.startswith(region, autoescape=True))
    return allowed


def query(p: Principal, after: Position, until: datetime, region: str | None,
          limit: int) -> Select:
    """The next ``limit`` filings after ``after`` archived up to ``until``, in order."""
    return (select(Filing).join(Filing.contract).join(Contract.organization)
            .where(visible(p, region), Contract.document_kind != "certificate",
                   Filing.archived_at <= until,
                   or_(Filing.archived_at > after.archived_at,
                       and_(Filing.archived_at == after.archived_at,
                            Filing.id > after.filing_id)))
            .options(joinedload(Filing.contract).joinedload(Contract.organization),
                     joinedload(Filing.contract).joinedload(Contract.worker),
                     joinedload(Filing.contract).joinedload(Contract.parent),
                     joinedload(Filing.contract).joinedload(Contract.renewal_of))
            .order_by(Filing.archived_at, Filing.id).limit(limit))


def read(p: Principal, after: Position, *, now: datetime, lag: timedelta,
         region: str | None, limit: int) -> list[tuple[Filing, FilingRecord]]:
    """The next filings and their records (see :func:`query`); ``now - lag`` bounds them."""
    filings = db.session.scalars(query(p, after, now - lag, region, limit)).unique().all()
    return [(f, record_of(f)) for f in filings]


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except (TypeError, ValueError):
        return None


def record_of(filing: Filing) -> FilingRecord:
    """The export record of ``filing``."""
    c = filing.contract
    main = c.parent or c
    if c.document_kind == "contract":
        kind, change = ("change", "renewal") if c.renewal_of_id else ("registration", None)
    else:
        kind, change = TYPES.get(c.document_kind, ("change", c.document_kind))
    filed_day = beijing_date(filing.archived_at)
    region = c.organization.region_code or ""
    due = None
    last_day = c.terms.get("last_working_day") if kind == "deregistration" else None
    if kind == "registration" and _day(main.terms.get("term_start")):
        due = deadlines.deadline(kind, region, _day(main.terms["term_start"]), filed_day)
    elif kind == "deregistration" and _day(last_day):
        due = deadlines.deadline(kind, region, _day(last_day), filed_day)
    id_number = decrypt(main.worker.id_number_enc)
    birth = id_number[6:14] if len(id_number) == 18 and id_number[6:14].isdigit() else None
    original = main if c.parent_id else c.renewal_of
    return FilingRecord(
        record_id=filing.id, record_type=kind, change_type=change, filing_number=filing.number,
        filed_at=in_beijing(filing.archived_at).isoformat(), contract_no=c.contract_no,
        original_contract_no=original.contract_no if original else None,
        employer_uscc=c.organization.uscc, employer_name=c.organization.name,
        region_code=region, worker_name=main.worker_name, worker_id_number=id_number,
        worker_sex=("1" if int(id_number[16]) % 2 else "2") if birth and id_number[16].isdigit()
        else None,
        worker_birth_date=f"{birth[:4]}-{birth[4:6]}-{birth[6:]}" if birth else None,
        contract_type=main.template, term_start=main.terms.get("term_start"),
        term_end=main.terms.get("term_end"), post=main.terms.get("post"),
        last_working_day=last_day,
        due_on=due.due_on.isoformat() if due else None,
        days_late=due.days_late if due else None, late=due.late if due else None)


def position_of(filing: Filing) -> Position:
    """The cursor position just after ``filing``."""
    at = filing.archived_at
    return Position(at if at.tzinfo else at.replace(tzinfo=UTC), filing.id)
