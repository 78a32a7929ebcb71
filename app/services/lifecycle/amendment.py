"""Amendment (变更协议) of a labor contract in force (Labor Contract Law art. 35: in writing,
by agreement): which terms change, to what, from when.

A lifecycle document (:mod:`app.services.lifecycle.chain`): sealed when created, signed by the worker
through the texted link, filed by the usual job; once filed, the contract's terms in force
(:func:`app.services.lifecycle.chain.terms_in_force`) carry the new values. The changed terms are
checked by the same field validation and rule engine as a new contract (minimum wage of the
day the change takes effect, hours system, ...).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from app import pii
from app.domain.terms import validate_terms
from app.domain.typed import Msg
from app.errors import Conflict, ValidationFailed
from app.extensions import db
from app.models import Contract
from app.services.contracts import contracts
from app.services.contracts import rules as rule_engine
from app.services.lifecycle import chain
from app.services.platform import audit
from app.services.platform.principal import Principal
from app.services.templates import template_text
from signing import Clause
from signing.contract_text import cn_date, rmb

#: The terms an amendment may change where the contract's template has them: the parties, the
#: term, probation and the task are not amended (a new contract, a renewal or the law's).
AMENDABLE = ("post", "work_location", "team", "hours_system", "monthly_wage", "hourly_wage",
             "hours_per_day", "hours_per_week", "pay_cycle_days", "wage_form", "wage_amount",
             "pay_day", "wage_account", "other_terms")
INVALID = "变更内容有误，请检查标出的字段"
PAY_DAY = "每月%(day)s日"
ROW = "%(label)s：由“%(old)s”变更为“%(new)s”。"
ORIGINAL = "甲乙双方订立的劳动合同（编号%(no)s）。"
FROM = "上述变更自%(day)s起执行。"
NONE = "（无）"
PREAMBLE = "甲乙双方经协商一致，依据《中华人民共和国劳动合同法》第三十五条，对双方劳动合同作如下变更："


def changeable(contract: Contract) -> list[dict]:
    """The typed fields (name, type, label, choices) of ``contract``'s template that an
    amendment may change, in the template's order."""
    return [f for f in template_text.fields_of(contract) if f["name"] in AMENDABLE]


def _shown(field: dict, value) -> str:
    """A term's value as the amendment prints it (money in yuan, choices by their label)."""
    if value in (None, ""):
        return NONE
    if field["type"] == "money":
        return rmb(Decimal(str(value)))
    if field["type"] == "choice":
        return field["choices"].get(value, str(value))
    if field["name"] == "pay_day":
        return PAY_DAY % {"day": value}
    return str(value)


def _effective(contract: Contract, raw: dict, errors: dict) -> date | None:
    try:
        effective = date.fromisoformat(str(raw.get("effective_from") or ""))
    except ValueError:
        errors["effective_from"] = Msg("请填写变更生效日期（YYYY-MM-DD）")
        return None
    start, end = contract.terms["term_start"], contract.terms.get("term_end") or ""
    if effective.isoformat() < start:
        errors["effective_from"] = Msg("变更生效日期不能早于合同开始日期%(start)s", start=start)
    elif end and effective.isoformat() > end:
        errors["effective_from"] = Msg("变更生效日期不能晚于合同终止日期%(end)s", end=end)
    return effective


