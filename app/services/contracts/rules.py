"""The rule engine in the service layer: the facts from the database, the findings of a
contract, the acknowledgement of warnings (kept on the contract, recorded in its audit trail).

Errors block creating, saving and sending a contract. Warnings never block saving a draft
through the API (they come back with the contract); sending needs every current warning
acknowledged. An acknowledgement holds for one rule with the parameters it was given for: if
the figures change (a later date, another wage), the warning must be acknowledged again.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import select

from app import pii
from app.domain import rules
from app.domain.expiry import today_in_beijing
from app.domain.ids import birth_date
from app.domain.rules import Facts, Finding, PriorContract
from app.domain.rules.base import PartTime
from app.domain.typed import Msg
from app.errors import AppError, ValidationFailed, translate
from app.extensions import db
from app.models import Contract, Organization, Worker
from app.models.base import utcnow
from app.services.platform import audit
from app.services.platform.principal import Principal
from app.services.standards import minimum_wages
from app.services.templates import template_text

INVALID = "合同信息有误，请检查标出的字段"


class WarningsNotAcknowledged(AppError):
    """Warnings the user has not yet acknowledged (``findings``: all current warnings)."""

    status, code = 409, "warnings_not_acknowledged"

    def __init__(self, findings: list[Finding], pending: list[Finding]):
        super().__init__("请先确认以下提示（劳动法风险）后再继续",
                         fields=field_messages(pending))
        self.findings, self.pending = findings, pending

    def to_dict(self) -> dict:
        """The error body with the pending warnings under ``rules``."""
        return {**super().to_dict(), "rules": [finding_out(f) for f in self.pending]}


class RulesViolated(ValidationFailed):
    """Errors of the rule engine, named per field and listed with their rule ids."""

    def __init__(self, findings: list[Finding], code: str = ""):
        super().__init__(INVALID, fields=field_messages(findings), code=code)
        self.findings = findings

    def to_dict(self) -> dict:
        """The error body with the findings under ``rules``."""
        return {**super().to_dict(), "rules": [finding_out(f) for f in self.findings]}


def today() -> date:
    """Today's date in Beijing (the date the rules judge "one month ago" by, and the double-pay
    window's days are counted in): the clock is UTC, the law's days are Beijing's."""
    return today_in_beijing(utcnow())


def field_messages(findings: list[Finding]) -> dict[str, Msg]:
    """Field name -> the first finding's message; findings about no single field are keyed
    by their rule id."""
    fields: dict[str, Msg] = {}
    for f in findings:
        fields.setdefault(f.field or f.rule.id, f.message)
    return fields


