"""What the worker reads on the phone before signing, in the page's language.

A labor contract of any kind is shown by its own template's typed fields (label and value,
money in yuan, choices by their label), so a part-time contract shows its hourly wage and
hours and a construction contract its project, team and wage form, followed by its clauses
exactly as its PDF prints them (the same words the worker signs: a construction contract's
end date, for one); its English reading text comes with it. An amendment or termination is
shown by its clauses exactly as its PDF prints them (stored with the document when it was
drawn up).
"""

from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext

from app.models import Contract
from app.services.contracts import contracts
from app.services.templates import template_text

#: Fields not shown among the terms: the worker's own data, already verified on the page.
PARTY_FIELDS = ("worker_name", "worker_id_number", "worker_phone", "worker_address")
UNITS = {"probation_months": "%(n)s 个月", "non_compete_months": "%(n)s 个月",
         "pay_day": "每月 %(n)s 日", "pay_cycle_days": "%(n)s 天",
         "hours_per_day": "%(n)s 小时", "hours_per_week": "%(n)s 小时"}


def title(contract: Contract) -> str:
    """The document's title as printed (the template's for a contract)."""
    version = contract.template_version_row
    stored = contract.terms.get("title")
    return stored or (version.template.title if version else
                      template_text.TITLES.get(contract.template, ""))


def shown(field: dict, value: object) -> str:
    """A typed value as the worker reads it (translated where it is a label)."""
    if field["type"] == "money":
        return gettext("%(amount)s 元", amount=f"{Decimal(str(value)):,.2f}")
    if field["type"] == "choice":
        return gettext(field["choices"].get(value, str(value)))
    if field["type"] == "yes_no":
        return gettext("是") if value else gettext("否")
    if field["name"] in UNITS:
        return gettext(UNITS[field["name"]], n=value)
    return str(value)


def facts(contract: Contract) -> list[dict]:
    """The main terms of a labor contract as ``{label, value}`` rows (empty for a document)."""
    if contract.document_kind != "contract":
        return []
    rows = [{"label": gettext("用人单位"), "value": contract.organization.name}]
    for field in template_text.fields_of(contract):
        value = contract.terms.get(field["name"])
        if field["name"] in PARTY_FIELDS or value in (None, "") or (
                field["type"] == "integer" and value == 0 and not field.get("required")):
            continue
        rows.append({"label": gettext(field["label"]), "value": shown(field, value)})
    return rows


def clauses(contract: Contract) -> list[dict]:
    """A document's clauses as its PDF prints them (``{heading, paragraphs}``): a labor
    contract's from its terms and template version (the ID number masked), any other
    document's as stored when it was drawn up."""
    if contract.document_kind != "contract":
        return [{"heading": h, "paragraphs": list(ps)}
                for h, ps in contract.terms.get("clauses", [])]
    terms = contracts.terms_for_pdf(contract, id_number=contract.worker.id_masked)
    return [{"heading": c.heading, "paragraphs": [p for p in c.paragraphs if p]}
            for c in template_text.printed(terms)]


def english(contract: Contract) -> list[dict]:
    """A labor contract's clauses in English for reading (personal data masked)."""
    if contract.document_kind != "contract":
        return []
    found = template_text.english(contract, contract.worker.id_masked,
                                  contract.worker_phone_masked)
    return [{"heading": h, "paragraphs": list(ps)} for h, ps in found]


def view(contract: Contract) -> dict:
    """Everything the reading step shows."""
    return {"title": title(contract), "facts": facts(contract), "clauses": clauses(contract),
            "clauses_en": english(contract)}
