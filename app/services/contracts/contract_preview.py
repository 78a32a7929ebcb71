"""The employer's live preview of a contract being typed: the filled clause text and the
draft PDF, from what the form holds. Nothing is written to the database or the store.

The template is found as for a new contract, but strictly: a template id the employer may
not use (another employer's copy) is :class:`~app.errors.NotFound`, as on its pages.
"""

from __future__ import annotations

from types import SimpleNamespace

from app.domain.templates import fill, validate_fields
from app.errors import Forbidden, ValidationFailed
from app.extensions import db
from app.models import Organization, TemplateVersion
from app.services.contracts import contract_project, contracts, rules
from app.services.platform import pki
from app.services.platform.principal import Principal
from app.services.templates import template_text, templates
from signing import ContractTerms
from signing.contract_text import clauses

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


def clause_text(p: Principal, raw: dict) -> tuple[TemplateVersion, list, dict, list]:
    """The clauses of the chosen template filled with the fields typed well so far, and what
    labor law says about those fields (the same rule engine as creating and sending).

    Once every field is typed well the clauses are the PDF's own words (the fixed-term
    standard text, for one, adds its probation and non-compete paragraphs by what was typed);
    until then the template's clause texts, with the fields in error left blank. The rules
    judge the fields typed well so far, so a wage under the minimum shows while HR types.

    :returns: ``(version, [(heading, paragraphs)], errors, findings)``; errors map field
        names to :class:`Msg` (typing); findings are the rule engine's
        :class:`~app.domain.rules.Finding` (errors first, then warnings).
    """
    org = _employer(p)
    chosen = version(p, raw.get("template"))
    raw = _with_project(p, raw, chosen)
    clean, errors = validate_fields(chosen.fields, raw)
    typed, typing_errors = contracts.typed_terms(chosen, raw)
    errors = {**typing_errors, **errors}
    findings = [f for f in _findings(org, chosen, typed, errors) if f.field not in errors]
    if not errors:
        try:
            terms = _draft_terms(org, chosen, raw)
        except ValidationFailed as failed:  # a kind's own checks (part-time hours, probation)
            errors = dict(failed.fields or {})
        else:
            return chosen, [(c.heading, list(c.paragraphs))
                            for c in terms.clause_texts or clauses(terms)], {}, findings
    shown = {k: ("" if k in errors else v) for k, v in clean.items()}
    return chosen, fill(chosen.spec, shown), errors, findings


def english_text(p: Principal, raw: dict) -> list[tuple[str, list[str]]]:
    """The chosen template's clauses in English with the fields typed well so far, for HR
    reading in English (the contract itself is signed in Chinese; nothing stored)."""
    _employer(p)
    chosen = version(p, raw.get("template"))
    raw = _with_project(p, raw, chosen)
    clean, errors = validate_fields(chosen.fields, raw)
    shown = {k: ("" if k in errors else v) for k, v in clean.items()}
    return fill(chosen.spec, shown, english=True)


def _findings(org: Organization, chosen: TemplateVersion, typed: dict, errors: dict) -> list:
    """The rule engine's findings on the fields typed well (nothing stored); a field in
    ``errors`` (blank, mistyped) is judged once it is typed well."""
    typed_well = {k: "" if k in errors else v for k, v in typed.items()}
    id_number = typed_well.get("worker_id_number") or None
    return rules.findings(org, typed_well, id_number, kind=chosen.template.kind)


def _with_project(p: Principal, raw: dict, chosen: TemplateVersion) -> dict:
    """``raw`` with the chosen project's name and team filled in, as the contract will be."""
    return contract_project.resolve(p, raw, {f["name"] for f in chosen.fields})[0]


def _draft_terms(org: Organization, chosen: TemplateVersion, raw: dict) -> ContractTerms:
    clean = contracts._checked(org, raw, chosen)
    id_number, phone = clean.pop("worker_id_number"), clean.pop("worker_phone")
    name = clean.pop("worker_name")
    draft = SimpleNamespace(terms=clean, template=chosen.template.kind,
                            template_version_row=chosen, worker_name=name)
    base = dict(contract_no=PREVIEW_NO, employer_name=org.name, employer_uscc=org.uscc,
                employer_address=org.address, employer_legal_rep=org.legal_rep,
                worker_name=name, worker_id_number=id_number, worker_phone=phone,
                other_terms=contracts._other_terms(clean))
    return template_text.pdf_terms(draft, base)


def draft_pdf(p: Principal, raw: dict) -> bytes:
    """The draft PDF of what was typed, rendered and not stored.

    :raises ValidationFailed: a message per bad field (the same checks as creating).
    :raises NotFound: another employer's template copy.
    """
    org = _employer(p)
    chosen = version(p, raw.get("template"))
    return pki.render(_draft_terms(org, chosen, _with_project(p, raw, chosen)))