def _day(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _money(value: object) -> Decimal | None:
    try:
        return Decimal(str(value)) if value not in (None, "") else None
    except InvalidOperation:
        return None


def prior_contracts(org_id: int, id_number: str, exclude_id: int | None) -> tuple:
    """The employer's other contracts with the person holding ``id_number``."""
    query = (select(Contract).join(Worker, Contract.worker_id == Worker.id)
             .where(Contract.organization_id == org_id, Contract.document_kind == "contract",
                    Worker.id_hash == pii.keyed_hash(id_number)).order_by(Contract.id))
    if exclude_id is not None:
        query = query.where(Contract.id != exclude_id)
    found = []
    for c in db.session.scalars(query):
        start = _day(c.terms.get("term_start"))
        if start is not None:
            found.append(PriorContract(
                contract_no=c.contract_no, kind=c.template, status=c.status, start=start,
                end=c.ended_on or _day(c.terms.get("term_end")),
                probation_months=int(c.terms.get("probation_months") or 0)))
    return tuple(found)


def facts(org: Organization, terms: dict, id_number: str | None, *, kind: str = "fixed_term",
          exclude_id: int | None = None) -> Facts:
    """The facts of a contract of ``org`` on ``terms`` (the clean terms, worker name
    included) for the person with ``id_number`` (``None``: not valid, so no birth date and
    no other contracts known), with the database's side of them."""
    start = _day(terms.get("term_start"))
    wage = minimum_wages.in_force(org.region_code, start) if start else None
    monthly = terms.get("monthly_wage") or (
        terms.get("wage_amount") if terms.get("wage_form") == "monthly" else None)
    clauses = {"employer_name": org.name, "employer_address": org.address,
               "employer_legal_rep": org.legal_rep, "worker_id_number": id_number,
               "term": terms.get("term_start"),
               "wage": monthly or terms.get("hourly_wage") or terms.get("wage_amount"),
               **{k: terms.get(k) for k in ("worker_name", "worker_address", "post",
                                            "work_location", "hours_system",
                                            "social_insurance", "labor_protection")}}
    if kind == "part_time":  # hours are agreed per day and week instead of a system
        clauses["hours_system"] = terms.get("hours_per_day")
    probation = int(terms.get("probation_months") or 0)
    return Facts(
        kind=kind, today=today(), start=start, end=_day(terms.get("term_end")),
        worker_birth_date=birth_date(id_number) if id_number else None,
        probation_months=probation,
        monthly_wage=_money(monthly), daily_wage=_money(terms.get("wage_amount"))
        if terms.get("wage_form") == "daily" else None,
        wage_form=terms.get("wage_form") or None, piece_rate=_money(terms.get("wage_amount"))
        if terms.get("wage_form") == "piece_rate" else None,
        usual_output=_money(terms.get("usual_output")),
        part_time=_part_time(terms) if kind == "part_time" else None,
        probation_wage=_money(terms.get("probation_wage")) if probation else None,
        clauses=clauses, non_compete_months=int(terms.get("non_compete_months") or 0),
        confidential_role=bool(terms.get("confidential_role")), minimum_wage=wage,
        prior=prior_contracts(org.id, id_number, exclude_id) if id_number else ())


def _part_time(terms: dict) -> PartTime:
    """The part-time facts of the clean terms (hours as decimal strings)."""
    days = terms.get("pay_cycle_days")
    return PartTime(hourly_wage=_money(terms.get("hourly_wage")),
                    hours_per_day=_money(terms.get("hours_per_day")),
                    hours_per_week=_money(terms.get("hours_per_week")),
                    pay_cycle_days=days if isinstance(days, int) and days else None)


def findings(org: Organization, terms: dict, id_number: str | None, *,
             exclude_id: int | None = None, kind: str = "fixed_term") -> list[Finding]:
    """Every finding of the rule engine on a contract of ``kind`` (errors first), each on the
    field of the kind's own form (a construction wage is ``wage_amount``, not
    ``monthly_wage``)."""
    found = rules.evaluate(facts(org, terms, id_number, kind=kind, exclude_id=exclude_id))
    return [replace(f, field=template_text.field_of(kind, f.field)) for f in found]


def check(org: Organization, terms: dict, id_number: str, *, exclude_id: int | None = None,
          error_code: str = "", kind: str = "fixed_term") -> list[Finding]:
    """The warnings on the contract. :raises RulesViolated: when any rule gives an error."""
    found = findings(org, terms, id_number, exclude_id=exclude_id, kind=kind)
    return _only_warnings(found, error_code)


def _only_warnings(found: list[Finding], error_code: str) -> list[Finding]:
    errors = [f for f in found if f.severity == "error"]
    if errors:
        raise RulesViolated(errors, code=error_code)
    return found


def _params(f: Finding) -> dict:
    return {k: {"msg": v.template} if isinstance(v, Msg) else str(v) for k, v in f.params.items()}


def stored(f: Finding) -> dict:
    """A finding as JSON keeps it: its rule id, field and parameters."""
    return {"rule": f.rule.id, "field": f.field, "params": _params(f)}


def pending(contract: Contract, findings: list[Finding],
            acknowledged: list[str] | tuple = ()) -> list[Finding]:
    """The warnings of ``findings`` neither acknowledged before (for the same parameters)
    nor in ``acknowledged``; writes nothing."""
    before = (contract.rule_results or {}).get("acknowledged", {})
    stored = {w["rule"]: w["params"] for w in (contract.rule_results or {}).get("warnings", [])}
    return [f for f in findings if f.rule.id not in acknowledged
            and not (f.rule.id in before and stored.get(f.rule.id) == _params(f))]


def acknowledge(p: Principal, contract: Contract, findings: list[Finding],
                acknowledged: list[str] | tuple = ()) -> list[Finding]:
    """Keep the current warnings on ``contract`` with the acknowledgements that still hold,
    add those of ``acknowledged`` (rule ids) and record the new ones in the audit trail.

    Part of the caller's transaction (the contract must have an id); returns the warnings
    still unacknowledged.
    """
    before = (contract.rule_results or {}).get("acknowledged", {})
    stored = {w["rule"]: w["params"] for w in (contract.rule_results or {}).get("warnings", [])}
    kept, new, pending = {}, [], []
    for f in findings:
        rid = f.rule.id
        if rid in before and stored.get(rid) == _params(f):
            kept[rid] = before[rid]
        elif rid in acknowledged:
            kept[rid] = {"by": p.actor, "at": utcnow().isoformat()}
            new.append(f)
        else:
            pending.append(f)
    contract.rule_results = {"warnings": [{"rule": f.rule.id, "field": f.field,
                                           "params": _params(f)} for f in findings],
                             "acknowledged": kept}
    if new:
        audit.record(contract.id, p.actor, "rules.acknowledged", by=p.actor,
                     rules=[{"rule": f.rule.id, "message": str(f.message)} for f in new])
    return pending


def stored_message(rule_id: str, params: dict) -> Msg:
    """The message of a warning kept as ``{rule, params}`` (see :func:`stored`)."""
    values = {k: Msg(v["msg"]) if isinstance(v, dict) else v for k, v in params.items()}
    return Msg(rules.RULES[rule_id].message, **values)


def finding_out(f: Finding, acknowledged: dict | None = None) -> dict:
    """A finding as the API and the pages show it (message in the reader's language)."""
    ack = acknowledged or {}
    return {"rule": f.rule.id, "severity": f.severity, "article": translate(f.rule.article),
            "field": f.field, "message": translate(f.message),
            "acknowledged_by": ack.get("by"), "acknowledged_at": ack.get("at")}


def warnings_of(contract: Contract) -> list[dict]:
    """The contract's stored warnings with who acknowledged each (``None``: not yet)."""
    results = contract.rule_results or {}
    acks = results.get("acknowledged", {})
    out = []
    for w in results.get("warnings", []):
        rule = rules.RULES.get(w["rule"])
        if rule is None:
            continue
        finding = Finding(rule, {}, w.get("field"))
        body = finding_out(finding, acks.get(w["rule"]))
        body["message"] = translate(stored_message(w["rule"], w["params"]))
        out.append(body)
    return out
