"""Construction projects: created by the general contractor (an employer), joined by labor
subcontractors; seen by the contractor (everything), its subcontractors (the project and
its board, not the wage account), the county's auditors (their jurisdiction) and platform
admins. Every function takes the acting principal; another party's project looks missing.
"""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import and_, false, or_, select, true, update

from app import pii
from app.domain.ids import mask_phone
from app.domain.templates.fields import validate_fields
from app.domain.typed import Msg
from app.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.extensions import db
from app.models import Organization, Project, ProjectMember
from app.models.base import utcnow
from app.services.platform import audit
from app.services.platform.principal import Principal


def _f(name: str, type_: str, label: str, required: bool = True, **extra) -> dict:
    return {"name": name, "type": type_, "label": label, "required": required, **extra}


DEPOSIT_KINDS = {"cash": "现金存储", "guarantee": "银行保函", "exempt": "依规免缴"}
FIELDS = [
    _f("name", "text", "项目名称", limit=200), _f("region_code", "text", "项目所在地行政区划代码", limit=6),
    _f("permit_no", "text", "施工许可证号", limit=60), _f("builder", "text", "建设单位", limit=200),
    _f("contract_amount", "money", "合同金额", maximum="999999999"),
    _f("start_date", "date", "开工日期"), _f("planned_end", "date", "计划竣工日期"),
    _f("officer_name", "text", "劳资专管员", limit=50), _f("officer_phone", "phone", "劳资专管员手机"),
    _f("wage_bank_code", "text", "专户开户银行代码", limit=12),
    _f("wage_account", "text", "农民工工资专用账户账号", limit=40),
    _f("wage_account_holder", "text", "专用账户户名", limit=200),
    _f("deposit_kind", "choice", "工资保证金形式", choices=DEPOSIT_KINDS),
    _f("deposit_amount", "money", "工资保证金金额", maximum="999999999"),
    _f("pay_day", "integer", "发薪日", minimum=1, maximum=31),
]
INVALID = "项目信息有误，请检查标出的字段"
REGION = re.compile(r"^\d{6}$")
DIGITS = re.compile(r"^\d{3,12}$")
ACCOUNT = re.compile(r"^\d{8,32}$")
BAD_REGION = "行政区划代码应为6位数字"
BAD_BANK = "银行代码应为3到12位数字（如 102 工商银行）"
BAD_ACCOUNT = "账号应为8到32位数字"
END_BEFORE_START = "计划竣工日期不能早于开工日期"
BAD_YEAR = "日期应在2000年至2100年之间"
NOT_FOUND = "项目不存在"
NOT_CONTRACTOR = "只有总承包单位可以管理该项目"
NO_SUCH_EMPLOYER = "平台上没有统一社会信用代码为 %(uscc)s 的已审核单位"
ALREADY_MEMBER = "该单位已在项目中"
NOT_INVITED = "本单位没有被邀请加入该项目"
ALREADY_ACCEPTED = "本单位已经接受该项目"


def mask_account(account: str) -> str:
    """A bank account as views show it: the last four digits."""
    return f"****{account[-4:]}"


def visible_filter(p: Principal):
    """A filter on :class:`Project`: the projects ``p`` may see."""
    if p.is_platform_admin:
        return true()
    if p.is_employer and p.organization_id:
        member = select(ProjectMember.project_id).where(
            ProjectMember.organization_id == p.organization_id)
        return or_(Project.contractor_id == p.organization_id, Project.id.in_(member))
    if p.is_auditor:
        conditions = []
        if p.jurisdiction:
            conditions.append(Project.region_code.startswith(p.jurisdiction, autoescape=True))
        if p.employer_ids:
            conditions.append(Project.contractor_id.in_(sorted(p.employer_ids)))
        return or_(*conditions) if conditions else false()
    return false()


