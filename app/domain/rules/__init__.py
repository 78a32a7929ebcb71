"""The labor-law rule engine: one registry of data-driven rules, pure (no database).

Each :class:`Rule` has an id (``LCL19.probation_by_term``: law and article, then what it
checks), a severity (``error`` blocks sending, ``warning`` needs an acknowledgement), the
article it enforces and a Chinese message with named placeholders (English through the
translations catalog). :func:`evaluate` checks :class:`Facts` — the typed terms plus what
the service reads from the database (the pair's other contracts, the minimum wage in force)
— and returns :class:`Finding` objects attached to form fields where there is one.

Law abbreviations in ids: LCL 劳动合同法, LL 劳动法, PLATFORM the platform's own rule.
"""

from app.domain.rules import contract, employment, pay  # noqa: F401  (registers the rules)
from app.domain.rules.base import (
    ACTIVE_STATUSES,
    CONCLUDED_STATUSES,
    KINDS,
    RULES,
    Facts,
    Finding,
    MinimumWage,
    PartTime,
    PriorContract,
    Rule,
    age_on,
    evaluate,
    term_at_least,
    term_end,
)
from app.domain.rules.contract import CLAUSES, max_probation_months
from app.domain.rules.employment import double_pay_exposure, double_pay_period
from app.domain.rules.law_fields import LAW_FIELD_SPECS, typed_law_fields, with_law_fields
from app.domain.rules.pay import daily_minimum

__all__ = [
    "ACTIVE_STATUSES",
    "CLAUSES",
    "CONCLUDED_STATUSES",
    "KINDS",
    "LAW_FIELD_SPECS",
    "RULES",
    "Facts",
    "Finding",
    "MinimumWage",
    "PartTime",
    "PriorContract",
    "Rule",
    "age_on",
    "daily_minimum",
    "double_pay_exposure",
    "double_pay_period",
    "evaluate",
    "max_probation_months",
    "term_at_least",
    "term_end",
    "typed_law_fields",
    "with_law_fields",
]
