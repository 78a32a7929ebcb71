"""A contract's words from its template version: the PDF's clauses (Chinese) and the
English reading text. The fixed-term standard template keeps the library's built-in text
(:func:`signing.contract_text.clauses`); every other version prints its own filled clauses."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from app.domain.templates import STANDARD_V1, fill
from app.domain.terms import HOURS_SYSTEMS
from app.models import Contract, TemplateVersion
from signing import ContractTerms
from signing.contract_text import Clause, clauses

TITLES = {"fixed_term": "劳动合同（固定期限）", "open_ended": "劳动合同（无固定期限）",
          "project_based": "劳动合同（以完成一定工作任务为期限）",
          "part_time": "非全日制用工劳动合同", "construction_simple": "建筑业简易劳动合同"}


def values(contract: Contract, id_number: str, phone: str) -> dict:
    """The typed values of ``contract`` as the clause texts name them."""
    return {**contract.terms, "worker_name": contract.worker_name,
            "worker_id_number": id_number, "worker_phone": phone}


def _money(value: object) -> Decimal:
    return Decimal(str(value)) if value not in (None, "") else Decimal("0")


def pdf_terms(contract: Contract, base: dict) -> ContractTerms:
    """The :class:`~signing.ContractTerms` of ``contract``; ``base`` holds the parties'
    fields (contract no., employer, worker) already decrypted."""
    t = contract.terms
    version: TemplateVersion | None = contract.template_version_row
    wage = t.get("monthly_wage") or t.get("wage_amount") or t.get("hourly_wage")
    terms = ContractTerms(
        **base, title=version.template.title if version else TITLES[contract.template],
        worker_address=t.get("worker_address") or "",
        term_start=date.fromisoformat(t["term_start"]),
        term_end=date.fromisoformat(t["term_end"]) if t.get("term_end") else None,
        probation_months=int(t.get("probation_months") or 0),
        probation_wage=_money(t.get("probation_wage") or wage),
        post=t.get("post") or "", work_location=t.get("work_location") or "",
        hours_system=HOURS_SYSTEMS.get(t.get("hours_system") or "", ""),
        monthly_wage=_money(wage), pay_day=int(t.get("pay_day") or 0),
        social_insurance=t.get("social_insurance") or "",
        labor_protection=t.get("labor_protection") or "",
    )
    if version is None or (contract.template == "fixed_term" and version.template.based_on_id
                           is None and version.number == 1):
        return terms
    copied_fixed_term = contract.template == "fixed_term" and version.template.based_on_id is not None
    spec = version.spec if not copied_fixed_term else {
        "fields": version.fields, "clauses": [c for c in version.clauses if c.get("own")]}
    filled = fill(spec, {**values(contract, base["worker_id_number"], base["worker_phone"]),
                         "other_terms": terms.other_terms})
    own = tuple(Clause(h, tuple(ps)) for h, ps in filled)
    if copied_fixed_term:  # the built-in fixed-term text, then the employer's own clauses
        own = (*clauses(terms), *own)
    return replace(terms, clause_texts=own, subject=terms.title)


def printed(terms: ContractTerms) -> tuple[Clause, ...]:
    """The numbered clauses the PDF of ``terms`` prints, in order (what the worker reads)."""
    return terms.clause_texts if terms.clause_texts is not None else tuple(clauses(terms))


def fields_of(contract: Contract) -> list[dict]:
    """The typed fields of ``contract``'s template version (the standard ones of its kind for
    a contract made before versions)."""
    version = contract.template_version_row
    if version is not None:
        return version.fields
    return next(t["fields"] for t in STANDARD_V1 if t["kind"] == contract.template)


def english(contract: Contract, id_number: str, phone: str) -> list[tuple[str, list[str]]]:
    """The contract's clauses in English, for reading (the signed PDF stays Chinese)."""
    version = contract.template_version_row
    if version is None:
        return []
    return fill(version.spec, values(contract, id_number, phone), english=True)


#: Where the rule engine's fixed-term field names live in the other kinds' forms.
RULE_FIELDS = {"part_time": {"monthly_wage": "hourly_wage", "hours_system": "hours_per_day"},
               "construction_simple": {"monthly_wage": "wage_amount"}}
#: Terms a kind has no field for but the law forbids there (probation: arts. 19, 70): given
#: anyway, they are kept for the rule engine to refuse with the field named.
FOREIGN = ("probation_months",)


def field_of(kind: str, field: str | None) -> str | None:
    """The form field of ``kind`` a rule finding on ``field`` belongs to."""
    return RULE_FIELDS.get(kind, {}).get(field, field) if field else field


def foreign_terms(version: TemplateVersion, raw: dict, errors: dict) -> dict:
    """:data:`FOREIGN` terms given in ``raw`` that ``version`` has no field for (typed)."""
    from app.domain import typed
    from app.domain.typed import Msg

    out = {}
    names = {f["name"] for f in version.fields}
    for name in FOREIGN:
        if name in names or raw.get(name) in (None, "", 0, "0"):
            continue
        number, problem = typed.integer(raw[name])
        if problem:
            errors[name] = Msg(problem, label=Msg("试用期"))
        else:
            out[name] = number
    return out
