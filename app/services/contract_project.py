"""Which construction project a labor contract puts its worker on (any template).

An employer links a contract (or a whole batch) to a project it takes part in — as the
general contractor, or as a subcontractor the contractor invited (its workers count on the
project once it has accepted) — and names the team (班组). A construction simple contract that
names its project by ``project_name`` is linked to the employer's project of that name when
there is exactly one. Another employer's project looks like no project at all.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select

from app.domain import typed
from app.domain.typed import Msg
from app.extensions import db
from app.models import Contract, Project, ProjectMember
from app.services.principal import Principal

LABEL_PROJECT = "工程项目"
LABEL_TEAM = "班组"
NOT_JOINABLE = "请选择本单位参与的工程项目"
NAME_DIFFERS = "工程项目名称应与所选项目“%(name)s”一致"


@dataclass(frozen=True)
class Link:
    """The project (``None``: none chosen) and team a contract or batch names."""

    project: Project | None = None
    team: str | None = None


NO_LINK = Link()


def joinable(p: Principal) -> list[Project]:
    """The projects ``p``'s organization may put workers on, by name."""
    if not p.is_employer:
        return []
    member = select(ProjectMember.project_id).where(
        ProjectMember.organization_id == p.organization_id)
    return list(db.session.scalars(select(Project).where(or_(
        Project.contractor_id == p.organization_id, Project.id.in_(member))).order_by(
        Project.name, Project.id)))


def read(p: Principal, raw: object) -> tuple[Link, dict[str, Msg]]:
    """The ``project_id`` and ``project_team`` typed in ``raw`` (both optional): the link,
    and a message per bad field (what was typed is kept by the caller's form)."""
    if not isinstance(raw, dict):
        return Link(), {}
    errors: dict[str, Msg] = {}
    team, problem = typed.text(raw.get("project_team"), limit=100)
    if problem:
        errors["project_team"] = Msg(problem, label=Msg(LABEL_TEAM), limit=100)
    value = raw.get("project_id")
    if value is None or (isinstance(value, str) and not value.strip()):
        return Link(None, team or None), errors
    number, problem = typed.integer(value)
    project = next((x for x in joinable(p) if x.id == number), None) if not problem else None
    if project is None:
        errors["project_id"] = Msg(problem or NOT_JOINABLE, label=Msg(LABEL_PROJECT))
    return Link(project, team or None), errors


def prefill(link: Link, raw: dict) -> dict:
    """``raw`` with the chosen project's name in an empty ``project_name`` (the construction
    simple template's term), and its team in an empty ``team``."""
    if link.project is None:
        return raw
    raw = dict(raw)
    if raw.get("project_name") in (None, ""):
        raw["project_name"] = link.project.name
    if link.team and raw.get("team") in (None, ""):
        raw["team"] = link.team
    return raw


def mismatch(link: Link, terms: dict) -> dict[str, Msg]:
    """A message on ``project_name`` when the terms name another project than the chosen
    one (the contract text would say one project and the record another)."""
    named = terms.get("project_name")
    if link.project is not None and named and named != link.project.name:
        return {"project_name": Msg(NAME_DIFFERS, name=link.project.name)}
    return {}


def apply(p: Principal, contract: Contract, link: Link) -> None:
    """Put the contract on the chosen project, or on the one its ``project_name`` names
    (exactly one of the employer's projects by that name); the team from the link or the
    ``team`` term."""
    project = link.project
    named = contract.terms.get("project_name")
    if project is None and named:
        found = [x for x in joinable(p) if x.name == named]
        project = found[0] if len(found) == 1 else None
    contract.project_id = project.id if project else None
    contract.project_team = (link.team or contract.terms.get("team") or None) if project \
        else None
