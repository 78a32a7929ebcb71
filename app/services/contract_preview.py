"""The employer's live preview of a contract being typed: the filled clause text and the
draft PDF, from what the form holds. Nothing is written to the database or the store.

The template is found as for a new contract, but strictly: a template id the employer may
not use (another employer's copy) is :class:`~app.errors.NotFound`, as on its pages.
"""

from __future__ import annotations

from types import SimpleNamespace

from app.domain.templates import fill, validate_fields
from app.errors import Forbidden
from app.extensions import db
from app.models import Organization, TemplateVersion
from app.services import contracts, pki, template_text, templates
from app.services.principal import Principal

PREVIEW_NO = "（预览）"


def version(p: Principal, choice: object) -> TemplateVersion:
    """The newest version of the template ``choice`` names (an id or a kind).

    :raises NotFound: an id ``p`` may not use. :raises ValidationFailed: an unknown kind.
    """
    if isinstance(choice, str) and choice.strip().isdigit():
        templates.get(p, int(choice))
    return templates.version_for(p, choice)


def _employer(p: Principal) -> Organization:
    if not p.is_employer:
        raise Forbidden("只有用人单位可以办理合同", code="not_employer")
    return db.session.get(Organization, p.organization_id)


def clause_text(p: Principal, raw: dict) -> tuple[TemplateVersion, list, dict]:
    """The clauses of the chosen template filled with the fields typed well so far.

    :returns: ``(version, [(heading, paragraphs)], errors)``; fields in error (or empty) are
        left blank in the text and named in ``errors`` (field name to :class:`Msg`).
    """
    _employer(p)
    chosen = version(p, raw.get("template"))
    clean, errors = validate_fields(chosen.fields, raw)
    shown = {k: ("" if k in errors else v) for k, v in clean.items()}
    return chosen, fill(chosen.spec, shown), errors


def draft_pdf(p: Principal, raw: dict) -> bytes:
    """The draft PDF of what was typed, rendered and not stored.

    :raises ValidationFailed: a message per bad field (the same checks as creating).
    :raises NotFound: another employer's template copy.
    """
    org = _employer(p)
    chosen = version(p, raw.get("template"))
    clean = contracts._checked(org, raw, chosen)
    id_number, phone = clean.pop("worker_id_number"), clean.pop("worker_phone")
    name = clean.pop("worker_name")
    draft = SimpleNamespace(terms=clean, template=chosen.template.kind,
                            template_version_row=chosen, worker_name=name)
    base = dict(contract_no=PREVIEW_NO, employer_name=org.name, employer_uscc=org.uscc,
                employer_address=org.address, employer_legal_rep=org.legal_rep,
                worker_name=name, worker_id_number=id_number, worker_phone=phone,
                other_terms=contracts._other_terms(clean))
    return pki.render(template_text.pdf_terms(draft, base))
