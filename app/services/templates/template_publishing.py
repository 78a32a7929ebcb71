"""Platform admins publish new versions of the standard templates (old versions stay; the
contracts made before keep, render and verify with theirs)."""

from __future__ import annotations

from app.domain.rules import with_law_fields
from app.domain.templates import field_names, unknown_placeholders
from app.domain.typed import Msg, text
from app.errors import Forbidden, NotFound, ValidationFailed
from app.extensions import db
from app.models import Template, TemplateVersion
from app.services.platform.principal import Principal
from app.services.templates import templates

INVALID = "条款有误，请检查标出的字段"
UNKNOWN_FIELD = "条款引用了模板中没有的字段：%(names)s"
PARAGRAPH_LIMIT = 2000


def standard(template_id: int) -> Template:
    """A standard template. :raises NotFound: none with that id."""
    template = db.session.get(Template, template_id)
    if template is None or template.organization_id is not None:
        raise NotFound("没有这个合同模板", code="template_not_found")
    return template


def publish(p: Principal, template_id: int, texts: dict[str, object]) -> TemplateVersion:
    """Publish a new version of a standard template with changed clause texts.

    :param texts: ``"clause.N"`` (0-based) to the clause's new Chinese text, paragraphs
        separated by blank lines; clauses not named keep their text.
    :raises Forbidden: not a platform admin. :raises ValidationFailed: a text not text, empty
        for a required clause, too long, or with a placeholder of no field (nothing written).
    """
    if not p.is_platform_admin:
        raise Forbidden("只有平台管理员可以发布标准模板", code="not_platform_admin")
    template = standard(template_id)
    newest = template.newest
    # the law's fields of the kind count too (the construction contract prints a piece rate's
    # usual output, which its versions' fields do not carry)
    known, errors, clauses = field_names(with_law_fields(template.kind, newest.fields)), {}, []
    for i, clause in enumerate(newest.clauses):
        key = f"clause.{i}"
        if key not in texts:
            clauses.append(clause)
            continue
        value, problem = text(texts[key], limit=PARAGRAPH_LIMIT, multiline=True)
        label = Msg("条款内容")
        if problem:
            errors[key] = Msg(problem, label=label, limit=PARAGRAPH_LIMIT)
        elif not value and clause.get("required", True):
            errors[key] = Msg("请填写%(label)s", label=label)
        elif unknown := unknown_placeholders(value, known):
            errors[key] = Msg(UNKNOWN_FIELD, names="、".join(unknown))
        paragraphs = [part.strip() for part in value.replace("\r\n", "\n").split("\n\n")
                      if part.strip()]
        changed = paragraphs != clause["paragraphs"]
        clauses.append({**clause, "paragraphs": paragraphs,
                        "paragraphs_en": [] if changed else clause.get("paragraphs_en", [])})
    if errors:
        raise ValidationFailed(INVALID, fields=errors)
    return templates.publish_version(p, template, newest.fields, clauses)