def visible(p: Principal) -> list[Project]:
    """The projects ``p`` may see, newest first."""
    return list(db.session.scalars(select(Project).where(visible_filter(p)).order_by(
        Project.id.desc())))


def get(p: Principal, project_id: int) -> Project:
    """A project ``p`` may see. :raises NotFound: none, or outside ``p``'s view."""
    project = db.session.scalar(select(Project).where(Project.id == project_id,
                                                      visible_filter(p)))
    if project is None:
        raise NotFound(NOT_FOUND, code="project_not_found")
    return project


def lock(project_id: int) -> Project | None:
    """The project, its row locked until the transaction ends (PostgreSQL ``FOR NO KEY
    UPDATE``, which does not block other writes of the project's rows): whatever writes the
    project's attendance, pay records or wage flags — the file imports, the pushes, their
    re-reconciliation job, the nightly reconciliation — takes it first, so they run in turn.
    SQLite ignores ``FOR UPDATE``: there a no-op UPDATE of the row takes the database's
    single write lock (as :func:`counters.lock` does)."""
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(update(Project).where(Project.id == project_id)
                           .values(id=Project.id))
    return db.session.scalar(select(Project).where(Project.id == project_id)
                             .with_for_update(key_share=True))


def is_contractor(p: Principal, project: Project) -> bool:
    """Whether ``p`` acts for the project's general contractor."""
    return p.is_employer and p.organization_id == project.contractor_id


def managed(p: Principal, project_id: int) -> Project:
    """A project ``p`` manages. :raises NotFound: not visible. :raises Forbidden: visible
    but ``p`` is not its general contractor (a subcontractor, an auditor)."""
    project = get(p, project_id)
    if not is_contractor(p, project):
        raise Forbidden(NOT_CONTRACTOR, code="not_contractor")
    return project


def create(p: Principal, raw: object) -> Project:
    """The general contractor registers a project. :raises ValidationFailed: a message per
    bad field, nothing written. :raises Forbidden: ``p`` is not an employer."""
    if not p.is_employer or p.organization_id is None:
        raise Forbidden(NOT_CONTRACTOR, code="not_employer")
    clean, errors = validate_fields(FIELDS, raw if isinstance(raw, dict) else {})
    for name, pattern, problem in (("region_code", REGION, BAD_REGION),
                                   ("wage_bank_code", DIGITS, BAD_BANK),
                                   ("wage_account", ACCOUNT, BAD_ACCOUNT)):
        if name not in errors and not pattern.match(clean[name]):
            errors[name] = Msg(problem)
    for name in ("start_date", "planned_end"):
        if name not in errors and not 2000 <= int(clean[name][:4]) <= 2100:
            errors[name] = Msg(BAD_YEAR)
    if not {"start_date", "planned_end"} & set(errors) and (
            clean["planned_end"] < clean["start_date"]):  # with the others, not after them
        errors["planned_end"] = Msg(END_BEFORE_START)
    if errors:
        raise ValidationFailed(INVALID, fields=errors)
    account, phone = clean["wage_account"], clean["officer_phone"]
    project = Project(
        contractor_id=p.organization_id, name=clean["name"], region_code=clean["region_code"],
        permit_no=clean["permit_no"], builder=clean["builder"],
        contract_amount=clean["contract_amount"],
        start_date=date.fromisoformat(clean["start_date"]),
        planned_end=date.fromisoformat(clean["planned_end"]), officer_name=clean["officer_name"],
        officer_phone_enc=pii.encrypt(phone), officer_phone_masked=mask_phone(phone),
        wage_bank_code=clean["wage_bank_code"], wage_account_enc=pii.encrypt(account),
        wage_account_masked=mask_account(account),
        wage_account_hash=pii.keyed_hash(account, "account"),
        wage_account_holder=clean["wage_account_holder"], deposit_kind=clean["deposit_kind"],
        deposit_amount=clean["deposit_amount"], pay_day=clean["pay_day"], created_by=p.actor)
    db.session.add(project)
    db.session.flush()
    audit.record(None, p.actor, "project.created", project=project.id, name=project.name)
    db.session.commit()
    return project


