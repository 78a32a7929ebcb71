"""The template filters that turn internal values into what people read, one set for every
page: Beijing times (storage stays UTC), names instead of actor ids, words instead of audit
actions, risk grades, rule ids and missing end dates.

=================  ==========================================================================
``|beijing``       a UTC datetime (or ISO string) in Beijing time, to the second
``|bj_minute``     the same to the minute (acknowledgements, uploads)
``|bj_date``       its Beijing calendar date (a ``date`` stays as it is)
``|actor_name``    ``user:1`` -> the user's name, ``api:7`` -> the key's name, ``worker:12``
                   -> the worker (``|actor_name(contract)``: their name on that contract)
``|audit_action``  ``rules.acknowledged`` -> 确认劳动法提示 (unknown: a generic word)
``|risk_grade``    ``red`` -> 高风险（红）
``|rule_title``    ``LCL82.written_within_month`` -> the rule's title
``|term_end``      a contract's last day, or in words what ends it (never 无固定期限 for a
                   part-time contract)
=================  ==========================================================================

``|clause_condition(version)``: when an alternative clause of a template version is printed
(（填写了合同终止日期时）); empty for a clause always printed.
"""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask
from flask_babel import gettext

from app.domain import labels
from app.domain.beijing import in_beijing
from app.domain.rules import with_law_fields
from app.domain.templates import condition
from app.domain.typed import Msg
from app.errors import translate
from app.services.platform import actors


def _moment(value) -> datetime | None:
    if not value:
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    return in_beijing(value) if isinstance(value, datetime) else None


def beijing(value) -> str:
    """``value`` in Beijing time to the second, with the words 北京时间; — when empty."""
    moment = _moment(value)
    if moment is None:
        return "—"
    return moment.strftime("%Y-%m-%d %H:%M:%S") + " " + gettext("北京时间")


def bj_minute(value) -> str:
    """``value`` in Beijing time to the minute, with the words 北京时间; — when empty."""
    moment = _moment(value)
    if moment is None:
        return "—"
    return moment.strftime("%Y-%m-%d %H:%M") + " " + gettext("北京时间")


def bj_date(value) -> str:
    """The Beijing date of a datetime (a ``date`` as it is), ``YYYY-MM-DD``; — when empty."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()
    moment = _moment(value)
    return moment.date().isoformat() if moment is not None else "—"


def actor_name(actor: str | None, contract=None) -> str:
    """Who acted, in words (``contract``: the contract shown, which names its worker)."""
    worker_name = None
    if contract is not None and actor == f"worker:{contract.worker_id}":
        worker_name = contract.worker_name
    found = actors.describe(actor, worker_name)
    return translate(found) if isinstance(found, Msg) else found


def audit_action(action: str | None) -> str:
    """What an audit-trail entry records, in words."""
    return gettext(labels.action_label(action or ""))


def risk_grade(grade: str | None) -> str:
    """A risk grade in words."""
    return gettext(labels.grade_label(grade or ""))


def rule_title(rule_id: str | None) -> str:
    """A labor-law rule's title in words."""
    return gettext(labels.rule_title(rule_id or ""))


def term_end(contract) -> str:
    """The contract's last day, or what ends a term that has no end date."""
    terms = contract.terms or {}
    if terms.get("term_end"):
        return str(terms["term_end"])
    return gettext(labels.open_end(contract.template, terms), task=terms.get("task_name", ""))


def clause_condition(clause: dict, version) -> str:
    """When ``clause`` of the template ``version`` is printed, in words ("" when always)."""
    words = condition(clause, with_law_fields(version.template.kind, version.fields))
    return translate(words) if words is not None else ""


FILTERS = {f.__name__: f for f in (beijing, bj_minute, bj_date, actor_name, audit_action,
                                   risk_grade, rule_title, term_end, clause_condition)}


def init_app(app: Flask) -> None:
    """Register every filter of :data:`FILTERS` on ``app``'s Jinja environment."""
    app.jinja_env.filters.update(FILTERS)
