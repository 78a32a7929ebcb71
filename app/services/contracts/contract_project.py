"""Which construction project a labor contract puts its worker on (any template).

An employer links a contract (or a whole batch) to a project it takes part in — as the
general contractor, or as a subcontractor the contractor invited (its workers count on the
project once it has accepted) — and names the team (班组). A construction simple contract that
names its project by ``project_name`` only is linked to the project of that name the employer
runs or has accepted; two such projects of one name must be chosen between. Another
employer's project looks like no project at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import or_, select

from app.domain import typed
from app.domain.typed import Msg
from app.extensions import db
from app.models import Project, ProjectMember
from app.services.platform.principal import Principal

LABEL_TEAM = "班组"
NOT_JOINABLE = "请选择本单位参与的工程项目"
NAME_DIFFERS = "工程项目名称应与所选项目“%(name)s”一致"
SAME_NAME = "本单位有多个名为“%(name)s”的工程项目，请选择其中一个"
TEAM_WITHOUT_PROJECT = "请先选择工程项目，再填写班组"
TEAM_DIFFERS = "班组应与合同条款中的班组“%(team)s”一致"
ID_RE = re.compile(r"^[0-9]{1,10}$", re.ASCII)
MAX_ID = 2147483647


@dataclass(frozen=True)
class Link:
    """The project (``None``: none) and team a contract or batch names."""

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


def _taken_part(p: Principal, project: Project) -> bool:
    """The contractor, or a subcontractor that accepted (not one only invited)."""
    return project.contractor_id == p.organization_id or any(
        m.organization_id == p.organization_id and m.accepted_at is not None
        for m in project.members)


def _project_id(value: object) -> int | None:
    """A project id given as a JSON integer or ASCII digits (``None``: not one)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and ID_RE.match(value.strip()):
        value = int(value.strip())
    return value if isinstance(value, int) and 1 <= value <= MAX_ID else None


def _chosen(choices: list[Project], value: object) -> tuple[Project | None, Msg | None]:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    number = _project_id(value)
    project = next((x for x in choices if x.id == number), None)
    return project, None if project else Msg(NOT_JOINABLE)


def _text(raw: dict, name: str) -> str:
    value = raw.get(name)
    return value.strip() if isinstance(value, str) else ""


def resolve(p: Principal, raw: object, fields: set[str], *, team: object = None,
            project: Project | None = None, choices: list[Project] | None = None
            ) -> tuple[object, Link, dict[str, Msg]]:
    """The project and team of a contract typed as ``raw``, with ``raw`` completed.

    The project: ``project`` if given (a batch's, checked already), else ``raw``'s
    ``project_id``, else the one its ``project_name`` names; the team: ``raw``'s
    ``project_team``, else the ``team`` term, else ``team`` (a batch's). An empty
    ``project_name``/``team`` term is filled from them.

    :param fields: the template version's field names (which of the two terms it has).
    :param choices: :func:`joinable` of ``p``, when already loaded (a batch's rows).
    :returns: ``(raw completed, link, a message per bad field)``; nothing is written.
    """
    if not isinstance(raw, dict):
        return raw, NO_LINK, {}
    errors: dict[str, Msg] = {}
    choices = joinable(p) if choices is None else choices
    own_team, problem = typed.text(raw.get("project_team"), limit=100)
    if problem:
        errors["project_team"] = Msg(problem, label=Msg(LABEL_TEAM), limit=100)
    if project is None:
        project, problem = _chosen(choices, raw.get("project_id"))
        if problem:
            errors["project_id"] = problem
    named, term_team = _text(raw, "project_name"), _text(raw, "team")
    if project is None and named and "project_id" not in errors:
        found = [x for x in choices if x.name == named and _taken_part(p, x)]
        if len(found) > 1:
            errors["project_name"] = Msg(SAME_NAME, name=named)
        project = found[0] if len(found) == 1 else None
    chosen_team = own_team or term_team or (team if isinstance(team, str) else "")
    if project is None:
        if own_team and not errors:
            errors["project_team"] = Msg(TEAM_WITHOUT_PROJECT)
        return raw, NO_LINK, errors
    if named and named != project.name:
        errors["project_name"] = Msg(NAME_DIFFERS, name=project.name)
    if own_team and term_team and own_team != term_team:
        errors["project_team"] = Msg(TEAM_DIFFERS, team=term_team)
    filled = {"project_name": named or project.name, "team": term_team or chosen_team}
    raw = {**raw, **{k: v for k, v in filled.items() if k in fields and v}}
    return raw, Link(project, chosen_team or None), errors


def apply(contract, link: Link) -> None:
    """Put the contract on the link's project and team (none: off every project)."""
    contract.project_id = link.project.id if link.project else None
    contract.project_team = link.team if link.project else None
