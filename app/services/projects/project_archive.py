"""A project's archives in the object store: the documents the wage-payment regulation wants
kept, by category (once, or every month), each upload a new version under
``projects/<id>/<category>/<period>/v<n>-<sha>.<ext>`` with its SHA-256, uploader and time,
retained (object lock on MinIO/S3) until three years after completion and final settlement
(the planned end while those are unknown). The type is told by the content — PDF, PNG, JPEG,
XLSX or CSV — and must be the one the name declares (a ``.pdf`` must parse as a PDF); an
empty, oversized, wrong-type, misnamed or corrupt file is refused with a clear message naming
it, and nothing is stored.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.domain.expiry import today_in_beijing
from app.domain.typed import Msg
from app.errors import Conflict, NotFound, ServiceUnavailable, ValidationFailed
from app.extensions import archive_ext, db
from app.models import Project, ProjectDocument
from app.models.base import utcnow
from app.services.platform import audit
from app.services.platform.principal import Principal
from app.services.projects import archive_files, projects
from archive import ArchiveError

CATEGORIES = {  # name -> (Chinese label, "once" | "monthly")
    "construction_contract": ("施工合同", "once"),
    "wage_account": ("农民工工资专用账户开立及备案", "once"),
    "wage_deposit": ("工资保证金凭证", "once"),
    "notice_board": ("维权信息告示牌照片", "once"),
    "roster": ("实名制花名册", "monthly"),
    "attendance": ("考勤记录", "monthly"),
    "pay_sheet": ("工资表（劳动者签字）", "monthly"),
    "bank_proof": ("专用账户代发工资银行凭证", "monthly"),
    "payslips": ("工资条", "monthly"),
    "labor_cost_transfer": ("人工费用拨付记录", "monthly"),
}
KEEP_YEARS = 3
ONCE_DUE_DAYS = 30  # the account and its registration: within 30 days of the contract
MAX_BYTES = 20 * 1024 * 1024
TYPES = {"pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "csv": "text/csv"}
INVALID = "上传有误，请检查标出的项目"
EMPTY = "上传的文件是空的"
TOO_LARGE = "文件过大：最大 %(mb)s MB"
UNKNOWN_CATEGORY = "没有这个资料类别"
BAD_PERIOD = "月份应为 YYYY-MM，且在项目开工之后、不晚于本月"
NOT_FOUND = "资料不存在"
UNAVAILABLE = "档案库暂时无法访问，文件未保存，请稍后重试"
PERIOD = re.compile(r"^(\d{4})-(\d{2})$")


def sniff(data: bytes, filename: str = "") -> tuple[str | None, Msg | None]:
    """The file's kind by its content, or the problem (empty, too large, not what its name
    says, wrong, corrupt): see :mod:`app.services.projects.archive_files`."""
    if not data:
        return None, Msg(EMPTY)
    if len(data) > MAX_BYTES:
        return None, Msg(TOO_LARGE, mb=MAX_BYTES // (1024 * 1024))
    return archive_files.check(data, filename)


def retain_until(project: Project) -> datetime:
    """Three years after completion and final settlement (the later of the two; the planned
    end while they are unknown), and never less than three years from now."""
    end = max(d for d in (project.planned_end, project.completed_on, project.settled_on) if d)
    until = datetime.combine(_years_after(end, KEEP_YEARS), time(), UTC)
    return max(until, utcnow() + timedelta(days=365 * KEEP_YEARS + 1))


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _period(project: Project, category: str, raw: object, today: date) -> str:
    if CATEGORIES[category][1] == "once":
        return "once"
    match = PERIOD.match(raw.strip()) if isinstance(raw, str) else None
    if match is None:
        raise ValidationFailed(INVALID, fields={"period": Msg(BAD_PERIOD)})
    year, month = int(match[1]), int(match[2])
    first = (project.start_date.year, project.start_date.month)
    if not 1 <= month <= 12 or (year, month) < first or (year, month) > (today.year, today.month):
        raise ValidationFailed(INVALID, fields={"period": Msg(BAD_PERIOD)})
    return f"{year:04d}-{month:02d}"


def upload(p: Principal, project_id: int, category: object, period: object, filename: str,
           data: bytes, today: date | None = None) -> ProjectDocument:
    """Store a new version of a project document (the general contractor's staff).

    :raises ValidationFailed: unknown category, bad month, or the file (field ``file``).
    :raises ServiceUnavailable: the archive is down (nothing recorded).
    """
    project = projects.managed(p, project_id)
    if category not in CATEGORIES:
        raise ValidationFailed(INVALID, fields={"category": Msg(UNKNOWN_CATEGORY)})
    period = _period(project, category, period, today or today_in_beijing())
    kind, problem = sniff(data, filename)
    if problem:
        raise ValidationFailed(INVALID, fields={"file": problem})
    digest = hashlib.sha256(data).hexdigest()
    version = (db.session.scalar(select(func.max(ProjectDocument.version)).where(
        ProjectDocument.project_id == project.id, ProjectDocument.category == category,
        ProjectDocument.period == period)) or 0) + 1
    # a fresh suffix per attempt: an attempt whose commit failed leaves a locked object
    # that a retry of the same file must not collide with
    key = (f"projects/{project.id}/{category}/{period}/"
           f"v{version}-{digest[:12]}-{uuid.uuid4().hex[:8]}.{kind}")
    until = retain_until(project)
    doc = ProjectDocument(project_id=project.id, category=category, period=period,
                          version=version, key=key, sha256=digest, size=len(data),
                          content_type=TYPES[kind], filename=(filename or "")[:200],
                          uploaded_by=p.actor, retain_until=until)
    db.session.add(doc)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict("同一资料刚刚有人上传，请刷新后重试", code="version_taken") from None
    try:
        archive_ext.store().put(key, data, content_type=TYPES[kind], retain_until=until,
                                metadata={"project": str(project.id), "category": category,
                                          "period": period, "uploader": p.actor})
    except ArchiveError:
        db.session.rollback()
        raise ServiceUnavailable(UNAVAILABLE, code="archive_unavailable") from None
    audit.record(None, p.actor, "project.document_uploaded", project=project.id,
                 category=category, period=period, version=version, sha256=digest)
    db.session.commit()
    return doc


def documents(p: Principal, project_id: int) -> list[ProjectDocument]:
    """Every version of the project's documents (newest first)."""
    project = projects.get(p, project_id)
    return list(db.session.scalars(select(ProjectDocument).where(
        ProjectDocument.project_id == project.id).order_by(ProjectDocument.id.desc())))


def read(p: Principal, project_id: int, document_id: int) -> tuple[ProjectDocument, bytes]:
    """A document's bytes (checked against their SHA-256) for the contractor or an auditor.

    :raises NotFound: not a document of a project ``p`` may open.
    """
    project = projects.get(p, project_id)
    if not (projects.is_contractor(p, project) or p.is_auditor or p.is_platform_admin):
        raise NotFound(NOT_FOUND, code="document_not_found")
    doc = db.session.get(ProjectDocument, document_id)
    if doc is None or doc.project_id != project.id:
        raise NotFound(NOT_FOUND, code="document_not_found")
    try:
        return doc, archive_ext.store().get(doc.key)
    except ArchiveError:
        raise ServiceUnavailable(UNAVAILABLE, code="archive_unavailable") from None


COMPLETION_INVALID = "竣工或结算日期有误，请检查标出的字段"
SETTLED_BEFORE = "结算日期不能早于竣工日期"
BEFORE_START = "竣工日期不能早于开工日期"
IN_FUTURE = "日期不能晚于今天"


def record_completion(p: Principal, project_id: int, completed_on: object, settled_on: object,
                      today: date | None = None) -> int:
    """Record the completion (竣工) and final settlement (结算) dates; every document's
    retention is extended to three years after them (object lock: only ever extended).
    Returns how many documents were extended.

    :raises ValidationFailed: a bad date, named. :raises ServiceUnavailable: the archive is
        down (the dates are not recorded; retention already extended stays extended).
    """
    from app.domain import typed

    project = projects.managed(p, project_id)
    today = today or today_in_beijing()
    errors: dict[str, Msg] = {}
    days: dict[str, date | None] = {}
    for name, raw, label in (("completed_on", completed_on, "竣工日期"),
                             ("settled_on", settled_on, "结算日期")):
        day, problem = typed.iso_date(raw) if raw not in (None, "") else (None, None)
        if problem:
            errors[name] = Msg(problem, label=Msg(label))
        elif day and day > today:
            errors[name] = Msg(IN_FUTURE)
        days[name] = day
    if not errors and days["completed_on"] and days["completed_on"] < project.start_date:
        errors["completed_on"] = Msg(BEFORE_START)
    if not errors and days["settled_on"] and (
            days["completed_on"] is None or days["settled_on"] < days["completed_on"]):
        errors["settled_on"] = Msg(SETTLED_BEFORE)
    if errors:
        raise ValidationFailed(COMPLETION_INVALID, fields=errors)
    project.completed_on, project.settled_on = days["completed_on"], days["settled_on"]
    until = retain_until(project)
    extended = 0
    store = archive_ext.store()
    for doc in db.session.scalars(select(ProjectDocument).where(
            ProjectDocument.project_id == project.id, ProjectDocument.retain_until < until)):
        try:
            store.extend_retention(doc.key, until)
        except ArchiveError:
            db.session.rollback()
            raise ServiceUnavailable(UNAVAILABLE, code="archive_unavailable") from None
        doc.retain_until = until
        extended += 1
    audit.record(None, p.actor, "project.completion_recorded", project=project.id,
                 completed_on=str(days["completed_on"]), settled_on=str(days["settled_on"]),
                 retained_until=until.isoformat(), documents=extended)
    db.session.commit()
    return extended
