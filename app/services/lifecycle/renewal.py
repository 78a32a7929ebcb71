"""Renewal (续订) in one click: a new draft contract continuing an expiring one.

The draft copies the original's worker and terms; its term starts the day after the original
ends and lasts as long (:func:`app.domain.expiry.renewal_term`); it has no probation (art. 19:
one probation per employer–worker pair). HR reviews it in the edit form, then seals and sends
it through the usual flow. One live renewal per contract: a second click returns the first.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from app import pii
from app.domain.beijing import document_number
from app.domain.expiry import WINDOW_DAYS, is_expiring, renewal_term, today_in_beijing
from app.domain.terms import FIELD_LABELS
from app.errors import Conflict, Forbidden, ValidationFailed
from app.extensions import db
from app.models import Contract
from app.models.base import utcnow
from app.services.contracts import contracts, documents
from app.services.contracts import rules as rule_engine
from app.services.lifecycle import expiry
from app.services.platform import audit, counters, pki, scope
from app.services.platform.principal import Principal
from app.services.templates import templates

NOT_IN_FORCE = "只有已签署生效的合同可以续订"
OPEN_ENDED = "无固定期限劳动合同没有终止日期，无需续订"
NOT_EXPIRING = "合同到期前%(days)s天内才能续订"
INVALID = "原合同的条款按现行规则未通过校验（%(problems)s），请新建合同"


def renew_contract(p: Principal, contract_id: int, *, today: date | None = None
                   ) -> tuple[Contract, bool]:
    """Create (or find) the renewal draft of an expiring contract; one transaction.

    :param p: an employer user or API key; the contract must be its own.
    :param today: the Beijing date the window counts from (default: today).
    :returns: the renewal and whether this call created it (False: it existed already).
    :raises NotFound: not the employer's contract (nothing is created).
    :raises Conflict: not in force, open-ended, or not ending within the window.
    :raises ValidationFailed: the copied terms no longer pass the checks (e.g. minimum wage).
    """
    if not p.is_employer:
        raise Forbidden("只有用人单位可以办理合同", code="not_employer")
    original = scope.contract(p, contract_id)
    existing = expiry.renewals_of(p, [original.id]).get(original.id)
    if existing is not None:
        return existing, False
    start, end = _term(original)
    if not is_expiring(end, today or today_in_beijing()):
        raise Conflict(NOT_EXPIRING, code="not_expiring", days=WINDOW_DAYS)
    renewal = _draft(p, original, *renewal_term(start, end))
    flag_modified(original, "status")  # bump its version: a concurrent second click loses
    try:
        db.session.flush()
        audit.record(renewal.id, p.actor, "contract.created", contract_no=renewal.contract_no,
                     renewal_of=original.contract_no)
        audit.record(original.id, p.actor, "contract.renewal_drafted",
                     renewal=renewal.contract_no, term_start=renewal.terms["term_start"],
                     term_end=renewal.terms["term_end"])
        db.session.commit()
    except (StaleDataError, IntegrityError):
        db.session.rollback()
        existing = expiry.renewals_of(p, [contract_id]).get(contract_id)
        if existing is None:
            raise Conflict("合同刚刚被他人修改，请刷新页面", code="state_changed") from None
        return existing, False
    return renewal, True


def _term(original: Contract) -> tuple[date, date]:
    """The original's term. :raises Conflict: not in force, or open-ended."""
    if original.document_kind != "contract":
        raise Conflict(NOT_IN_FORCE, code="not_a_contract")
    if original.status not in expiry.IN_FORCE:
        raise Conflict(NOT_IN_FORCE, code="not_in_force")
    start, end = (original.terms.get(k) or "" for k in ("term_start", "term_end"))
    if not end:
        raise Conflict(OPEN_ENDED, code="open_ended")
    return date.fromisoformat(start), date.fromisoformat(end)


def _draft(p: Principal, original: Contract, start: date, end: date) -> Contract:
    """The renewal draft (terms checked, PDF rendered) in the session, not committed."""
    org = original.organization
    id_number = pii.decrypt(original.worker.id_number_enc)
    raw = {**contracts.draft_values(original), "worker_id_number": id_number,
           "worker_phone": pii.decrypt(original.worker_phone_enc),
           "term_start": start.isoformat(), "term_end": end.isoformat(),
           "probation_months": "0", "probation_wage": ""}
    # the newest version of the original's template: today's standard text
    version = original.template_version_row.template.newest if original.template_version_row \
        else templates.version_for(p, original.template)
    clean, errors = contracts.typed_terms(version, raw)
    if not errors:  # the law as it stands today (minimum wage, probation, overlap...)
        for f in rule_engine.findings(org, clean, id_number, kind=original.template):
            if f.severity == "error":
                errors.setdefault(f.field or f.rule.id, f.message)
    if errors:
        problems = "、".join(FIELD_LABELS.get(name, name) for name in sorted(errors))
        raise ValidationFailed(INVALID, fields=errors, problems=problems)
    for name in ("worker_name", "worker_id_number", "worker_phone"):
        clean.pop(name)
    seq = counters.next_value("contract_no")
    renewal = Contract(
        contract_no=document_number("HT", seq, utcnow()), organization=org,
        template=original.template, template_version=version.number,
        template_version_row=version, status="draft",
        created_by_id=p.user_id, renewal_of_id=original.id, worker=original.worker,
        worker_name=original.worker_name, worker_phone_enc=original.worker_phone_enc,
        worker_phone_masked=original.worker_phone_masked, terms=clean,
        project_id=original.project_id, project_team=original.project_team)
    db.session.add(renewal)
    documents.add_version(renewal, "draft", pki.render(contracts.terms_for_pdf(renewal, id_number)))
    return renewal
