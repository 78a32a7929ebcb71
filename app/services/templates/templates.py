"""Contract templates: which ones a principal may use, and the version a new contract takes.

Standard templates (no organization) are open to every employer; an employer's copy only to
that employer (another employer gets 404, as for its contracts).
"""

from __future__ import annotations

from sqlalchemy import or_, select

from app.domain.templates import STANDARD_V1
from app.errors import NotFound, ValidationFailed
from app.extensions import db
from app.models import Template, TemplateVersion
from app.models.base import utcnow
from app.services.platform.principal import Principal

UNKNOWN_TEMPLATE = "没有这个合同模板"


def _visible(p: Principal):
    """A filter on :class:`Template`: the standard ones, plus ``p``'s employer's copies."""
    if p.is_platform_admin:
        return Template.organization_id.is_(None)
    if p.is_employer and p.organization_id:
        return or_(Template.organization_id.is_(None),
                   Template.organization_id == p.organization_id)
    return Template.organization_id.is_(None)


def usable(p: Principal) -> list[Template]:
    """The templates ``p`` may make contracts from (standard first, then own copies)."""
    return list(db.session.scalars(select(Template).where(_visible(p)).order_by(
        Template.organization_id.is_not(None), Template.id)))


def get(p: Principal, template_id: int) -> Template:
    """One template ``p`` may use. :raises NotFound: none, or another employer's copy."""
    template = db.session.scalar(select(Template).where(Template.id == template_id,
                                                        _visible(p)))
    if template is None:
        raise NotFound(UNKNOWN_TEMPLATE, code="template_not_found")
    return template


def version_for(p: Principal, choice: object) -> TemplateVersion:
    """The newest published version of the template ``choice`` names: a kind
    (``"part_time"``: the standard template of that kind) or a template id ``p`` may use.

    :raises ValidationFailed: the ``template`` field names no template ``p`` may use.
    """
    template = None
    if choice in (None, ""):
        choice = "fixed_term"
    if isinstance(choice, str) and not (choice.isascii() and choice.isdigit()):
        template = db.session.scalar(select(Template).where(
            Template.kind == choice, Template.organization_id.is_(None)).order_by(Template.id))
    elif isinstance(choice, int | str) and not isinstance(choice, bool) \
            and 0 < int(choice) <= 2**31 - 1:
        template = db.session.scalar(select(Template).where(Template.id == int(choice),
                                                            _visible(p)))
    version = template.newest if template is not None else None
    if version is None:
        raise ValidationFailed("合同信息有误，请检查标出的字段",
                               fields={"template": UNKNOWN_TEMPLATE})
    return version


def publish_version(p: Principal, template: Template, fields: list, clauses: list
                    ) -> TemplateVersion:
    """Append the next version of ``template`` (published now by ``p``), record it in the
    audit trail and commit; the versions before stay as they were."""
    from app.services.platform import audit

    version = TemplateVersion(number=template.newest.number + 1, fields=fields, clauses=clauses,
                              published_at=utcnow(), published_by_id=p.user_id)
    template.versions.append(version)
    db.session.flush()
    audit.record(None, p.actor, "template.version_published", template_id=template.id,
                 number=version.number)
    db.session.commit()
    return version


def seed() -> None:
    """Insert the standard templates, version 1 (the tests' wiped databases; the migration
    seeds real ones from its frozen copy of the same data)."""
    now = utcnow()
    for data in STANDARD_V1:
        template = Template(kind=data["kind"], title=data["title"], title_en=data["title_en"],
                            created_at=now)
        template.versions.append(TemplateVersion(number=1, fields=data["fields"],
                                                 clauses=data["clauses"], published_at=now))
        db.session.add(template)
    db.session.commit()
