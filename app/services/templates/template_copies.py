"""Employer copies of standard templates with their own clauses; each edit a new version.

Only the employer's admin and HR (and its API key) act on its copies; another employer's
copy looks missing (404). Old versions stay: contracts keep pointing at the one they used.
"""

from __future__ import annotations

from app.domain.rules import with_law_fields
from app.domain.templates import field_names, unknown_placeholders
from app.domain.typed import Msg, text
from app.errors import Forbidden, NotFound, ValidationFailed
from app.extensions import db
from app.models import Template, TemplateVersion
from app.models.base import utcnow
from app.services.platform import audit
from app.services.platform.principal import Principal
from app.services.templates import templates

INVALID = "条款有误，请检查标出的字段"
UNKNOWN_FIELD = "条款引用了模板中没有的字段：%(names)s"
HEADING_LIMIT, TEXT_LIMIT, MAX_OWN = 40, 2000, 20


def _employer(p: Principal) -> None:
    if not p.is_employer:
        raise Forbidden("只有用人单位可以办理合同", code="not_employer")


def _own_clauses(fields: list[dict], raw: object) -> list[dict]:
    """The employer's clauses typed-checked: a list of ``{"heading", "text"}``; placeholders
    only of ``fields`` (the template's, with the law's fields of its kind).
    :raises ValidationFailed: naming ``clauses.N.heading/text``."""
    if not isinstance(raw, list) or len(raw) > MAX_OWN:
        raise ValidationFailed(INVALID, fields={"clauses": Msg("最多%(limit)s条自有条款",
                                                               limit=MAX_OWN)})
    known, errors, out = field_names(fields), {}, []
    for i, item in enumerate(raw):
        item = item if isinstance(item, dict) else {}
        heading, h_problem = text(item.get("heading"), limit=HEADING_LIMIT)
        body, t_problem = text(item.get("text"), limit=TEXT_LIMIT, multiline=True)
        for name, value, problem, label, limit in (
                ("heading", heading, h_problem, "条款标题", HEADING_LIMIT),
                ("text", body, t_problem, "条款内容", TEXT_LIMIT)):
            key = f"clauses.{i}.{name}"
            if problem:
                errors[key] = Msg(problem, label=Msg(label), limit=limit)
            elif not value:
                errors[key] = Msg("请填写%(label)s", label=Msg(label))
        if body and not t_problem and (unknown := unknown_placeholders(body, known)):
            errors[f"clauses.{i}.text"] = Msg(UNKNOWN_FIELD, names="、".join(unknown))
        out.append({"heading": heading, "paragraphs": [body], "required": True, "own": True,
                    "heading_en": "", "paragraphs_en": []})
    if errors:
        raise ValidationFailed(INVALID, fields=errors)
    return out


def copy_template(p: Principal, template_id: int, clauses: object = ()) -> Template:
    """Copy a standard template for ``p``'s employer, with its own ``clauses`` added after
    the standard ones (version 1 of the copy). :raises NotFound: no such standard template.
    :raises ValidationFailed: a clause is wrong (nothing written)."""
    _employer(p)
    base = templates.get(p, template_id)
    if base.organization_id is not None:
        raise NotFound(templates.UNKNOWN_TEMPLATE, code="template_not_found")
    source = base.newest
    own = _own_clauses(with_law_fields(base.kind, source.fields), list(clauses))
    now = utcnow()
    copy = Template(kind=base.kind, title=base.title, title_en=base.title_en,
                    organization_id=p.organization_id, based_on=base, created_at=now)
    copy.versions.append(TemplateVersion(number=1, fields=source.fields,
                                         clauses=[*source.clauses, *own], published_at=now,
                                         published_by_id=p.user_id))
    db.session.add(copy)
    db.session.flush()
    audit.record(None, p.actor, "template.copied", template_id=copy.id, based_on=base.id)
    db.session.commit()
    return copy


def set_own_clauses(p: Principal, template_id: int, clauses: object) -> TemplateVersion:
    """Publish a new version of ``p``'s copy with ``clauses`` as its own clauses (the
    standard ones stay as copied). :raises NotFound: not the employer's copy."""
    _employer(p)
    copy = templates.get(p, template_id)
    if copy.organization_id != p.organization_id:
        raise NotFound(templates.UNKNOWN_TEMPLATE, code="template_not_found")
    newest = copy.newest
    standard = [c for c in newest.clauses if not c.get("own")]
    return templates.publish_version(p, copy, newest.fields,
                                     [*standard, *_own_clauses(
                                         with_law_fields(copy.kind, newest.fields), clauses)])
