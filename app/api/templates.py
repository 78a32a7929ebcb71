"""Employer API: the contract templates the key's employer may use (standard ones and its
own copies), with their typed fields, clauses and versions."""

from flask import g
from flask_babel import force_locale, gettext

from app.api.blueprint import employer_bp as bp
from app.api.schemas import ErrorOut
from app.api.spec import API_KEY, operation
from app.api.template_schemas import TemplateDetailOut, TemplatesOut
from app.models import Template, TemplateVersion
from app.services.templates import templates

TAGS = ["templates"]
TID = "/templates/<int(min=1, max=2147483647):template_id>"


def _version(v: TemplateVersion) -> dict:
    return {"id": v.id, "number": v.number,
            "published_at": v.published_at.isoformat() if v.published_at else None}


def _summary(t: Template) -> dict:
    return {"id": t.id, "kind": t.kind, "title": t.title, "title_en": t.title_en,
            "standard": t.organization_id is None, "based_on_id": t.based_on_id,
            "versions": [_version(v) for v in t.versions if v.published_at is not None]}


def _english(msgid: str) -> str:
    with force_locale("en"):
        return gettext(msgid)


@bp.get("/templates")
@operation(security=API_KEY, tags=TAGS, answers={200: (TemplatesOut, "可用的合同模板"),
                                                 401: (ErrorOut, "缺少或无效的 API 密钥")})
def list_templates():
    """可用的合同模板

    The platform's standard templates (one per kind) and the employer's own copies, each with
    its published versions. Create a contract from one with ``template`` (the kind or the id)
    in ``POST /api/v1/contracts``: the newest version is used.
    """
    return {"templates": [_summary(t) for t in templates.usable(g.principal)]}


@bp.get(TID)
@operation(security=API_KEY, tags=TAGS, answers={
    200: (TemplateDetailOut, "模板的字段、条款与版本"),
    401: (ErrorOut, "缺少或无效的 API 密钥"), 404: (ErrorOut, "模板不存在（或属于其他单位）")})
def get_template(template_id: int):
    """合同模板详情

    The newest published version's typed fields (type, required, choices, limits, label in
    Chinese and English) and clause texts (Chinese with ``%(field)s`` placeholders, and the
    English reading text).
    """
    template = templates.get(g.principal, template_id)
    version = template.newest
    fields = [{**f, "label_en": _english(f["label"])} for f in version.fields]
    return {**_summary(template), "version": _version(version), "fields": fields,
            "clauses": version.clauses}
