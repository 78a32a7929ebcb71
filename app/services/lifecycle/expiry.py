"""Contracts nearing their end: the employer's expiring list and the daily reminder.

A contract is *expiring* when it is in force (signed or filed) and its last day lies between
today and :data:`app.domain.expiry.WINDOW_DAYS` days from today, both inclusive (Beijing
dates). Open-ended contracts (no end date) and voided, declined or ended ones never are.

The reminder (``flask contracts remind-expiring``, run once a day by cron) announces each
expiring contract once: an :class:`ExpiryNotice` row (unique per contract) is written in the
same transaction as the worker's text message job, so running it twice, or on two hosts at
the same time, texts each worker once. The employer's HR staff get one text per run listing
how many of their contracts newly entered the window.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError

from app.domain.expiry import WINDOW_DAYS, days_left, today_in_beijing, window_end
from app.extensions import db
from app.models import EMPLOYER_ROLES, Contract, ExpiryNotice, Organization, User
from app.services.accounts import notify
from app.services.messaging import outbox
from app.services.platform import audit, scope
from app.services.platform.principal import Principal, of_job

log = logging.getLogger(__name__)

IN_FORCE = ("signed", "filed")
#: The worker's text (message id: this Chinese text; placeholders filled by name).
WORKER_TEXT = ("【智慧星用工】您与%(employer)s签订的劳动合同（编号%(contract_no)s）将于%(term_end)s"
               "到期。如需续订，用人单位将另行发送签署短信；如有疑问，请联系用人单位。")
CHINESE_DATE = "%(year)d年%(month)02d月%(day)02d日"
#: The text to the employer's HR staff (no worker data in it).
HR_TEXT = ("【智慧星用工】%(employer)s有%(count)s份劳动合同将在%(days)s天内到期（最早%(first_end)s），"
           "请登录平台查看“即将到期”的合同并办理续订。")


@dataclass(frozen=True)
class Expiring:
    """One row of the expiring list."""

    contract: Contract
    term_end: date
    days_left: int
    notice: ExpiryNotice | None = None  # set once the daily reminder announced it
    renewal: Contract | None = None  # its renewal (any state but voided/declined/expired)


@dataclass
class ReminderRun:
    """What one run of the daily reminder did."""

    contracts: int = 0  # contracts newly announced (one worker text each)
    hr_texts: int = 0  # texts queued to HR staff
    employers: list[int] = field(default_factory=list)  # employers with new announcements


def _end_column():
    return Contract.terms["term_end"].as_string()


def _expiring_query(p: Principal, today: date):
    """Contracts ``p`` may see that are in force and end within the window (soonest first)."""
    end = _end_column()
    return (scope.labor_contracts(p)
            .where(Contract.status.in_(IN_FORCE), end >= today.isoformat(),
                   end <= window_end(today).isoformat())
            .order_by(end, Contract.id))


def renewals_of(p: Principal, contract_ids: list[int]) -> dict[int, Contract]:
    """The live renewal of each of ``contract_ids`` (voided/declined/expired ones ignored)."""
    if not contract_ids:
        return {}
    rows = db.session.scalars(scope.labor_contracts(p).where(
        Contract.renewal_of_id.in_(contract_ids),
        Contract.status.notin_(("voided", "declined", "expired"))).order_by(Contract.id))
    return {c.renewal_of_id: c for c in rows}


def expiring_contracts(p: Principal, today: date | None = None) -> list[Expiring]:
    """The expiring list of ``p``'s employer, with each contract's notice and renewal.

    :param p: the acting principal; its scope decides which contracts it sees.
    :param today: the Beijing date to count from (default: today).
    """
    today = today or today_in_beijing()
    found = list(db.session.scalars(_expiring_query(p, today)))
    ids = [c.id for c in found]
    notices = {n.contract_id: n for n in db.session.scalars(
        select(ExpiryNotice).where(ExpiryNotice.contract_id.in_(ids)))} if ids else {}
    renewals = renewals_of(p, ids)
    items = []
    for c in found:
        end = date.fromisoformat(c.terms["term_end"])
        items.append(Expiring(c, end, days_left(end, today), notices.get(c.id), renewals.get(c.id)))
    return items


def expiring_ids(p: Principal, today: date | None = None) -> set[int]:
    """Ids of the expiring contracts ``p`` may see (for the badge on the contract list)."""
    query = _expiring_query(p, today or today_in_beijing()).with_only_columns(Contract.id)
    return set(db.session.scalars(query))


def remind_expiring(today: date | None = None) -> ReminderRun:
    """The daily reminder: announce every contract that entered the window and was not
    announced yet — the worker texted once, the employer's HR staff told. One transaction per
    employer; safe to run twice or on several hosts at once.

    :param today: the Beijing date to count from (default: today).
    """
    today = today or today_in_beijing()
    run = ReminderRun()
    for org_id in db.session.scalars(select(Organization.id).order_by(Organization.id)).all():
        announced, hr_texts = _remind_employer(of_job(org_id, "expiry"), today)
        if announced:
            run.contracts += announced
            run.hr_texts += hr_texts
            run.employers.append(org_id)
    return run


def _remind_employer(p: Principal, today: date) -> tuple[int, int]:
    """Announce one employer's new expiring contracts; returns (contracts, HR texts)."""
    pending = _expiring_query(p, today).where(
        ~exists().where(ExpiryNotice.contract_id == Contract.id))
    claimed: list[tuple[Contract, ExpiryNotice]] = []
    for contract in db.session.scalars(pending).all():
        notice = _claim(p, contract, today)
        if notice is not None:
            _text_worker(p, contract, notice)
            claimed.append((contract, notice))
    if not claimed:
        db.session.commit()
        return 0, 0
    sent = _tell_hr(p, claimed)
    for _, notice in claimed:
        notice.hr_recipients = sent
    db.session.commit()
    log.info("expiry: employer %s, %d contract(s) announced, %d HR text(s)",
             p.organization_id, len(claimed), sent)
    return len(claimed), sent


