"""Reminders to workers who have not signed (催签短信).

Each employer sets on which days after sending a worker who has not signed is reminded
(default: day 2 and day 5; at most three; none switches them off). The run (``flask contracts
remind-unsigned``, by cron every hour) takes every contract or lifecycle document still
waiting for the worker (``sent``): signing, declining and voiding stop the reminders because
they end that state. A due reminder withdraws the worker's link and texts a new one (only
link hashes are stored, so a text can carry no older link), which also renews an expired
link; when several are due after an outage one text covers them. The reminder's row (unique
per contract and number), the link, the text's job and the audit event are one transaction,
so two runs at once text the worker once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from app.domain import typed
from app.domain.typed import Msg
from app.errors import Forbidden, ValidationFailed
from app.extensions import db
from app.models import Contract, Organization, SigningReminder
from app.models.base import utcnow
from app.services.contracts import invites
from app.services.lifecycle import lifecycle
from app.services.platform import audit
from app.services.platform.principal import Principal

log = logging.getLogger(__name__)

DEFAULT_DAYS = (2, 5)
MAX_REMINDERS = 3
MAX_DAY = 30
FIELD = "reminder_days"
BAD_DAYS = "请填写1至30之间的天数，用逗号分隔，按从小到大的顺序，最多3个；留空则不发送提醒"
TOO_MANY = "最多设置%(max)s次提醒"
NOT_ADMIN = "只有用人单位管理员可以设置催签提醒"


def _days(stored: list | None) -> tuple[int, ...]:
    return DEFAULT_DAYS if stored is None else tuple(stored)


def schedule(org: Organization) -> tuple[int, ...]:
    """The days after sending on which ``org``'s workers are reminded."""
    return _days(org.reminder_days)


def parse_days(raw: object) -> list[int]:
    """Days typed as ``"2, 5"`` (a form; full-width commas accepted) or given as a JSON list.

    :raises ValidationFailed: naming ``reminder_days``: not whole numbers from 1 to 30, not
        increasing, more than three, or not text/list.
    """
    if isinstance(raw, str):
        text, problem = typed.text(raw, limit=40)
        if problem:
            raise ValidationFailed(BAD_DAYS, fields={FIELD: Msg(problem)})
        items: list = [x for x in text.replace("，", ",").split(",") if x.strip()]
    elif isinstance(raw, list):
        items = raw
    else:
        raise ValidationFailed(BAD_DAYS, fields={FIELD: Msg(BAD_DAYS)})
    days = []
    for item in items:
        value, problem = typed.integer(item)
        if problem or not 1 <= value <= MAX_DAY or (days and value <= days[-1]):
            raise ValidationFailed(BAD_DAYS, fields={FIELD: Msg(BAD_DAYS)})
        days.append(value)
    if len(days) > MAX_REMINDERS:
        raise ValidationFailed(BAD_DAYS, fields={FIELD: Msg(TOO_MANY, max=MAX_REMINDERS)})
    return days


def _administered(p: Principal) -> Organization:
    if not p.is_employer_admin or p.organization_id is None:
        raise Forbidden(NOT_ADMIN, code="not_employer_admin")
    return db.session.get(Organization, p.organization_id)


def employer_schedule(p: Principal) -> tuple[int, ...]:
    """The reminder days of the employer ``p`` administers. :raises Forbidden: not its admin."""
    return schedule(_administered(p))


def set_schedule(p: Principal, raw: object) -> list[int]:
    """Set the employer's reminder days (its own organization only).

    :raises Forbidden: not an employer admin. :raises ValidationFailed: see :func:`parse_days`.
    """
    org = _administered(p)
    days = parse_days(raw)
    org.reminder_days = days
    db.session.commit()
    return days


def sent_for(contract_id: int) -> list[SigningReminder]:
    """The reminders sent for a contract, oldest first."""
    return list(db.session.scalars(select(SigningReminder).where(
        SigningReminder.contract_id == contract_id).order_by(SigningReminder.number)))


@dataclass
class ReminderRun:
    """What one run did."""

    reminded: int = 0  # workers texted
    skipped: int = 0  # due, but another run or a signature got there first


def _due(days: tuple[int, ...], sent_at: datetime, now: datetime) -> int:
    """How many of the schedule's reminders are due by ``now`` (at most three)."""
    return sum(1 for d in days[:MAX_REMINDERS] if sent_at + timedelta(days=d) <= now)


def remind_unsigned(now: datetime | None = None) -> ReminderRun:
    """Text every worker whose contract waits past a reminder day of its employer."""
    now = now or utcnow()
    run = ReminderRun()
    counts = (select(SigningReminder.contract_id, func.max(SigningReminder.number).label("n"))
              .group_by(SigningReminder.contract_id).subquery())
    rows = db.session.execute(
        select(Contract.id, Contract.sent_at, Organization.reminder_days, counts.c.n)
        .join(Organization, Contract.organization_id == Organization.id)
        .outerjoin(counts, counts.c.contract_id == Contract.id)
        .where(Contract.status == "sent", Contract.sent_at.is_not(None))
        .order_by(Contract.id)).all()
    db.session.rollback()
    for contract_id, sent_at, org_days, done in rows:
        days = _days(org_days)
        due = _due(days, sent_at, now)
        if due > (done or 0):
            if _remind(contract_id, due, days[due - 1], now):
                run.reminded += 1
            else:
                run.skipped += 1
    return run


def _remind(contract_id: int, number: int, day: int, now: datetime) -> bool:
    contract = db.session.get(Contract, contract_id)
    if contract is None or contract.status != "sent":
        db.session.rollback()
        return False
    try:
        db.session.add(SigningReminder(contract_id=contract.id, number=number, day=day,
                                       sent_at=now))
        db.session.flush()
        revoked = lifecycle.revoke_links(contract, now)
        invites.issue_link(contract, reminder=True)
        flag_modified(contract, "status")  # bump the version: a racing signature wins or loses whole
        audit.record(contract.id, "system:reminders", "contract.reminder_sent", number=number,
                     day=day, to=contract.worker_phone_masked, links_revoked=revoked)
        db.session.commit()
    except (IntegrityError, StaleDataError):
        db.session.rollback()
        return False
    log.info("reminder %s sent for contract %s", number, contract.id)
    return True
