"""Employer API: the construction projects the key's employer takes part in (as general
contractor or subcontractor), to name one in a contract or a batch (``project_id``)."""

from flask import g
from pydantic import BaseModel, Field

from app.api.blueprint import employer_bp as bp
from app.api.schemas import ErrorOut
from app.api.spec import API_KEY, operation
from app.services.contracts import contract_project
from app.services.projects import projects

TAGS = ["projects"]


class ProjectOut(BaseModel):
    """A project the employer may put workers on."""

    id: int
    name: str
    region_code: str
    role: str = Field(description="contractor 总包；subcontractor 分包")
    accepted: bool = Field(description="分包单位已确认加入（确认前其合同不计入花名册和工资核对）")


class ProjectsOut(BaseModel):
    """The employer's projects, by name."""

    projects: list[ProjectOut]


@bp.get("/projects")
@operation(security=API_KEY, tags=TAGS, answers={200: (ProjectsOut, "本单位参与的工程项目"),
                                                 401: (ErrorOut, "缺少或无效的 API 密钥")})
def list_projects():
    """本单位参与的工程项目

    The projects the employer takes part in: as general contractor, or as a subcontractor
    the contractor invited. Name one with ``project_id`` when creating a contract or a batch:
    the workers join its real-name roster and its wage reconciliation.
    """
    p = g.principal
    out = []
    for project in contract_project.joinable(p):
        member = next((m for m in project.members if m.organization_id == p.organization_id),
                      None)
        out.append({"id": project.id, "name": project.name, "region_code": project.region_code,
                    "role": "contractor" if projects.is_contractor(p, project)
                    else "subcontractor",
                    "accepted": member is None or member.accepted_at is not None})
    return {"projects": out}