def _clean(contract: Contract, raw: dict) -> tuple[dict, date]:
    """The changes, checked against the contract by its own template's fields and the rule
    engine for its kind. :raises ValidationFailed: naming fields."""
    errors: dict[str, str] = {}
    changes = raw.get("changes")
    if not isinstance(changes, dict) or not changes:
        raise ValidationFailed(INVALID, fields={"changes": Msg("请至少填写一项变更内容")})
    allowed = {f["name"] for f in changeable(contract)}
    for name in changes:
        if name not in allowed:
            errors[name] = Msg("该项不能通过变更协议修改")
    current = chain.terms_in_force(contract)
    effective = _effective(contract, raw, errors)
    if errors:
        raise ValidationFailed(INVALID, fields=errors)
    id_number = pii.decrypt(contract.worker.id_number_enc)
    raw_terms = {**contracts.draft_values(contract), **{k: str(v) for k, v in current.items()
                                                       if not isinstance(v, bool)},
                 **changes, "worker_id_number": id_number,
                 "worker_phone": pii.decrypt(contract.worker_phone_enc)}
    kind = contract.template
    version = contract.template_version_row
    clean, errors = (contracts.typed_terms(version, raw_terms) if version is not None
                     else validate_terms(raw_terms))
    errors = {k: v for k, v in errors.items() if k in changes}
    if not errors:  # the law on the new values, as of the day they take effect
        check = {**clean, "term_start": effective.isoformat(), "probation_months": 0}
        wage = template_text.field_of(kind, "monthly_wage")
        for f in rule_engine.findings(contract.organization, check, id_number,
                                      exclude_id=contract.id, kind=kind):
            field = template_text.field_of(kind, f.field)
            if f.severity == "error" and (field in changes or field == wage):
                errors.setdefault(field, f.message)
    if errors:
        raise ValidationFailed(INVALID, fields=errors)
    new = {k: clean[k] for k in changes}
    unchanged = [k for k in new if str(new[k]) == str(current.get(k))]
    if len(unchanged) == len(new):
        raise ValidationFailed(INVALID, fields={k: Msg("与现行约定相同") for k in unchanged})
    return {k: v for k, v in new.items() if k not in unchanged}, effective


def amend(p: Principal, contract_id: int, raw: dict, *, ip: str | None = None,
          user_agent: str | None = None) -> tuple[Contract, str]:
    """Draw up, seal and send an amendment of a contract in force; one transaction.

    :param raw: ``changes`` (term name → new value, names from :func:`changeable`) and
        ``effective_from`` (ISO date within the contract's term).
    :returns: the amendment and its signing-link token (shown once).
    :raises NotFound: not the employer's contract. :raises Conflict: not in force.
    :raises ValidationFailed: naming each bad field; nothing is written.
    """
    contract = chain.own_contract(p, contract_id)
    if not isinstance(raw, dict):
        raise ValidationFailed("请求体必须是 JSON 对象", code="malformed_json")
    new, effective = _clean(contract, raw)
    current = chain.terms_in_force(contract)
    old = {k: current.get(k) for k in new}
    fields = {f["name"]: f for f in changeable(contract)}
    rows = tuple(ROW % {"label": fields[k]["label"], "old": _shown(fields[k], old[k]),
                        "new": _shown(fields[k], v)} for k, v in new.items())
    clauses = (
        Clause("原劳动合同", (ORIGINAL % {"no": contract.contract_no},)),
        Clause("变更内容", rows),
        Clause("生效日期", (FROM % {"day": cn_date(effective)},)),
        Clause("其他", ("原劳动合同其他条款不变，继续履行。本协议经甲方盖章、乙方签字后生效，"
                       "与原劳动合同具有同等效力，并一并存档。",)),
    )
    terms = {**current, **new, "effective_from": effective.isoformat(), "new_values": new,
             "old_values": old}
    doc = chain.new_document(p, contract, "amendment", terms, clauses, PREAMBLE)
    result = chain.seal_committed(doc)
    try:
        token = contracts._record_seal(doc, doc.current_document, result, p, ip=ip,
                                       user_agent=user_agent)
        db.session.refresh(contract)
        flag_modified(contract, "status")
        audit.record(contract.id, p.actor, "contract.amendment_sent", document=doc.contract_no,
                     fields=sorted(new), effective_from=effective.isoformat())
        db.session.commit()
    except (StaleDataError, IntegrityError):
        db.session.rollback()
        raise Conflict("合同刚刚被他人修改，请刷新页面", code="state_changed") from None
    return doc, token