def accepted_members(project: Project) -> list[int]:
    """The organizations of the subcontractors that accepted the project."""
    return [m.organization_id for m in project.members if m.accepted_at is not None]


def accept(p: Principal, project_id: int) -> ProjectMember:
    """The invited subcontractor accepts the project (its contracts naming it count from
    now). :raises NotFound: not invited. :raises Conflict: the contractor itself, or done."""
    project = get(p, project_id)
    member = next((m for m in project.members if p.is_employer
                   and m.organization_id == p.organization_id), None)
    if member is None:
        raise Conflict(NOT_INVITED, code="not_invited")
    if member.accepted_at is not None:
        raise Conflict(ALREADY_ACCEPTED, code="already_accepted")
    member.accepted_at = utcnow()
    audit.record(None, p.actor, "project.subcontractor_accepted", project=project.id,
                 organization=member.organization_id)
    db.session.commit()
    return member


def add_subcontractor(p: Principal, project_id: int, uscc: object) -> ProjectMember:
    """Invite a labor subcontractor (an approved employer on the platform, by its USCC); its
    workers count on the project once it accepts (:func:`accept`).

    :raises ValidationFailed: no such approved employer (field ``uscc``), or already on it.
    """
    project = managed(p, project_id)
    text = uscc.strip().upper() if isinstance(uscc, str) else ""
    org = db.session.scalar(select(Organization).where(Organization.uscc == text,
                                                       Organization.status == "approved"))
    if org is None or org.id == project.contractor_id:
        raise ValidationFailed(INVALID, fields={"uscc": Msg(NO_SUCH_EMPLOYER, uscc=text[:18])})
    if db.session.scalar(select(ProjectMember).where(ProjectMember.project_id == project.id,
                                                     ProjectMember.organization_id == org.id)):
        raise Conflict(ALREADY_MEMBER, code="already_member")
    member = ProjectMember(project_id=project.id, organization_id=org.id)
    db.session.add(member)
    audit.record(None, p.actor, "project.subcontractor_added", project=project.id,
                 organization=org.id)
    db.session.commit()
    return member


ROSTER_STATUSES = ("signed", "filed", "terminated")


def on_project(project: Project):
    """A filter on contracts: linked to the project, or (not linked to any) naming it by the
    construction simple template's ``project_name``."""
    from app.models import Contract

    return or_(Contract.project_id == project.id, and_(
        Contract.project_id.is_(None),
        Contract.terms["project_name"].as_string() == project.name))


def roster(p: Principal, project: Project) -> list[dict]:
    """The project's real-name roster (实名制花名册): every signed labor contract of the
    contractor or a subcontractor on the project (:func:`on_project`) — who, for which employer and
    team, since when, and who has left (a subcontractor sees its own workers only)."""
    from app.models import Contract

    employers = [project.contractor_id, *accepted_members(project)]
    if p.is_employer and not is_contractor(p, project):
        employers = [p.organization_id] if p.organization_id in employers else []
    names = dict(db.session.execute(select(Organization.id, Organization.name).where(
        Organization.id.in_(employers))).all())
    found = db.session.scalars(select(Contract).where(
        Contract.organization_id.in_(employers), Contract.document_kind == "contract",
        Contract.status.in_(ROSTER_STATUSES),
        on_project(project)).order_by(
        Contract.organization_id, Contract.worker_name, Contract.id))
    return [{"worker_name": c.worker_name, "id_masked": c.worker.id_masked,
             "employer": names.get(c.organization_id, ""),
             "team": c.project_team or c.terms.get("team") or "",
             "post": c.terms.get("post") or "", "since": c.terms.get("term_start"),
             "left_on": c.ended_on.isoformat() if c.ended_on else None,
             "contract_no": c.contract_no} for c in found]
