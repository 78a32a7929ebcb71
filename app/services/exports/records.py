"""The records of the filings export: one per filed labor contract, renewal, amendment or
termination, read in the export's commit order (``Filing.export_seq``, :mod:`.sequence`;
certificates are not exported).

A record is plain and typed (:class:`FilingRecord`); the exporters (:mod:`.formats`) turn
records into bytes. Field names, their 人社 codes and what is masked: README "Filings out to
the 人社 systems". The ID number is exported in full — it is the registration's key, and the
bureau is entitled to it —; the phone never is.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlalchemy import ColumnElement, Select, and_, select, true
from sqlalchemy.orm import joinedload

from app.domain.beijing import beijing_date, in_beijing
from app.extensions import db
from app.models import Contract, Filing, Organization
from app.pii import decrypt
from app.services.exports import deadlines
from app.services.exports.cursor import Position
from app.services.platform import scope
from app.services.platform.access_log import BUREAU_SYSTEM
from app.services.platform.principal import Principal

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
    if p.role == BUREAU_SYSTEM:
        allowed = scope.bureau_region_filter(p, Organization.region_code)
    elif p.kind == "system" and p.organization_id is None:
        allowed = true()
    else:
        allowed = scope.organization_filter(p, Contract.organization_id)
    if region:
        allowed = and_(allowed, Organization.region_code.startswith(region, autoescape=True))
    return allowed


def query(p: Principal, after: Position, region: str | None, limit: int) -> Select:
    """The next ``limit`` numbered filings after ``after`` (and not archived before its
    floor), in export order."""
    wanted = [visible(p, region), Contract.document_kind != "certificate",
              Filing.export_seq > after.seq]
    if after.floor is not None:
        wanted.append(Filing.archived_at >= after.floor)
    return (select(Filing).join(Filing.contract).join(Contract.organization).where(*wanted)
            .options(joinedload(Filing.contract).joinedload(Contract.organization),
                     joinedload(Filing.contract).joinedload(Contract.worker),
                     joinedload(Filing.contract).joinedload(Contract.parent),
                     joinedload(Filing.contract).joinedload(Contract.renewal_of))
            .order_by(Filing.export_seq).limit(limit))


def read(p: Principal, after: Position, *, region: str | None,
         limit: int) -> list[tuple[Filing, FilingRecord]]:
    """The next filings and their records (see :func:`query`)."""
    filings = db.session.scalars(query(p, after, region, limit)).unique().all()
    return [(f, record_of(f)) for f in filings]


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
    event = deadlines.event_date(main.terms.get("term_start") if kind == "registration"
                                 else last_day if kind == "deregistration" else None)
    if event:
        due = deadlines.deadline(kind, region, event, filed_day)
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


def position_of(filing: Filing, after: Position) -> Position:
    """The cursor position just after ``filing`` (keeping ``after``'s floor)."""
    return Position(filing.export_seq, after.floor)