def _claim(p: Principal, contract: Contract, today: date) -> ExpiryNotice | None:
    """Write the contract's notice, or None when another run has written it meanwhile."""
    end = date.fromisoformat(contract.terms["term_end"])
    notice = ExpiryNotice(contract_id=contract.id, organization_id=p.organization_id,
                          term_end=end, days_left=days_left(end, today), worker_texted=True)
    try:
        with db.session.begin_nested():
            db.session.add(notice)
            db.session.flush()
    except IntegrityError:  # a concurrent run claimed it first: it texts the worker
        return None
    return notice


def _chinese_date(day: date) -> str:
    """``2029年11月30日``, as the texts write dates."""
    return CHINESE_DATE % {"year": day.year, "month": day.month, "day": day.day}


def _text_worker(p: Principal, contract: Contract, notice: ExpiryNotice) -> None:
    """Queue the worker's one text (encrypted phone and text) and record it in the trail."""
    text = WORKER_TEXT % {"employer": contract.organization.name,
                          "contract_no": contract.contract_no,
                          "term_end": _chinese_date(notice.term_end)}
    outbox.queue(contract.worker_phone_enc, text, contract_id=contract.id)
    audit.record(contract.id, p.actor, "contract.expiry_notified",
                 term_end=notice.term_end.isoformat(), days_left=notice.days_left,
                 to=contract.worker_phone_masked)


def _tell_hr(p: Principal, claimed: list[tuple[Contract, ExpiryNotice]]) -> int:
    """Text the employer's active HR staff and admins who have a phone; returns how many."""
    org = db.session.get(Organization, p.organization_id)
    first_end = min(notice.term_end for _, notice in claimed)
    text = HR_TEXT % {"employer": org.name, "count": len(claimed), "days": WINDOW_DAYS,
                      "first_end": _chinese_date(first_end)}
    staff = db.session.scalars(select(User).where(
        User.organization_id == p.organization_id, User.role.in_(EMPLOYER_ROLES),
        User.active.is_(True)).order_by(User.id))
    return sum(notify.queue_sms_to_user(user, text) for user in staff)
